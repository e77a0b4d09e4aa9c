#include "services/inspection/handlers/effect_applier.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace grassroots::inspection {
namespace {

namespace v1 = grassroots::inspection::v1;
namespace memberpb = grassroots::membership::v1;
namespace orgpb = grassroots::org::v1;

EffectResult Applied() { return {EffectOutcome::kApplied, ""}; }

// A refusal that will not change by retrying is kept for an operator; anything
// else (down, slow, overloaded, our credentials refused) is tried again.
EffectResult FromCall(const grpc::Status& status, std::string_view what) {
  if (status.ok()) return Applied();
  std::string error = absl::StrCat(common::ToAbsl(what), ": ", static_cast<int>(status.error_code()), " ",
                                   status.error_message());
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return {EffectOutcome::kRefused, std::move(error)};
    default:
      return {EffectOutcome::kRetry, std::move(error)};
  }
}

std::string EffectiveDate(const v1::DisciplineDecision& decision) {
  return decision.effective_date().empty() ? decision.decision().signed_on() : decision.effective_date();
}

}  // namespace

GrpcEffectApplier::GrpcEffectApplier(std::shared_ptr<grpc::Channel> membership, std::shared_ptr<grpc::Channel> org,
                                     std::shared_ptr<orgtree::ServiceToken> membership_token,
                                     std::shared_ptr<orgtree::ServiceToken> org_token,
                                     std::chrono::milliseconds deadline)
    : lifecycle_(memberpb::LifecycleService::NewStub(membership)),
      committees_(orgpb::CommitteeService::NewStub(org)),
      organizations_(orgpb::OrganizationService::NewStub(org)),
      membership_token_(std::move(membership_token)),
      org_token_(std::move(org_token)),
      deadline_(deadline) {}

bool GrpcEffectApplier::Prepare(grpc::ClientContext& context, orgtree::ServiceToken& service_token,
                                EffectResult& failure) {
  absl::StatusOr<std::string> token = service_token.Get();
  if (!token.ok()) {
    failure = {EffectOutcome::kRetry, "the service token cannot be read"};
    return false;
  }
  context.set_deadline(std::chrono::system_clock::now() + deadline_);
  context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  return true;
}

EffectResult GrpcEffectApplier::Apply(const store::PendingEffect& effect, const v1::DisciplineDecision& decision) {
  switch (effect.kind) {
    case v1::EFFECT_KIND_EXPEL_MEMBER: return Expel(effect, decision);
    case v1::EFFECT_KIND_REINSTATE_MEMBER: return Reinstate(effect, decision);
    case v1::EFFECT_KIND_END_POSITION: return EndPosition(effect, decision);
    case v1::EFFECT_KIND_DISSOLVE_ORGANIZATION: return Dissolve(effect, decision);
    default: break;
  }
  return {EffectOutcome::kRefused, absl::StrCat("unknown effect kind ", static_cast<int>(effect.kind))};
}

EffectResult GrpcEffectApplier::Expel(const store::PendingEffect& effect, const v1::DisciplineDecision& decision) {
  EffectResult failure;
  grpc::ClientContext context;
  if (!Prepare(context, *membership_token_, failure)) return failure;
  memberpb::ExpelMemberRequest request;
  request.set_member(effect.target);
  request.set_effective_date(EffectiveDate(decision));
  *request.mutable_decision() = decision.decision();
  request.set_discipline_reference(decision.name());
  // Membership keeps the answer under this id: a retry after a crash gets it back, no second expulsion.
  request.set_request_id(effect.idempotency_key);
  memberpb::Member member;
  return FromCall(lifecycle_->ExpelMember(&context, request, &member), "ExpelMember");
}

EffectResult GrpcEffectApplier::Reinstate(const store::PendingEffect& effect, const v1::DisciplineDecision& decision) {
  EffectResult failure;
  grpc::ClientContext context;
  if (!Prepare(context, *membership_token_, failure)) return failure;
  memberpb::ReinstateMemberRequest request;
  request.set_member(effect.target);
  request.set_discipline_reference(decision.name());
  request.set_reason(absl::StrCat("the expulsion ", decision.name(), " was annulled or lessened on appeal"));
  // Membership keeps the answer under this id, and an expulsion already voided stays as it is.
  request.set_request_id(effect.idempotency_key);
  memberpb::Member member;
  return FromCall(lifecycle_->ReinstateMember(&context, request, &member), "ReinstateMember");
}

EffectResult GrpcEffectApplier::EndPosition(const store::PendingEffect& effect, const v1::DisciplineDecision& decision) {
  // "organizations/{o}/committeeTerms/{t}/positions/{p}": the term is everything before "/positions/".
  const size_t at = effect.target.find("/positions/");
  if (at == std::string::npos) return {EffectOutcome::kRefused, "the position's name is malformed"};
  const std::string ended_on = EffectiveDate(decision);
  {
    EffectResult failure;
    grpc::ClientContext context;
    if (!Prepare(context, *org_token_, failure)) return failure;
    orgpb::ListPositionsRequest request;
    request.set_parent(effect.target.substr(0, at));
    orgpb::ListPositionsResponse response;
    const grpc::Status status = committees_->ListPositions(&context, request, &response);
    if (!status.ok()) return FromCall(status, "ListPositions");
    bool found = false;
    for (const orgpb::Position& position : response.positions()) {
      if (position.name() != effect.target) continue;
      found = true;
      if (!position.ends_on().empty() && position.ends_on() <= ended_on) return Applied();
    }
    if (!found) return {EffectOutcome::kRefused, "the position does not exist in org"};
  }
  EffectResult failure;
  grpc::ClientContext context;
  if (!Prepare(context, *org_token_, failure)) return failure;
  orgpb::EndPositionRequest request;
  request.set_name(effect.target);
  request.set_ended_on(ended_on);
  request.set_request_id(effect.idempotency_key);
  orgpb::Position position;
  return FromCall(committees_->EndPosition(&context, request, &position), "EndPosition");
}

EffectResult GrpcEffectApplier::Dissolve(const store::PendingEffect& effect, const v1::DisciplineDecision& decision) {
  const std::string effective_date = EffectiveDate(decision);
  {
    EffectResult failure;
    grpc::ClientContext context;
    if (!Prepare(context, *org_token_, failure)) return failure;
    orgpb::GetOrganizationRequest request;
    request.set_name(effect.target);
    orgpb::Organization organization;
    const grpc::Status status = organizations_->GetOrganization(&context, request, &organization);
    if (!status.ok()) return FromCall(status, "GetOrganization");
    // Dissolved on the decision's date: this effect, applied before a crash
    // kept it from being recorded. On another date: someone else's decision,
    // which an operator reconciles with this one.
    if (organization.state() == orgpb::ORGANIZATION_STATE_DISSOLVED) {
      if (organization.ended_on() == effective_date) return Applied();
      return {EffectOutcome::kRefused, absl::StrCat(effect.target, " was already dissolved on ",
                                                    organization.ended_on(), ", not on ", effective_date)};
    }
  }
  EffectResult failure;
  grpc::ClientContext context;
  if (!Prepare(context, *org_token_, failure)) return failure;
  orgpb::DissolveOrganizationRequest request;
  request.set_name(effect.target);
  request.set_effective_date(effective_date);
  *request.mutable_decision() = decision.decision();
  request.set_request_id(effect.idempotency_key);
  orgpb::Organization organization;
  return FromCall(organizations_->DissolveOrganization(&context, request, &organization), "DissolveOrganization");
}

}  // namespace grassroots::inspection
