// PlanService (proto/grassroots/reporting/v1/plans.proto): validate, authorize,
// apply the rules of domain/plan_tracking.h, store through store/plan_store.h.
#include "services/reporting/handlers/plan_handlers.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/reporting/domain/plan.h"
#include "services/reporting/handlers/closed_reports.h"
#include "services/reporting/handlers/plan_lookup.h"
#include "services/reporting/store/closed_report_store.h"
#include "services/reporting/store/plan_store.h"

namespace grassroots::reporting {
namespace {

namespace v1 = grassroots::reporting::v1;
namespace api = common::api;
using common::auth::Principal;
using store::PlanStore;
using store::StoredTaskStatus;

constexpr int kFirstYear = 1930;
constexpr size_t kMaxPlanBytes = 4 << 20;
constexpr size_t kMaxEvidence = 50;

std::string PlanName(const std::string& plan_id) { return absl::StrCat("plans/", plan_id); }
std::string TaskName(const std::string& plan_id, const std::string& task_id) {
  return absl::StrCat("plans/", plan_id, "/tasks/", task_id);
}
std::string RecordTime(absl::Time time) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone()); }

void FillPlan(const KnownPlan& known, v1::Plan* out) {
  const domain::Plan& plan = *known.plan;
  out->set_name(PlanName(plan.id));
  out->set_title(plan.title);
  out->set_document_number(plan.document_number.value_or(""));
  out->set_issuing_body(plan.issuing_as_written);
  out->set_issuing_level(plan.issuing_level);
  out->set_applies_to_level(plan.applies_to_level);
  if (plan.period_from) out->set_period_from(api::FormatDate(*plan.period_from));
  if (plan.period_to) out->set_period_to(api::FormatDate(*plan.period_to));
  out->set_term_from_year(plan.term_from_year.value_or(0));
  out->set_term_to_year(plan.term_to_year.value_or(0));
  if (!known.built_in) out->set_organization(api::MakeName("organizations", known.org_id));
  out->set_built_in(known.built_in);
  for (const auto& [indicator, target] : plan.targets) out->add_target_indicators(domain::IndicatorId(indicator));
  out->set_task_count(static_cast<int32_t>(plan.tasks.size()));
  out->set_loaded_by(known.loaded_by);
}

void FillUnits(const std::vector<domain::PlanUnit>& units, google::protobuf::RepeatedPtrField<v1::PlanUnit>* out) {
  for (const domain::PlanUnit& unit : units) {
    v1::PlanUnit* entry = out->Add();
    entry->set_as_written(unit.as_written);
    entry->set_role(unit.role);
  }
}

void FillTask(const std::string& plan_id, const domain::PlanTask& task, v1::PlanTask* out) {
  out->set_name(TaskName(plan_id, task.id));
  out->set_id(task.id);
  out->set_paragraph(task.paragraph);
  out->set_text(task.text);
  FillUnits(task.responsible, out->mutable_responsible());
  FillUnits(task.coordinating, out->mutable_coordinating());
  v1::TaskDeadline* deadline = out->mutable_deadline();
  deadline->set_kind(task.deadline.kind);
  deadline->set_as_written(task.deadline.as_written);
  if (task.deadline.date) deadline->set_date(api::FormatDate(*task.deadline.date));
  deadline->set_precision(task.deadline.precision);
  for (domain::Indicator indicator : task.target_ids) out->add_target_ids(domain::IndicatorId(indicator));
}

const domain::PlanTask* FindTask(const domain::Plan& plan, const std::string& task_id) {
  for (const domain::PlanTask& task : plan.tasks)
    if (task.id == task_id) return &task;
  return nullptr;
}

// A stored plan is read by its committee's subtree and by the committees above
// (they follow up on it); a built-in plan by everyone.
absl::Status RequirePlanVisible(HandlerContext& ctx, const Principal& principal, const KnownPlan& plan) {
  if (plan.built_in) return absl::OkStatus();
  if (ctx.authorizer.RequireInScope(principal, plan.org_id, ctx.organizations).ok()) return absl::OkStatus();
  if (principal.scope_org_id > 0) {
    GR_ASSIGN_OR_RETURN(const bool above, ctx.organizations.IsWithinSubtree(plan.org_id, principal.scope_org_id));
    if (above) return absl::OkStatus();
  }
  return common::Reasoned(absl::StatusCode::kPermissionDenied, "OUT_OF_SCOPE",
                          "the plan's organization is outside the caller's organization scope");
}

// A stored plan applies to the subtree of the committee that adopted it.
absl::Status RequirePlanAppliesTo(HandlerContext& ctx, const KnownPlan& plan, int64_t org_id) {
  if (plan.built_in) return absl::OkStatus();
  GR_ASSIGN_OR_RETURN(const bool within, ctx.organizations.IsWithinSubtree(plan.org_id, org_id));
  if (within) return absl::OkStatus();
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "PLAN_NOT_ADOPTED_ABOVE",
                          absl::StrCat(PlanName(plan.plan->id), " was adopted by organizations/", plan.org_id,
                                       ", which is not organizations/", org_id, " nor above it"));
}

// The plan a request names, visible to the caller.
absl::StatusOr<KnownPlan> VisiblePlan(HandlerContext& ctx, const Principal& principal, const std::string& name,
                                      std::string_view field) {
  GR_ASSIGN_OR_RETURN(const std::string plan_id, ParsePlanName(name, field));
  GR_ASSIGN_OR_RETURN(const KnownPlan plan, ResolvePlan(ctx, plan_id, field));
  GR_RETURN_IF_ERROR(RequirePlanVisible(ctx, principal, plan));
  return plan;
}

absl::StatusOr<v1::TaskStatus> DecodeStatus(const StoredTaskStatus& stored) {
  v1::TaskStatus status;
  if (!status.ParseFromString(stored.entry)) {
    return absl::InternalError(absl::StrCat("a stored status entry of task ", stored.task_id, " is unreadable"));
  }
  return status;
}

v1::TaskStatus NotStarted(const std::string& plan_id, const std::string& task_id, int64_t org_id) {
  v1::TaskStatus status;
  status.set_task(TaskName(plan_id, task_id));
  status.set_organization(api::MakeName("organizations", org_id));
  status.set_state(v1::TASK_STATE_NOT_STARTED);
  return status;
}

// Each task's history for one organization, by task id, in version order.
std::map<std::string, std::vector<StoredTaskStatus>> ByTask(std::vector<StoredTaskStatus> statuses) {
  std::map<std::string, std::vector<StoredTaskStatus>> by_task;
  for (StoredTaskStatus& status : statuses) by_task[status.task_id].push_back(std::move(status));
  return by_task;
}

std::vector<domain::TaskStatusEntry> Entries(const std::vector<StoredTaskStatus>& history) {
  std::vector<domain::TaskStatusEntry> entries;
  for (const StoredTaskStatus& stored : history) {
    entries.push_back({stored.version, static_cast<domain::TaskState>(stored.state), stored.as_of});
  }
  return entries;
}

// The task's status on `day` from its history (NOT_STARTED when nothing holds
// then), with the etag of its latest entry.
absl::StatusOr<v1::TaskStatus> StatusOn(const std::string& plan_id, const std::string& task_id, int64_t org_id,
                                        const std::vector<StoredTaskStatus>& history, absl::CivilDay day) {
  v1::TaskStatus status = NotStarted(plan_id, task_id, org_id);
  const std::optional<domain::TaskStatusEntry> on_day = domain::EntryOn(Entries(history), day);
  if (on_day) {
    for (const StoredTaskStatus& stored : history) {
      if (stored.version == on_day->version) {
        GR_ASSIGN_OR_RETURN(status, DecodeStatus(stored));
      }
    }
  }
  if (!history.empty()) status.set_etag(api::MakeEtag(history.back().version));
  return status;
}

// Every task of the plan with its status for the organization on `day`.
absl::StatusOr<std::vector<v1::TaskStatus>> PlanStatusesOn(common::db::Session& session, const domain::Plan& plan,
                                                            int64_t org_id, absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(std::vector<StoredTaskStatus> stored, PlanStore::Statuses(session, plan.id, org_id, std::nullopt));
  const std::map<std::string, std::vector<StoredTaskStatus>> by_task = ByTask(std::move(stored));
  static const std::vector<StoredTaskStatus> kNone;
  std::vector<v1::TaskStatus> statuses;
  for (const domain::PlanTask& task : plan.tasks) {
    auto history = by_task.find(task.id);
    GR_ASSIGN_OR_RETURN(v1::TaskStatus status,
                        StatusOn(plan.id, task.id, org_id, history == by_task.end() ? kNone : history->second, day));
    statuses.push_back(std::move(status));
  }
  return statuses;
}

// The JSON path ParsePlan names ("tasks[2].deadline.date: must ...") as the field "plan_json.tasks[2].deadline.date".
absl::Status InvalidPlan(const absl::Status& parsed) {
  const std::string message(parsed.message());
  const size_t colon = message.find(": ");
  if (colon == std::string::npos) return common::InvalidField("plan_json", message);
  const std::string path = message.substr(0, colon);
  const std::string field = path == "plan" ? "plan_json" : absl::StrCat("plan_json.", path);
  return common::InvalidField(field, message.substr(colon + 2));
}

absl::StatusOr<std::vector<v1::Evidence>> ValidEvidence(const google::protobuf::RepeatedPtrField<v1::Evidence>& list) {
  if (list.size() > static_cast<int>(kMaxEvidence)) {
    return common::InvalidField("evidence", absl::StrCat("at most ", kMaxEvidence, " pieces"));
  }
  std::vector<v1::Evidence> evidence;
  for (int i = 0; i < list.size(); ++i) {
    const std::string path = absl::StrCat("evidence[", i, "]");
    const v1::Evidence& in = list.Get(i);
    v1::Evidence out;
    GR_ASSIGN_OR_RETURN(*out.mutable_description(),
                        api::NormalizeText(in.description(), absl::StrCat(path, ".description"), true, 1000));
    GR_ASSIGN_OR_RETURN(*out.mutable_url(), api::NormalizeText(in.url(), absl::StrCat(path, ".url"), false, 2000));
    if (in.has_document()) {
      grassroots::type::v1::Decision* document = out.mutable_document();
      GR_ASSIGN_OR_RETURN(*document->mutable_issuing_body(),
                          api::NormalizeText(in.document().issuing_body(),
                                             absl::StrCat(path, ".document.issuing_body"), false, 500));
      GR_ASSIGN_OR_RETURN(*document->mutable_number(),
                          api::NormalizeText(in.document().number(), absl::StrCat(path, ".document.number"), false, 100));
      if (!in.document().signed_on().empty()) {
        GR_ASSIGN_OR_RETURN(const absl::CivilDay signed_on,
                            api::ParseDate(in.document().signed_on(), absl::StrCat(path, ".document.signed_on")));
        document->set_signed_on(api::FormatDate(signed_on));
      }
    }
    evidence.push_back(std::move(out));
  }
  return evidence;
}

absl::StatusOr<int32_t> ValidYear(int32_t year) {
  const int today = static_cast<int>(api::Today().year());
  if (year < kFirstYear || year > today) {
    return common::InvalidField("year", absl::StrCat("must be a year from ", kFirstYear, " to ", today));
  }
  return year;
}

bool SeesPersons(const Principal& principal) {
  return principal.HasAnyRole(
      {common::auth::Role::kAdmin, common::auth::Role::kInspector, common::auth::Role::kSecretary});
}

}  // namespace

absl::StatusOr<std::map<std::string, domain::TaskState>> TaskStatesOn(common::db::Session& session,
                                                                      const std::string& plan_id, int64_t org_id,
                                                                      absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(std::vector<StoredTaskStatus> stored, PlanStore::Statuses(session, plan_id, org_id, std::nullopt));
  std::map<std::string, domain::TaskState> states;
  for (const auto& [task_id, history] : ByTask(std::move(stored))) {
    const std::optional<domain::TaskStatusEntry> on_day = domain::EntryOn(Entries(history), day);
    if (on_day) states.emplace(task_id, on_day->state);
  }
  return states;
}

PlanServiceImpl::PlanServiceImpl(HandlerContext& ctx)
    : ctx_(ctx), envelope_(v1::PlanService::service_full_name(), ctx.authorizer) {}

grpc::Status PlanServiceImpl::LoadPlan(grpc::ServerContext* context, const v1::LoadPlanRequest* request,
                                       v1::Plan* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t org_id, api::ParseId(request->organization(), "organizations", "organization"));
    if (request->plan_json().empty()) return common::InvalidField("plan_json", "is required");
    if (request->plan_json().size() > kMaxPlanBytes) {
      return common::InvalidField("plan_json", absl::StrCat("must not exceed ", kMaxPlanBytes, " bytes"));
    }
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    absl::StatusOr<domain::Plan> plan = domain::ParsePlan(request->plan_json());
    if (!plan.ok()) return InvalidPlan(plan.status());
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, org_id, ctx_.organizations));
    const std::string taken = absl::StrCat(PlanName(plan->id), " exists already: a new version of a plan is a new id");
    if (ctx_.plans.plans.contains(plan->id)) return absl::AlreadyExistsError(taken);
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::Plan>(
            ctx_.pool, "plan.load", write, envelope_.FullName(__func__), request->request_id(), *request,
            [&](common::db::Session& session) -> absl::StatusOr<v1::Plan> {
              GR_ASSIGN_OR_RETURN(const std::optional<store::StoredPlan> existing,
                                  PlanStore::GetPlan(session, plan->id));
              if (existing) return absl::AlreadyExistsError(taken);
              GR_RETURN_IF_ERROR(PlanStore::InsertPlan(
                  session, store::StoredPlan{plan->id, org_id, request->plan_json(), call.principal.subject}));
              GR_RETURN_IF_ERROR(common::feed::RecordAudit(session, write, "plan.load", PlanName(plan->id),
                                                           {{"organization_id", org_id},
                                                            {"tasks", plan->tasks.size()},
                                                            {"targets", plan->targets.size()}}));
              v1::Plan loaded;
              FillPlan(KnownPlan{&*plan, false, org_id, call.principal.subject}, &loaded);
              return loaded;
            }));
    // Committed (or replayed): later reads find it in the cache or the table.
    if (ctx_.stored_plans != nullptr) ctx_.stored_plans->Remember(*std::move(plan), org_id, call.principal.subject);
    return absl::OkStatus();
  });
}

grpc::Status PlanServiceImpl::GetPlan(grpc::ServerContext* context, const v1::GetPlanRequest* request,
                                      v1::Plan* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const KnownPlan plan, VisiblePlan(ctx_, call.principal, request->name(), "name"));
    FillPlan(plan, response);
    return absl::OkStatus();
  });
}

grpc::Status PlanServiceImpl::ListPlans(grpc::ServerContext* context, const v1::ListPlansRequest* request,
                                        v1::ListPlansResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t org_id, api::ParseId(request->organization(), "organizations", "organization"));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(
        const std::vector<store::StoredPlan> adopted,
        ctx_.pool.Read<std::vector<store::StoredPlan>>("plan.list", [&](common::db::Session& session)
                                                           -> absl::StatusOr<std::vector<store::StoredPlan>> {
          // The organization and its ancestors, root first.
          std::vector<int64_t> line;
          std::optional<int64_t> next = org_id;
          while (next && line.size() < 64) {
            GR_ASSIGN_OR_RETURN(const std::optional<orgtree::ProjectedOrganization> org,
                                ctx_.organizations.Find(session, *next));
            if (!org) break;
            line.insert(line.begin(), org->id);
            next = org->parent_id;
          }
          GR_ASSIGN_OR_RETURN(std::vector<store::StoredPlan> plans, PlanStore::PlansAdoptedBy(session, line));
          std::stable_sort(plans.begin(), plans.end(), [&](const store::StoredPlan& a, const store::StoredPlan& b) {
            return std::find(line.begin(), line.end(), a.org_id) < std::find(line.begin(), line.end(), b.org_id);
          });
          return plans;
        }));
    for (const auto& [id, plan] : ctx_.plans.plans) FillPlan(KnownPlan{&plan, true, 0, ""}, response->add_plans());
    for (const store::StoredPlan& stored : adopted) {
      GR_ASSIGN_OR_RETURN(const KnownPlan plan, ResolvePlan(ctx_, stored.plan_id, "organization"));
      FillPlan(plan, response->add_plans());
    }
    return absl::OkStatus();
  });
}

grpc::Status PlanServiceImpl::ListPlanTasks(grpc::ServerContext* context, const v1::ListPlanTasksRequest* request,
                                            v1::ListPlanTasksResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    std::optional<int64_t> org_id;
    if (!request->organization().empty()) {
      GR_ASSIGN_OR_RETURN(org_id, api::ParseId(request->organization(), "organizations", "organization"));
    }
    const absl::CivilDay today = api::Today();
    GR_ASSIGN_OR_RETURN(const absl::CivilDay day, api::ParseDateOr(request->as_of_date(), "as_of_date", today));
    if (day > today) return common::InvalidField("as_of_date", "must not be after today");
    GR_ASSIGN_OR_RETURN(const KnownPlan plan, VisiblePlan(ctx_, call.principal, request->plan(), "plan"));
    for (const domain::PlanTask& task : plan.plan->tasks) FillTask(plan.plan->id, task, response->add_tasks());
    if (!org_id) return absl::OkStatus();
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, *org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const std::vector<v1::TaskStatus> statuses,
                        ctx_.pool.Read<std::vector<v1::TaskStatus>>("plan.task_statuses", [&](common::db::Session& s) {
                          return PlanStatusesOn(s, *plan.plan, *org_id, day);
                        }));
    for (size_t i = 0; i < statuses.size(); ++i) {
      *response->mutable_tasks(static_cast<int>(i))->mutable_status() = statuses[i];
      if (!SeesPersons(call.principal)) response->mutable_tasks(static_cast<int>(i))->mutable_status()->clear_recorded_by();
    }
    return absl::OkStatus();
  });
}

grpc::Status PlanServiceImpl::UpdateTaskStatus(grpc::ServerContext* context, const v1::UpdateTaskStatusRequest* request,
                                               v1::TaskStatus* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const std::string plan_id, ParsePlanName(request->plan(), "plan"));
    if (request->task().empty()) return common::InvalidField("task", "is required: the task's id in the plan");
    GR_ASSIGN_OR_RETURN(const int64_t org_id, api::ParseId(request->organization(), "organizations", "organization"));
    const std::optional<domain::TaskState> state =
        request->state() == v1::TASK_STATE_UNSPECIFIED || !v1::TaskState_IsValid(request->state())
            ? std::nullopt
            : std::optional<domain::TaskState>(static_cast<domain::TaskState>(request->state()));
    if (!state) return common::InvalidField("state", "is required: NOT_STARTED, IN_PROGRESS, DONE or NOT_APPLICABLE");
    if (request->as_of_date().empty()) return common::InvalidField("as_of_date", "is required");
    GR_ASSIGN_OR_RETURN(const absl::CivilDay as_of, api::ParseDate(request->as_of_date(), "as_of_date"));
    if (as_of > api::Today()) return common::InvalidField("as_of_date", "must not be after today");
    GR_ASSIGN_OR_RETURN(const std::vector<v1::Evidence> evidence, ValidEvidence(request->evidence()));
    GR_ASSIGN_OR_RETURN(const std::string note, api::NormalizeText(request->note(), "note", false, 2000));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_ASSIGN_OR_RETURN(const KnownPlan plan, ResolvePlan(ctx_, plan_id, "plan"));
    if (FindTask(*plan.plan, request->task()) == nullptr) {
      return absl::NotFoundError(absl::StrCat("task: ", PlanName(plan_id), " has no task ", request->task()));
    }
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, org_id, ctx_.organizations));
    GR_RETURN_IF_ERROR(RequirePlanAppliesTo(ctx_, plan, org_id));
    GR_ASSIGN_OR_RETURN(const domain::TaskStatusRules rules, domain::TaskStatusRulesOn(ctx_.rules, as_of));
    const std::string task_name = TaskName(plan_id, request->task());
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::TaskStatus>(
            ctx_.pool, "plan.task_status.update", write, envelope_.FullName(__func__), request->request_id(), *request,
            [&](common::db::Session& session) -> absl::StatusOr<v1::TaskStatus> {
              GR_ASSIGN_OR_RETURN(const std::vector<StoredTaskStatus> history,
                                  PlanStore::Statuses(session, plan_id, org_id, request->task(), /*lock=*/true));
              const int64_t current_version = history.empty() ? 0 : history.back().version;
              GR_RETURN_IF_ERROR(api::CheckEtag(request->etag(), current_version,
                                                absl::StrCat(task_name, " of organizations/", org_id)));
              std::optional<domain::TaskStatusEntry> latest;
              if (!history.empty()) latest = Entries(history).back();
              GR_RETURN_IF_ERROR(domain::CheckTaskStatusUpdate(
                  rules, latest, {*state, as_of, static_cast<int64_t>(evidence.size())}));
              v1::TaskStatus status = NotStarted(plan_id, request->task(), org_id);
              status.set_state(request->state());
              status.set_as_of_date(api::FormatDate(as_of));
              for (const v1::Evidence& piece : evidence) *status.add_evidence() = piece;
              status.set_note(note);
              status.set_version(current_version + 1);
              status.set_recorded_by(call.principal.subject);
              status.set_record_time(RecordTime(absl::Now()));
              StoredTaskStatus stored{request->task(), status.version(), request->state(), as_of,
                                      status.SerializeAsString()};
              GR_RETURN_IF_ERROR(PlanStore::InsertStatus(session, plan_id, org_id, stored, call.principal.subject));
              GR_RETURN_IF_ERROR(common::feed::RecordAudit(
                  session, write, "plan_task_status.update", task_name,
                  {{"organization_id", org_id},
                   {"state", v1::TaskState_Name(request->state())},
                   {"as_of_date", status.as_of_date()},
                   {"version", status.version()},
                   {"evidence", evidence.size()}}));
              status.set_etag(api::MakeEtag(status.version()));
              return status;
            }));
    return absl::OkStatus();
  });
}

grpc::Status PlanServiceImpl::ListTaskStatusHistory(grpc::ServerContext* context,
                                                    const v1::ListTaskStatusHistoryRequest* request,
                                                    v1::ListTaskStatusHistoryResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    if (request->task().empty()) return common::InvalidField("task", "is required: the task's id in the plan");
    GR_ASSIGN_OR_RETURN(const int64_t org_id, api::ParseId(request->organization(), "organizations", "organization"));
    GR_ASSIGN_OR_RETURN(const KnownPlan plan, VisiblePlan(ctx_, call.principal, request->plan(), "plan"));
    if (FindTask(*plan.plan, request->task()) == nullptr) {
      return absl::NotFoundError(absl::StrCat("task: ", PlanName(plan.plan->id), " has no task ", request->task()));
    }
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const std::vector<StoredTaskStatus> history,
                        ctx_.pool.Read<std::vector<StoredTaskStatus>>("plan.task_history", [&](common::db::Session& s) {
                          return PlanStore::Statuses(s, plan.plan->id, org_id, request->task());
                        }));
    for (const StoredTaskStatus& stored : history) {
      GR_ASSIGN_OR_RETURN(v1::TaskStatus status, DecodeStatus(stored));
      status.set_etag(api::MakeEtag(history.back().version));
      if (!SeesPersons(call.principal)) status.clear_recorded_by();
      *response->add_entries() = std::move(status);
    }
    return absl::OkStatus();
  });
}

grpc::Status PlanServiceImpl::SubmitUnitReport(grpc::ServerContext* context, const v1::SubmitUnitReportRequest* request,
                                               v1::UnitReport* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const std::string plan_id, ParsePlanName(request->plan(), "plan"));
    GR_ASSIGN_OR_RETURN(const int64_t org_id, api::ParseId(request->organization(), "organizations", "organization"));
    GR_ASSIGN_OR_RETURN(const int32_t year, ValidYear(request->year()));
    GR_ASSIGN_OR_RETURN(const std::string summary, api::NormalizeText(request->summary(), "summary", true, 20000));
    GR_RETURN_IF_ERROR(api::ValidateRequestId(request->request_id()));
    GR_ASSIGN_OR_RETURN(const KnownPlan plan, ResolvePlan(ctx_, plan_id, "plan"));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, org_id, ctx_.organizations));
    GR_RETURN_IF_ERROR(RequirePlanAppliesTo(ctx_, plan, org_id));
    const common::feed::WriteContext write = common::feed::WriteContextOf(call);
    GR_ASSIGN_OR_RETURN(
        *response,
        common::feed::RunIdempotentTyped<v1::UnitReport>(
            ctx_.pool, "plan.unit_report.submit", write, envelope_.FullName(__func__), request->request_id(), *request,
            [&](common::db::Session& session) -> absl::StatusOr<v1::UnitReport> {
              GR_ASSIGN_OR_RETURN(const std::optional<int64_t> existing,
                                  PlanStore::FindUnitReport(session, plan_id, org_id, year));
              if (existing) {
                return absl::AlreadyExistsError(absl::StrCat("organizations/", org_id, " has reported on ",
                                                             PlanName(plan_id), " for ", year, " already: ",
                                                             PlanName(plan_id), "/unitReports/", *existing));
              }
              v1::UnitReport report;
              report.set_plan(PlanName(plan_id));
              report.set_organization(api::MakeName("organizations", org_id));
              report.set_year(year);
              report.set_summary(summary);
              // The statuses as they stand when the unit reports.
              GR_ASSIGN_OR_RETURN(const std::vector<v1::TaskStatus> statuses,
                                  PlanStatusesOn(session, *plan.plan, org_id, api::Today()));
              for (const v1::TaskStatus& status : statuses) *report.add_task_statuses() = status;
              GR_ASSIGN_OR_RETURN(const std::optional<int64_t> closed,
                                  store::ClosedReportStore::Find(session, org_id, year, v1::REPORT_KIND_YEARLY));
              if (closed) report.set_closed_report(ClosedReportResourceName(org_id, *closed));
              report.set_submitted_by(call.principal.subject);
              report.set_submit_time(RecordTime(absl::Now()));
              GR_ASSIGN_OR_RETURN(const int64_t id,
                                  PlanStore::InsertUnitReport(session, plan_id, org_id, year, closed,
                                                              report.SerializeAsString(), call.principal.subject));
              report.set_name(absl::StrCat(PlanName(plan_id), "/unitReports/", id));
              GR_RETURN_IF_ERROR(common::feed::RecordAudit(
                  session, write, "plan_unit_report.submit", report.name(),
                  {{"organization_id", org_id}, {"year", year}, {"closed_report", report.closed_report()}}));
              return report;
            }));
    return absl::OkStatus();
  });
}

grpc::Status PlanServiceImpl::ListUnitReports(grpc::ServerContext* context, const v1::ListUnitReportsRequest* request,
                                              v1::ListUnitReportsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const int64_t root, api::ParseId(request->organization(), "organizations", "organization"));
    GR_ASSIGN_OR_RETURN(const int32_t year, ValidYear(request->year()));
    GR_ASSIGN_OR_RETURN(const KnownPlan plan, VisiblePlan(ctx_, call.principal, request->plan(), "plan"));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, root, ctx_.organizations));
    const absl::CivilDay first(year, 1, 1);
    const absl::CivilDay last(year, 12, 31);
    struct Listed {
      std::vector<orgtree::ProjectedOrganization> units;
      std::vector<store::StoredUnitReport> reports;
    };
    GR_ASSIGN_OR_RETURN(
        const Listed listed,
        ctx_.pool.Read<Listed>("plan.unit_reports", [&](common::db::Session& session) -> absl::StatusOr<Listed> {
          Listed out;
          GR_ASSIGN_OR_RETURN(std::vector<orgtree::ProjectedOrganization> subtree,
                              ctx_.organizations.SubtreeOrganizations(session, root));
          std::vector<int64_t> ids;
          // The units under the committee that existed in the year.
          for (orgtree::ProjectedOrganization& org : subtree) {
            if (org.id == root || org.established_on > last || (org.ended_on && *org.ended_on <= first)) continue;
            ids.push_back(org.id);
            out.units.push_back(std::move(org));
          }
          GR_ASSIGN_OR_RETURN(out.reports, PlanStore::UnitReports(session, plan.plan->id, ids, year));
          return out;
        }));
    std::map<int64_t, const store::StoredUnitReport*> by_org;
    for (const store::StoredUnitReport& report : listed.reports) by_org.emplace(report.org_id, &report);
    std::vector<const orgtree::ProjectedOrganization*> units;
    for (const orgtree::ProjectedOrganization& unit : listed.units) units.push_back(&unit);
    std::sort(units.begin(), units.end(), [](auto* a, auto* b) { return a->id < b->id; });
    for (const orgtree::ProjectedOrganization* unit : units) {
      v1::ListUnitReportsResponse::Row* row = response->add_rows();
      row->set_organization(api::MakeName("organizations", unit->id));
      row->set_organization_display_name(unit->display_name);
      auto report = by_org.find(unit->id);
      row->set_reported(report != by_org.end());
      if (report == by_org.end()) {
        response->set_missing_count(response->missing_count() + 1);
        continue;
      }
      response->set_reported_count(response->reported_count() + 1);
      if (!row->mutable_report()->ParseFromString(report->second->report)) {
        return absl::InternalError(absl::StrCat("the stored unit report ", report->second->id, " is unreadable"));
      }
      row->mutable_report()->set_name(absl::StrCat(PlanName(plan.plan->id), "/unitReports/", report->second->id));
    }
    return absl::OkStatus();
  });
}

grpc::Status PlanServiceImpl::ListReviews(grpc::ServerContext* context, const v1::ListReviewsRequest* request,
                                          v1::ListReviewsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    int64_t root = call.principal.scope_org_id;
    if (!request->organization().empty()) {
      GR_ASSIGN_OR_RETURN(root, api::ParseId(request->organization(), "organizations", "organization"));
    }
    GR_ASSIGN_OR_RETURN(const KnownPlan plan, VisiblePlan(ctx_, call.principal, request->plan(), "plan"));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, root, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(
        const std::vector<store::StoredReport> reviews,
        ctx_.pool.Read<std::vector<store::StoredReport>>(
            "plan.reviews", [&](common::db::Session& session) -> absl::StatusOr<std::vector<store::StoredReport>> {
              GR_ASSIGN_OR_RETURN(const std::vector<int64_t> ids, ctx_.organizations.SubtreeIds(session, root));
              GR_ASSIGN_OR_RETURN(const auto found,
                                  PlanStore::ClosedReportsOfPlan(
                                      session, plan.plan->id, {v1::REPORT_KIND_MID_TERM_REVIEW, v1::REPORT_KIND_FINAL_REVIEW},
                                      ids));
              std::vector<store::StoredReport> reports;
              for (const auto& [org_id, report_id] : found) {
                GR_ASSIGN_OR_RETURN(std::optional<store::StoredReport> report,
                                    store::ClosedReportStore::Get(session, org_id, report_id));
                if (report) reports.push_back(*std::move(report));
              }
              return reports;
            }));
    for (const store::StoredReport& review : reviews) {
      GR_ASSIGN_OR_RETURN(*response->add_reviews(), ClosedReportToProto(review, /*with_indicators=*/true));
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::reporting
