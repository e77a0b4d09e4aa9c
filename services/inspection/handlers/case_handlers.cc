#include "services/inspection/handlers/case_handlers.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/inspection/domain/case_rules.h"
#include "services/inspection/handlers/conversions.h"
#include "services/inspection/handlers/request_support.h"
#include "services/inspection/store/inspection_sql.h"

namespace grassroots::inspection {
namespace {

namespace api = common::api;
using common::auth::Role;

constexpr char kResourceType[] = "inspection_case";
constexpr size_t kMaxTopicChars = 1000;
constexpr size_t kMaxTextChars = 100000;
constexpr size_t kMaxRecommendationChars = 4000;
constexpr size_t kMaxNoteChars = 2000;
constexpr size_t kMaxRoleChars = 255;
constexpr int kMaxTeam = 50;
constexpr int kMaxRecommendations = 200;

domain::CaseProgress ProgressOf(const v1::Case& c) {
  domain::CaseProgress progress;
  progress.has_findings = !c.findings().empty();
  progress.has_conclusion = !c.conclusion().empty();
  if (!c.concluded_on().empty()) {
    absl::CivilDay day;
    if (absl::ParseCivilTime(c.concluded_on(), &day)) progress.concluded_on = day;
  }
  for (const v1::Recommendation& r : c.recommendations()) {
    progress.recommendations.push_back(RecommendationStateFromProto(r.status()));
  }
  progress.cancel_reason = c.cancel_reason();
  return progress;
}

// Fills the fields computed on read (overdue recommendations today).
void Decorate(v1::Case& c, absl::CivilDay today) {
  for (v1::Recommendation& r : *c.mutable_recommendations()) {
    absl::CivilDay deadline;
    r.set_overdue(r.status() == v1::RECOMMENDATION_STATUS_OPEN && absl::ParseCivilTime(r.deadline(), &deadline) &&
                  today > deadline);
  }
}

absl::StatusOr<std::vector<v1::TeamMember>> NormalizeTeam(const google::protobuf::RepeatedPtrField<v1::TeamMember>& in,
                                                         std::string_view field) {
  if (in.size() > kMaxTeam) return common::InvalidField(field, absl::StrCat("has more than ", kMaxTeam, " members"));
  std::vector<v1::TeamMember> team;
  for (int i = 0; i < in.size(); ++i) {
    const std::string item = absl::StrCat(common::ToAbsl(field), "[", i, "]");
    v1::TeamMember member;
    GR_RETURN_IF_ERROR(ParseName(in[i].member(), "members", absl::StrCat(item, ".member")).status());
    member.set_member(in[i].member());
    GR_ASSIGN_OR_RETURN(*member.mutable_role(),
                        api::NormalizeText(in[i].role(), absl::StrCat(item, ".role"), false, kMaxRoleChars));
    team.push_back(std::move(member));
  }
  return team;
}

bool IsReaderOfEveryCase(const common::auth::Principal& principal) {
  return principal.HasAnyRole({Role::kAdmin, Role::kInspector, Role::kService});
}

// Whether the caller may read this case: inspectors and admins in scope; a
// secretary the concluded or closed cases about its own organization.
absl::Status RequireCanRead(HandlerContext& ctx, const common::auth::CallContext& call, const store::StoredCase& stored) {
  if (IsReaderOfEveryCase(call.principal)) return RequireInScope(ctx, call, stored.org_id);
  const v1::Case& c = stored.record;
  const bool concluded = c.status() == v1::CASE_STATUS_CONCLUDED || c.status() == v1::CASE_STATUS_CLOSED;
  if (call.principal.HasRole(Role::kSecretary) && concluded &&
      c.subject().organization() == store::NameOfId("organizations", call.principal.scope_org_id)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("the caller may not read ", c.name()));
}

}  // namespace

CaseServiceImpl::CaseServiceImpl(HandlerContext& ctx)
    : ctx_(ctx), envelope_(v1::CaseService::service_full_name(), ctx.authorizer) {}

namespace {

// The frame of every workflow change: lock the case, check scope and etag,
// apply `change` to the record (which validates), check the status transition
// by the workflow rule on `on`, write, and put the case on the feed.
absl::StatusOr<v1::Case> ChangeCase(HandlerContext& ctx, const common::auth::CallContext& call, int64_t id,
                                    std::string_view etag, std::string_view operation, std::string_view action,
                                    const std::function<absl::StatusOr<absl::CivilDay>(v1::Case&)>& change) {
  return ctx.pool.Transact<v1::Case>(operation, [&](common::db::Session& session) -> absl::StatusOr<v1::Case> {
    GR_ASSIGN_OR_RETURN(std::optional<store::StoredCase> stored, ctx.cases.Get(session, id, /*for_update=*/true));
    if (!stored) return absl::NotFoundError(absl::StrCat("cases/", id, " does not exist"));
    GR_RETURN_IF_ERROR(RequireInScope(ctx, call, stored->org_id));
    GR_RETURN_IF_ERROR(api::CheckEtag(etag, stored->version, stored->record.name()));
    v1::Case updated = stored->record;
    const v1::CaseStatus from = updated.status();
    GR_ASSIGN_OR_RETURN(absl::CivilDay on, change(updated));
    if (updated.status() != from) {
      GR_RETURN_IF_ERROR(domain::CheckCaseTransition(CaseStatusFromProto(from), CaseStatusFromProto(updated.status()),
                                                     ProgressOf(updated), on, ctx.rules));
    }
    GR_RETURN_IF_ERROR(ctx.cases.Update(session, id, updated));
    GR_ASSIGN_OR_RETURN(std::optional<store::StoredCase> reread, ctx.cases.Get(session, id, false));
    if (!reread) return absl::InternalError("case vanished inside its transaction");
    GR_RETURN_IF_ERROR(RecordChange(session, call, kResourceType, reread->record.name(), action, reread->record,
                                    {{"case_id", id},
                                     {"organization_id", reread->org_id},
                                     {"status", v1::CaseStatus_Name(reread->record.status())}}));
    Decorate(reread->record, api::Today());
    return reread->record;
  });
}

absl::StatusOr<absl::CivilDay> OpenedOn(const v1::Case& c) { return api::ParseDate(c.opening_decision().signed_on(), "opening_decision.signed_on"); }

}  // namespace

grpc::Status CaseServiceImpl::OpenCase(grpc::ServerContext* context, const v1::OpenCaseRequest* request,
                                       v1::Case* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    const v1::Case& in = request->case_();
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(in.organization(), "organizations", "case.organization"));
    GR_ASSIGN_OR_RETURN(domain::Conductor conductor, ConductorFromProto(in.conductor(), "case.conductor"));
    GR_ASSIGN_OR_RETURN(domain::CaseKind kind, CaseKindFromProto(in.kind(), "case.kind"));
    GR_ASSIGN_OR_RETURN(domain::CaseBasis basis, CaseBasisFromProto(in.basis(), "case.basis"));
    GR_ASSIGN_OR_RETURN(SubjectRef subject, ParseSubject(in.subject(), "case.subject", /*required=*/true));
    v1::Case record;
    record.set_organization(store::NameOfId("organizations", org_id));
    record.set_conductor(in.conductor());
    record.set_kind(in.kind());
    record.set_basis(in.basis());
    *record.mutable_subject() = in.subject();
    GR_ASSIGN_OR_RETURN(*record.mutable_topic(), api::NormalizeText(in.topic(), "case.topic", true, kMaxTopicChars));
    GR_ASSIGN_OR_RETURN(*record.mutable_opening_decision(),
                        NormalizeDecision(in.opening_decision(), "case.opening_decision", /*required=*/true));
    GR_ASSIGN_OR_RETURN(absl::CivilDay opened_on, OpenedOn(record));
    GR_ASSIGN_OR_RETURN(absl::CivilDay start, ParseDay(in.period_start(), "case.period_start"));
    GR_ASSIGN_OR_RETURN(std::optional<absl::CivilDay> end, ParseOptionalDay(in.period_end(), "case.period_end"));
    GR_RETURN_IF_ERROR(domain::CheckCasePeriod({.opened_on = opened_on, .start = start, .end = end}));
    record.set_period_start(api::FormatDate(start));
    if (end) record.set_period_end(api::FormatDate(*end));
    GR_ASSIGN_OR_RETURN(std::vector<v1::TeamMember> team, NormalizeTeam(in.team(), "case.team"));
    for (v1::TeamMember& member : team) *record.add_team() = std::move(member);
    std::optional<std::pair<int64_t, int64_t>> item;
    if (!in.program_item().empty()) {
      GR_ASSIGN_OR_RETURN(item, ParseChildName(in.program_item(), "programs", "items", "case.program_item"));
      record.set_program_item(in.program_item());
    }
    record.set_status(v1::CASE_STATUS_OPENED);
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));

    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::Case>(
            ctx_.pool, "case.open", common::feed::WriteContextOf(call), envelope_.FullName(__func__),
            request->request_id(), *request, [&](common::db::Session& session) -> absl::StatusOr<v1::Case> {
              GR_ASSIGN_OR_RETURN(orgtree::ProjectedOrganization owner,
                                  OrganizationActiveOn(ctx_, session, org_id, opened_on, "case.organization"));
              domain::CaseClassification classification{.kind = kind,
                                                        .basis = basis,
                                                        .conductor = conductor,
                                                        .conductor_organization = ConductorOrganizationOf(owner)};
              if (subject.member_id) {
                classification.subject_kind = domain::CaseSubjectKind::kMember;
              } else {
                GR_ASSIGN_OR_RETURN(bool within,
                                    ctx_.organizations.IsWithinSubtree(session, org_id, *subject.organization_id));
                classification.subject_is_lower_organization = within && *subject.organization_id != org_id;
              }
              GR_RETURN_IF_ERROR(domain::CheckCaseClassification(classification, opened_on, ctx_.rules));
              GR_RETURN_IF_ERROR(CheckSubjectOn(ctx_, session, subject, start, "case.subject"));
              std::optional<store::StoredProgram> program;
              if (item) {
                GR_ASSIGN_OR_RETURN(program, ctx_.programs.Get(session, item->first, /*for_update=*/true));
                const bool has_item =
                    program && std::any_of(program->program.items().begin(), program->program.items().end(),
                                           [&](const v1::ProgramItem& i) { return i.name() == in.program_item(); });
                if (!has_item) return absl::NotFoundError(absl::StrCat(in.program_item(), " does not exist"));
                if (program->org_id != org_id) {
                  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "CASE_OF_ANOTHER_ORGANIZATION",
                                          absl::StrCat(in.program_item(), " is in the program of ",
                                                       program->program.organization()));
                }
              }
              GR_ASSIGN_OR_RETURN(store::StoredCase stored, ctx_.cases.Insert(session, org_id, record));
              if (program) {
                for (v1::ProgramItem& planned : *program->program.mutable_items()) {
                  if (planned.name() != in.program_item()) continue;
                  if (planned.status() != v1::PROGRAM_ITEM_STATUS_PLANNED) {
                    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "PROGRAM_ITEM_SETTLED",
                                            absl::StrCat(in.program_item(), " is already ",
                                                         v1::ProgramItemStatus_Name(planned.status())));
                  }
                  planned.set_status(v1::PROGRAM_ITEM_STATUS_IN_CASE);
                  planned.set_case_(stored.record.name());
                  GR_RETURN_IF_ERROR(ctx_.programs.UpdateItem(session, item->second, planned));
                }
                GR_RETURN_IF_ERROR(ctx_.programs.BumpVersion(session, program->id));
              }
              GR_RETURN_IF_ERROR(RecordChange(session, call, kResourceType, stored.record.name(), "opened",
                                              stored.record,
                                              {{"case_id", stored.id},
                                               {"organization_id", org_id},
                                               {"kind", v1::CaseKind_Name(in.kind())},
                                               {"basis", v1::CaseBasis_Name(in.basis())}}));
              return stored.record;
            }));
    return absl::OkStatus();
  });
}

grpc::Status CaseServiceImpl::GetCase(grpc::ServerContext* context, const v1::GetCaseRequest* request,
                                      v1::Case* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "cases", "name"));
    GR_ASSIGN_OR_RETURN(std::optional<store::StoredCase> stored,
                        ctx_.pool.Read<std::optional<store::StoredCase>>(
                            "case.get", [&](common::db::Session& session) { return ctx_.cases.Get(session, id, false); }));
    if (!stored) return absl::NotFoundError(absl::StrCat(request->name(), " does not exist"));
    GR_RETURN_IF_ERROR(RequireCanRead(ctx_, call, *stored));
    *response = stored->record;
    Decorate(*response, api::Today());
    return absl::OkStatus();
  });
}

grpc::Status CaseServiceImpl::ListCases(grpc::ServerContext* context, const v1::ListCasesRequest* request,
                                        v1::ListCasesResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(request->organization(), "organizations", "organization"));
    GR_ASSIGN_OR_RETURN(SubjectRef subject, ParseSubject(request->subject(), "subject", false));
    if (request->year() != 0 && (request->year() < 1930 || request->year() > 2100)) {
      return common::InvalidField("year", "must be a year between 1930 and 2100");
    }
    store::CaseFilter filter;
    filter.status = request->status();
    filter.kind = request->kind();
    filter.subject_org_id = subject.organization_id;
    filter.subject_member_id = subject.member_id;
    filter.year = request->year();
    GR_ASSIGN_OR_RETURN(PageRequest page,
                        DecodePage(ctx_, request->page_size(), request->page_token(),
                                   api::Fingerprint({"cases", request->organization(), request->SerializeAsString()})));
    if (IsReaderOfEveryCase(call.principal)) {
      GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    } else {
      // A secretary: the concluded and closed cases about its own organization, whoever conducted them.
      if (org_id != call.principal.scope_org_id) {
        return absl::PermissionDeniedError("a secretary lists the cases about its own organization only");
      }
      filter.any_org = true;
      filter.subject_org_id = org_id;
      filter.subject_member_id.reset();
      filter.statuses = {v1::CASE_STATUS_CONCLUDED, v1::CASE_STATUS_CLOSED};
    }
    GR_ASSIGN_OR_RETURN(std::vector<store::StoredCase> rows,
                        ctx_.pool.Read<std::vector<store::StoredCase>>(
                            "case.list",
                            [&](common::db::Session& session) -> absl::StatusOr<std::vector<store::StoredCase>> {
                              if (!filter.any_org) {
                                GR_ASSIGN_OR_RETURN(filter.org_ids, SubtreeOf(ctx_, session, org_id));
                              }
                              return ctx_.cases.List(session, filter, page.after_id, page.size);
                            }));
    const absl::CivilDay today = api::Today();
    for (store::StoredCase& row : rows) {
      Decorate(row.record, today);
      *response->add_cases() = std::move(row.record);
    }
    response->set_next_page_token(NextPageToken(ctx_, page, rows.size(), rows.empty() ? 0 : rows.back().id));
    return absl::OkStatus();
  });
}

grpc::Status CaseServiceImpl::StartCase(grpc::ServerContext* context, const v1::StartCaseRequest* request,
                                        v1::Case* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "cases", "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay started_on, ParseDay(request->started_on(), "started_on"));
    GR_ASSIGN_OR_RETURN(std::vector<v1::TeamMember> team, NormalizeTeam(request->team(), "team"));
    GR_ASSIGN_OR_RETURN(*response, ChangeCase(ctx_, call, id, request->etag(), "case.start", "started",
                                              [&](v1::Case& c) -> absl::StatusOr<absl::CivilDay> {
                                                GR_ASSIGN_OR_RETURN(absl::CivilDay opened_on, OpenedOn(c));
                                                if (started_on < opened_on) {
                                                  return common::InvalidField(
                                                      "started_on", "must not be before the decision to open the case");
                                                }
                                                c.set_status(v1::CASE_STATUS_IN_PROGRESS);
                                                c.set_started_on(api::FormatDate(started_on));
                                                if (!team.empty()) {
                                                  c.clear_team();
                                                  for (const v1::TeamMember& m : team) *c.add_team() = m;
                                                }
                                                return started_on;
                                              }));
    return absl::OkStatus();
  });
}

grpc::Status CaseServiceImpl::ConcludeCase(grpc::ServerContext* context, const v1::ConcludeCaseRequest* request,
                                           v1::Case* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "cases", "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay concluded_on, ParseDay(request->concluded_on(), "concluded_on"));
    GR_ASSIGN_OR_RETURN(std::string findings, api::NormalizeText(request->findings(), "findings", true, kMaxTextChars));
    GR_ASSIGN_OR_RETURN(std::string conclusion,
                        api::NormalizeText(request->conclusion(), "conclusion", true, kMaxTextChars));
    GR_ASSIGN_OR_RETURN(grassroots::type::v1::Decision notice,
                        NormalizeDecision(request->conclusion_notice(), "conclusion_notice", false));
    if (request->recommendations_size() > kMaxRecommendations) {
      return common::InvalidField("recommendations", absl::StrCat("has more than ", kMaxRecommendations));
    }
    std::vector<v1::Recommendation> recommendations;
    for (int i = 0; i < request->recommendations_size(); ++i) {
      const v1::Recommendation& in = request->recommendations(i);
      const std::string field = absl::StrCat("recommendations[", i, "]");
      v1::Recommendation r;
      GR_ASSIGN_OR_RETURN(*r.mutable_text(),
                          api::NormalizeText(in.text(), absl::StrCat(common::ToAbsl(field), ".text"), true, kMaxRecommendationChars));
      GR_RETURN_IF_ERROR(ParseSubject(in.responsible(), absl::StrCat(common::ToAbsl(field), ".responsible"), false).status());
      if (in.has_responsible()) *r.mutable_responsible() = in.responsible();
      GR_ASSIGN_OR_RETURN(absl::CivilDay deadline, ParseDay(in.deadline(), absl::StrCat(common::ToAbsl(field), ".deadline")));
      absl::Status deadline_ok = domain::CheckRecommendationDeadline(deadline, concluded_on);
      if (!deadline_ok.ok()) return common::InvalidField(absl::StrCat(common::ToAbsl(field), ".deadline"), std::string(deadline_ok.message()));
      r.set_deadline(api::FormatDate(deadline));
      r.set_status(v1::RECOMMENDATION_STATUS_OPEN);
      recommendations.push_back(std::move(r));
    }
    GR_ASSIGN_OR_RETURN(
        *response,
        ChangeCase(ctx_, call, id, request->etag(), "case.conclude", "concluded",
                   [&](v1::Case& c) -> absl::StatusOr<absl::CivilDay> {
                     GR_ASSIGN_OR_RETURN(absl::CivilDay opened_on, OpenedOn(c));
                     GR_ASSIGN_OR_RETURN(absl::CivilDay start, api::ParseDate(c.period_start(), "period_start"));
                     GR_RETURN_IF_ERROR(domain::CheckConclusionDate({.opened_on = opened_on, .start = start},
                                                                    concluded_on));
                     const bool finance = c.kind() == v1::CASE_KIND_FINANCE_INSPECTION;
                     if (finance != request->has_finance_findings()) {
                       return common::InvalidField("finance_findings", finance
                                                                           ? "is required for a finance inspection"
                                                                           : "belongs to a finance inspection only");
                     }
                     if (finance) {
                       const v1::FinanceFindings& f = request->finance_findings();
                       if (f.dues_due() < 0 || f.dues_collected() < 0 || f.dues_remitted() < 0 ||
                           f.remittance_shortfall() < 0 || f.late_payers() < 0) {
                         return common::InvalidField("finance_findings", "amounts and counts must not be negative");
                       }
                       GR_RETURN_IF_ERROR(ParseOptionalDay(f.period_start(), "finance_findings.period_start").status());
                       GR_RETURN_IF_ERROR(ParseOptionalDay(f.period_end(), "finance_findings.period_end").status());
                       *c.mutable_finance_findings() = f;
                     }
                     c.set_status(v1::CASE_STATUS_CONCLUDED);
                     c.set_concluded_on(api::FormatDate(concluded_on));
                     c.set_findings(findings);
                     c.set_conclusion(conclusion);
                     if (!notice.number().empty()) *c.mutable_conclusion_notice() = notice;
                     c.clear_recommendations();
                     for (const v1::Recommendation& r : recommendations) *c.add_recommendations() = r;
                     return concluded_on;
                   }));
    return absl::OkStatus();
  });
}

grpc::Status CaseServiceImpl::RecordRecommendationFollowUp(grpc::ServerContext* context,
                                                           const v1::RecordRecommendationFollowUpRequest* request,
                                                           v1::Case* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(auto ids, ParseChildName(request->name(), "cases", "recommendations", "name"));
    const int64_t case_id = ids.first;
    const int64_t seq = ids.second;
    if (request->status() != v1::RECOMMENDATION_STATUS_DONE && request->status() != v1::RECOMMENDATION_STATUS_DROPPED) {
      return common::InvalidField("status", "must be DONE or DROPPED");
    }
    GR_ASSIGN_OR_RETURN(absl::CivilDay on, ParseDay(request->followed_up_on(), "followed_up_on"));
    GR_ASSIGN_OR_RETURN(std::string note, api::NormalizeText(request->note(), "note", false, kMaxNoteChars));
    GR_ASSIGN_OR_RETURN(
        *response,
        ChangeCase(ctx_, call, case_id, request->etag(), "case.follow_up", "recommendation_followed_up",
                   [&](v1::Case& c) -> absl::StatusOr<absl::CivilDay> {
                     if (c.status() != v1::CASE_STATUS_CONCLUDED) {
                       return common::Reasoned(absl::StatusCode::kFailedPrecondition, "CASE_NOT_CONCLUDED",
                                               absl::StrCat(c.name(), " is ", v1::CaseStatus_Name(c.status()),
                                                            "; recommendations are followed up once it is concluded"));
                     }
                     if (seq < 1 || seq > c.recommendations_size()) {
                       return absl::NotFoundError(absl::StrCat(request->name(), " does not exist"));
                     }
                     v1::Recommendation& r = *c.mutable_recommendations(static_cast<int>(seq - 1));
                     GR_ASSIGN_OR_RETURN(absl::CivilDay concluded_on, api::ParseDate(c.concluded_on(), "concluded_on"));
                     absl::Status allowed = domain::CheckRecommendationTransition(
                         RecommendationStateFromProto(r.status()), RecommendationStateFromProto(request->status()), on,
                         note, concluded_on);
                     if (common::FieldOf(allowed) == "drop_reason") return common::InvalidField("note", std::string(allowed.message()));
                     if (common::FieldOf(allowed) == "settled_on") {
                       return common::InvalidField("followed_up_on", std::string(allowed.message()));
                     }
                     GR_RETURN_IF_ERROR(allowed);
                     r.set_status(request->status());
                     r.set_followed_up_on(api::FormatDate(on));
                     r.set_follow_up_note(note);
                     return on;
                   }));
    return absl::OkStatus();
  });
}

grpc::Status CaseServiceImpl::CloseCase(grpc::ServerContext* context, const v1::CloseCaseRequest* request,
                                        v1::Case* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "cases", "name"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay closed_on, ParseDay(request->closed_on(), "closed_on"));
    GR_ASSIGN_OR_RETURN(*response, ChangeCase(ctx_, call, id, request->etag(), "case.close", "closed",
                                              [&](v1::Case& c) -> absl::StatusOr<absl::CivilDay> {
                                                absl::CivilDay concluded_on;
                                                if (absl::ParseCivilTime(c.concluded_on(), &concluded_on) &&
                                                    closed_on < concluded_on) {
                                                  return common::InvalidField("closed_on",
                                                                             "must not be before the conclusion");
                                                }
                                                c.set_status(v1::CASE_STATUS_CLOSED);
                                                c.set_closed_on(api::FormatDate(closed_on));
                                                return closed_on;
                                              }));
    return absl::OkStatus();
  });
}

grpc::Status CaseServiceImpl::CancelCase(grpc::ServerContext* context, const v1::CancelCaseRequest* request,
                                         v1::Case* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "cases", "name"));
    GR_ASSIGN_OR_RETURN(std::string reason, api::NormalizeText(request->reason(), "reason", true, kMaxNoteChars));
    GR_ASSIGN_OR_RETURN(*response, ChangeCase(ctx_, call, id, request->etag(), "case.cancel", "cancelled",
                                              [&](v1::Case& c) -> absl::StatusOr<absl::CivilDay> {
                                                c.set_status(v1::CASE_STATUS_CANCELLED);
                                                c.set_cancel_reason(reason);
                                                return api::Today();
                                              }));
    return absl::OkStatus();
  });
}

grpc::Status CaseServiceImpl::ListOverdueRecommendations(grpc::ServerContext* context,
                                                         const v1::ListOverdueRecommendationsRequest* request,
                                                         v1::ListOverdueRecommendationsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(request->organization(), "organizations", "organization"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::ParseDateOr(request->as_of_date(), "as_of_date", api::Today()));
    GR_ASSIGN_OR_RETURN(int32_t page_size, api::ClampPageSize(request->page_size(), 50, 500));
    const uint64_t fingerprint = api::Fingerprint({"overdue", request->organization(), api::FormatDate(as_of)});
    GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx_.page_tokens.Decode(request->page_token(), fingerprint));
    // The cursor is (case id, recommendation number): last_id and last_key.
    int64_t after_case = 0;
    int32_t after_seq = 0;
    if (cursor) {
      after_case = cursor->last_id;
      after_seq = std::atoi(cursor->last_key.c_str());
    }
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    GR_ASSIGN_OR_RETURN(std::vector<store::OverdueRecommendation> rows,
                        ctx_.pool.Read<std::vector<store::OverdueRecommendation>>(
                            "case.overdue_recommendations",
                            [&](common::db::Session& session)
                                -> absl::StatusOr<std::vector<store::OverdueRecommendation>> {
                              GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, SubtreeOf(ctx_, session, org_id));
                              return ctx_.cases.ListOverdueRecommendations(session, ids, api::FormatDate(as_of),
                                                                           after_case, after_seq, page_size);
                            }));
    for (store::OverdueRecommendation& row : rows) {
      auto* item = response->add_items();
      item->set_case_(store::NameOfId("cases", row.case_id));
      item->set_case_organization(store::NameOfId("organizations", row.case_org_id));
      absl::CivilDay deadline;
      absl::ParseCivilTime(row.recommendation.deadline(), &deadline);
      item->set_days_overdue(static_cast<int32_t>(as_of - deadline));
      row.recommendation.set_overdue(true);
      *item->mutable_recommendation() = std::move(row.recommendation);
    }
    if (rows.size() == static_cast<size_t>(page_size)) {
      response->set_next_page_token(ctx_.page_tokens.Encode(
          {.last_key = std::to_string(rows.back().seq), .last_id = rows.back().case_id, .query_fingerprint = fingerprint}));
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::inspection
