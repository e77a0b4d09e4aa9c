#include "services/inspection/handlers/program_handlers.h"

#include <algorithm>
#include <set>
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

constexpr char kResourceType[] = "inspection_program";
constexpr size_t kMaxTopicChars = 1000;
constexpr size_t kMaxReasonChars = 1000;
// Programs exist from the founding of the party to well past any plan.
constexpr int32_t kFirstYear = 1930;
constexpr int32_t kLastYear = 2100;

absl::Status ValidateYear(int32_t year, std::string_view field) {
  if (year < kFirstYear || year > kLastYear) {
    return common::InvalidField(field, absl::StrCat("must be a year between ", kFirstYear, " and ", kLastYear));
  }
  return absl::OkStatus();
}

// A planned item as it will be stored: validated, normalized, status PLANNED.
absl::StatusOr<v1::ProgramItem> NormalizeItem(HandlerContext& ctx, common::db::Session& session,
                                              const v1::ProgramItem& in, const orgtree::ProjectedOrganization& owner,
                                              absl::CivilDay adopted_on, std::string_view field) {
  v1::ProgramItem item;
  GR_ASSIGN_OR_RETURN(*item.mutable_topic(),
                      api::NormalizeText(in.topic(), absl::StrCat(common::ToAbsl(field), ".topic"), true, kMaxTopicChars));
  GR_ASSIGN_OR_RETURN(domain::CaseKind kind, CaseKindFromProto(in.kind(), absl::StrCat(common::ToAbsl(field), ".kind")));
  GR_ASSIGN_OR_RETURN(domain::CaseBasis basis, CaseBasisFromProto(in.basis(), absl::StrCat(common::ToAbsl(field), ".basis")));
  GR_ASSIGN_OR_RETURN(domain::Conductor lead, ConductorFromProto(in.lead(), absl::StrCat(common::ToAbsl(field), ".lead")));
  if (in.quarter() < 1 || in.quarter() > 4) return common::InvalidField(absl::StrCat(common::ToAbsl(field), ".quarter"), "must be 1..4");
  if (!in.lead_member().empty()) {
    GR_RETURN_IF_ERROR(ParseName(in.lead_member(), "members", absl::StrCat(common::ToAbsl(field), ".lead_member")).status());
  }
  GR_ASSIGN_OR_RETURN(SubjectRef subject, ParseSubject(in.subject(), absl::StrCat(common::ToAbsl(field), ".subject"), false));
  domain::CaseClassification classification{.kind = kind,
                                            .basis = basis,
                                            .conductor = lead,
                                            .conductor_organization = ConductorOrganizationOf(owner)};
  if (subject.member_id) {
    classification.subject_kind = domain::CaseSubjectKind::kMember;
  } else if (subject.organization_id) {
    GR_ASSIGN_OR_RETURN(bool lower, ctx.organizations.IsWithinSubtree(session, owner.id, *subject.organization_id));
    classification.subject_is_lower_organization = lower && *subject.organization_id != owner.id;
  } else {
    // A planned item may leave its subject open; judge the kind as about a lower organization.
    classification.subject_is_lower_organization = true;
  }
  GR_RETURN_IF_ERROR(domain::CheckCaseClassification(classification, adopted_on, ctx.rules));
  GR_RETURN_IF_ERROR(CheckSubjectOn(ctx, session, subject, adopted_on, absl::StrCat(common::ToAbsl(field), ".subject")));
  item.set_kind(in.kind());
  item.set_basis(in.basis());
  item.set_quarter(in.quarter());
  item.set_lead(in.lead());
  item.set_lead_member(in.lead_member());
  *item.mutable_subject() = in.subject();
  item.set_status(v1::PROGRAM_ITEM_STATUS_PLANNED);
  return item;
}

// The program, locked, in the caller's scope, with its etag checked.
absl::StatusOr<store::StoredProgram> LockProgram(HandlerContext& ctx, common::db::Session& session,
                                                 const common::auth::CallContext& call, int64_t id,
                                                 std::string_view etag) {
  GR_ASSIGN_OR_RETURN(std::optional<store::StoredProgram> stored, ctx.programs.Get(session, id, /*for_update=*/true));
  if (!stored) return absl::NotFoundError(absl::StrCat("programs/", id, " does not exist"));
  GR_RETURN_IF_ERROR(RequireInScope(ctx, call, stored->org_id));
  GR_RETURN_IF_ERROR(api::CheckEtag(etag, stored->version, stored->program.name()));
  return *std::move(stored);
}

// Re-reads the program after a change and puts it on the feed.
absl::StatusOr<v1::Program> Reread(HandlerContext& ctx, common::db::Session& session,
                                   const common::auth::CallContext& call, int64_t id, std::string_view action,
                                   nlohmann::json audit) {
  GR_ASSIGN_OR_RETURN(std::optional<store::StoredProgram> stored, ctx.programs.Get(session, id, false));
  if (!stored) return absl::InternalError("program vanished inside its transaction");
  GR_RETURN_IF_ERROR(RecordChange(session, call, kResourceType, stored->program.name(), action, stored->program,
                                  std::move(audit)));
  return stored->program;
}

}  // namespace

ProgramServiceImpl::ProgramServiceImpl(HandlerContext& ctx)
    : ctx_(ctx), envelope_(v1::ProgramService::service_full_name(), ctx.authorizer) {}

grpc::Status ProgramServiceImpl::CreateProgram(grpc::ServerContext* context, const v1::CreateProgramRequest* request,
                                               v1::Program* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    const v1::Program& in = request->program();
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(in.organization(), "organizations", "program.organization"));
    GR_RETURN_IF_ERROR(ValidateYear(in.year(), "program.year"));
    GR_ASSIGN_OR_RETURN(absl::CivilDay adopted_on, ParseDay(in.adopted_on(), "program.adopted_on"));
    // A program for year Y is adopted late in Y-1 or during Y.
    if (adopted_on.year() < in.year() - 1 || adopted_on.year() > in.year()) {
      return common::InvalidField("program.adopted_on", "must fall in the program's year or the year before");
    }
    GR_ASSIGN_OR_RETURN(grassroots::type::v1::Decision decision,
                        NormalizeDecision(in.decision(), "program.decision", false));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::Program>(
            ctx_.pool, "program.create", common::feed::WriteContextOf(call), envelope_.FullName(__func__),
            request->request_id(), *request, [&](common::db::Session& session) -> absl::StatusOr<v1::Program> {
              GR_ASSIGN_OR_RETURN(orgtree::ProjectedOrganization owner,
                                  OrganizationActiveOn(ctx_, session, org_id, adopted_on, "program.organization"));
              v1::Program program;
              program.set_year(in.year());
              program.set_adopted_on(api::FormatDate(adopted_on));
              if (!decision.number().empty()) *program.mutable_decision() = decision;
              for (int i = 0; i < in.items_size(); ++i) {
                GR_ASSIGN_OR_RETURN(*program.add_items(),
                                    NormalizeItem(ctx_, session, in.items(i), owner, adopted_on,
                                                  absl::StrCat("program.items[", i, "]")));
              }
              GR_ASSIGN_OR_RETURN(store::StoredProgram stored, ctx_.programs.Insert(session, org_id, program));
              GR_RETURN_IF_ERROR(RecordChange(session, call, kResourceType, stored.program.name(), "created",
                                              stored.program,
                                              {{"organization_id", org_id},
                                               {"year", in.year()},
                                               {"items", in.items_size()}}));
              return stored.program;
            }));
    return absl::OkStatus();
  });
}

grpc::Status ProgramServiceImpl::GetProgram(grpc::ServerContext* context, const v1::GetProgramRequest* request,
                                            v1::Program* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->name(), "programs", "name"));
    GR_ASSIGN_OR_RETURN(std::optional<store::StoredProgram> stored,
                        ctx_.pool.Read<std::optional<store::StoredProgram>>(
                            "program.get", [&](common::db::Session& session) { return ctx_.programs.Get(session, id, false); }));
    if (!stored) return absl::NotFoundError(absl::StrCat(request->name(), " does not exist"));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, stored->org_id));
    *response = stored->program;
    return absl::OkStatus();
  });
}

grpc::Status ProgramServiceImpl::ListPrograms(grpc::ServerContext* context, const v1::ListProgramsRequest* request,
                                              v1::ListProgramsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(request->organization(), "organizations", "organization"));
    if (request->year() != 0) GR_RETURN_IF_ERROR(ValidateYear(request->year(), "year"));
    GR_ASSIGN_OR_RETURN(PageRequest page,
                        DecodePage(ctx_, request->page_size(), request->page_token(),
                                   api::Fingerprint({"programs", request->organization(),
                                                     std::to_string(request->year())})));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    GR_ASSIGN_OR_RETURN(std::vector<store::StoredProgram> rows,
                        ctx_.pool.Read<std::vector<store::StoredProgram>>(
                            "program.list", [&](common::db::Session& session)
                                                -> absl::StatusOr<std::vector<store::StoredProgram>> {
                              GR_ASSIGN_OR_RETURN(std::vector<int64_t> ids, SubtreeOf(ctx_, session, org_id));
                              return ctx_.programs.List(session, ids, request->year(), page.after_id, page.size);
                            }));
    for (const store::StoredProgram& row : rows) *response->add_programs() = row.program;
    response->set_next_page_token(NextPageToken(ctx_, page, rows.size(), rows.empty() ? 0 : rows.back().id));
    return absl::OkStatus();
  });
}

grpc::Status ProgramServiceImpl::AddProgramItem(grpc::ServerContext* context, const v1::AddProgramItemRequest* request,
                                                v1::Program* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t id, ParseName(request->program(), "programs", "program"));
    GR_ASSIGN_OR_RETURN(
        *response, ctx_.pool.Transact<v1::Program>("program.add_item", [&](common::db::Session& session)
                                                                             -> absl::StatusOr<v1::Program> {
          GR_ASSIGN_OR_RETURN(store::StoredProgram stored, LockProgram(ctx_, session, call, id, request->etag()));
          GR_ASSIGN_OR_RETURN(absl::CivilDay adopted_on, api::ParseDate(stored.program.adopted_on(), "adopted_on"));
          GR_ASSIGN_OR_RETURN(std::optional<orgtree::ProjectedOrganization> owner,
                              ctx_.organizations.Find(session, stored.org_id));
          if (!owner) return absl::NotFoundError(absl::StrCat(stored.program.organization(), " does not exist"));
          GR_ASSIGN_OR_RETURN(v1::ProgramItem item,
                              NormalizeItem(ctx_, session, request->item(), *owner, adopted_on, "item"));
          GR_ASSIGN_OR_RETURN(int64_t item_id, ctx_.programs.AddItem(session, id, item));
          GR_RETURN_IF_ERROR(ctx_.programs.BumpVersion(session, id));
          return Reread(ctx_, session, call, id, "item_added", {{"program_id", id}, {"item_id", item_id}});
        }));
    return absl::OkStatus();
  });
}

grpc::Status ProgramServiceImpl::UpdateProgramItem(grpc::ServerContext* context,
                                                   const v1::UpdateProgramItemRequest* request, v1::Program* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(auto ids, ParseChildName(request->name(), "programs", "items", "name"));
    const int64_t program_id = ids.first;
    const int64_t item_id = ids.second;
    if (request->case_().empty() == request->drop_reason().empty()) {
      return common::InvalidField("case", "set exactly one of case (the case carrying the item out) and drop_reason");
    }
    std::optional<int64_t> case_id;
    if (!request->case_().empty()) {
      GR_ASSIGN_OR_RETURN(case_id, ParseName(request->case_(), "cases", "case"));
    }
    GR_ASSIGN_OR_RETURN(std::string drop_reason,
                        api::NormalizeText(request->drop_reason(), "drop_reason", false, kMaxReasonChars));
    GR_ASSIGN_OR_RETURN(
        *response, ctx_.pool.Transact<v1::Program>("program.update_item", [&](common::db::Session& session)
                                                                                -> absl::StatusOr<v1::Program> {
          GR_ASSIGN_OR_RETURN(store::StoredProgram stored,
                              LockProgram(ctx_, session, call, program_id, request->etag()));
          auto item = std::find_if(stored.program.mutable_items()->begin(), stored.program.mutable_items()->end(),
                                   [&](const v1::ProgramItem& i) { return i.name() == request->name(); });
          if (item == stored.program.mutable_items()->end()) {
            return absl::NotFoundError(absl::StrCat(request->name(), " does not exist"));
          }
          if (item->status() != v1::PROGRAM_ITEM_STATUS_PLANNED) {
            return common::Reasoned(absl::StatusCode::kFailedPrecondition, "PROGRAM_ITEM_SETTLED",
                                    absl::StrCat(request->name(), " is already ",
                                                 v1::ProgramItemStatus_Name(item->status()),
                                                 "; only a PLANNED item is linked to a case or dropped"));
          }
          if (case_id) {
            GR_ASSIGN_OR_RETURN(std::optional<store::StoredCase> linked, ctx_.cases.Get(session, *case_id, true));
            if (!linked) return absl::NotFoundError(absl::StrCat(request->case_(), " does not exist"));
            if (linked->org_id != stored.org_id) {
              return common::Reasoned(absl::StatusCode::kFailedPrecondition, "CASE_OF_ANOTHER_ORGANIZATION",
                                      absl::StrCat(request->case_(), " is conducted by ", linked->record.organization(),
                                                   ", not by the program's ", stored.program.organization()));
            }
            if (linked->program_item_id && *linked->program_item_id != item_id) {
              return common::Reasoned(absl::StatusCode::kFailedPrecondition, "CASE_CARRIES_ANOTHER_ITEM",
                                      absl::StrCat(request->case_(), " already carries ",
                                                   linked->record.program_item()));
            }
            GR_RETURN_IF_ERROR(ctx_.cases.SetProgramItem(session, *case_id, item_id));
            item->set_status(v1::PROGRAM_ITEM_STATUS_IN_CASE);
            item->set_case_(store::NameOfId("cases", *case_id));
          } else {
            item->set_status(v1::PROGRAM_ITEM_STATUS_DROPPED);
            item->set_drop_reason(drop_reason);
          }
          GR_RETURN_IF_ERROR(ctx_.programs.UpdateItem(session, item_id, *item));
          GR_RETURN_IF_ERROR(ctx_.programs.BumpVersion(session, program_id));
          return Reread(ctx_, session, call, program_id, case_id ? "item_in_case" : "item_dropped",
                        {{"program_id", program_id}, {"item_id", item_id}});
        }));
    return absl::OkStatus();
  });
}

grpc::Status ProgramServiceImpl::ListOrganizationsWithoutProgram(
    grpc::ServerContext* context, const v1::ListOrganizationsWithoutProgramRequest* request,
    v1::ListOrganizationsWithoutProgramResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseName(request->organization(), "organizations", "organization"));
    GR_RETURN_IF_ERROR(ValidateYear(request->year(), "year"));
    const absl::CivilDay year_end(request->year(), 12, 31);
    GR_ASSIGN_OR_RETURN(absl::CivilDay as_of,
                        api::ParseDateOr(request->as_of_date(), "as_of_date", std::min(year_end, api::Today())));
    GR_ASSIGN_OR_RETURN(PageRequest page,
                        DecodePage(ctx_, request->page_size(), request->page_token(),
                                   api::Fingerprint({"without_program", request->organization(),
                                                     std::to_string(request->year()), api::FormatDate(as_of)})));
    GR_RETURN_IF_ERROR(RequireInScope(ctx_, call, org_id));
    struct Result {
      std::vector<int64_t> without;  // ids after the page cursor, in id order
      int32_t required = 0;
      int32_t with_program = 0;
    };
    GR_ASSIGN_OR_RETURN(
        Result result,
        ctx_.pool.Read<Result>("program.without", [&](common::db::Session& session) -> absl::StatusOr<Result> {
          GR_ASSIGN_OR_RETURN(std::vector<orgtree::ProjectedOrganization> subtree,
                              ctx_.organizations.SubtreeOrganizations(session, org_id));
          // The organizations that must have a program (S12): đảng bộ cơ sở, chi bộ cơ sở and
          // chi bộ trực thuộc, active on the date.
          std::vector<int64_t> required;
          for (const orgtree::ProjectedOrganization& org : subtree) {
            if (!(org.is_cell || org.is_grassroots)) continue;
            if (org.established_on > as_of || (org.ended_on && *org.ended_on <= as_of)) continue;
            required.push_back(org.id);
          }
          GR_ASSIGN_OR_RETURN(std::set<int64_t> with,
                              ctx_.programs.OrganizationsWithProgram(session, required, request->year(),
                                                                     api::FormatDate(as_of)));
          Result out;
          out.required = static_cast<int32_t>(required.size());
          out.with_program = static_cast<int32_t>(with.size());
          for (int64_t id : required) {
            if (with.count(id) == 0 && id > page.after_id) out.without.push_back(id);
          }
          return out;
        }));
    const size_t shown = std::min(result.without.size(), static_cast<size_t>(page.size));
    for (size_t i = 0; i < shown; ++i) response->add_organizations(store::NameOfId("organizations", result.without[i]));
    response->set_required_count(result.required);
    response->set_with_program_count(result.with_program);
    if (result.without.size() > shown) {
      response->set_next_page_token(NextPageToken(ctx_, page, shown, result.without[shown - 1]));
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::inspection
