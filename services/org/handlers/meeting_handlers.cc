#include "services/org/handlers/meeting_handlers.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/org/domain/meeting_rules.h"
#include "services/org/handlers/activity_support.h"
#include "services/org/handlers/organization_handlers.h"  // Respond, RequireOrgInScopeLocked

namespace grassroots::org {
namespace {

namespace api = common::api;

constexpr char kResourceType[] = "meeting";

constexpr size_t kMaxTopicChars = 1000;
constexpr size_t kMaxReasonChars = 64;
// Meeting times outside 1900-01-01 .. 9999-12-31 UTC are typing errors.
constexpr int64_t kEarliestSeconds = -2208988800;
constexpr int64_t kLatestSeconds = 253402300799;

std::string MeetingName(int64_t organization_id, int64_t id) {
  return absl::StrCat(OrgName(organization_id), "/meetings/", id);
}

// "organizations/{organization}/meetings/{meeting}".
absl::StatusOr<std::pair<int64_t, int64_t>> ParseMeetingName(const std::string& name, std::string_view field) {
  const size_t split = name.find("/meetings/");
  if (split == std::string::npos) {
    return common::InvalidField(field, "must look like organizations/{organization}/meetings/{meeting}");
  }
  GR_ASSIGN_OR_RETURN(int64_t org_id, api::ParseId(name.substr(0, split), "organizations", field));
  GR_ASSIGN_OR_RETURN(int64_t id, api::ParseId(name.substr(split + 1), "meetings", field));
  return std::make_pair(org_id, id);
}

absl::StatusOr<absl::Time> TimeFromProto(const google::protobuf::Timestamp& ts, const std::string& field) {
  if (ts.seconds() < kEarliestSeconds || ts.seconds() > kLatestSeconds || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return common::InvalidField(field, "is not a valid time between the years 1900 and 9999");
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void TimeToProto(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

v1::FindingSeverity SeverityToProto(domain::FindingSeverity severity) {
  switch (severity) {
    case domain::FindingSeverity::kInfo:
      return v1::FINDING_SEVERITY_INFO;
    case domain::FindingSeverity::kWarning:
      return v1::FINDING_SEVERITY_WARNING;
    case domain::FindingSeverity::kViolation:
      return v1::FINDING_SEVERITY_VIOLATION;
  }
  return v1::FINDING_SEVERITY_UNSPECIFIED;
}

void MeetingToProto(const domain::Meeting& m, const common::RulesRegistry& rules, v1::Meeting* proto) {
  proto->Clear();
  proto->set_name(MeetingName(m.organization_id, m.id));
  proto->set_organization(OrgName(m.organization_id));
  proto->set_kind(static_cast<v1::MeetingKind>(m.kind));
  proto->set_mode(static_cast<v1::MeetingMode>(m.mode));
  proto->set_online_reason(m.online_reason);
  if (m.party_group_id) proto->set_party_group(OrgName(*m.party_group_id));
  proto->set_topic(m.topic);
  TimeToProto(m.planned_start, proto->mutable_planned_start());
  TimeToProto(m.planned_end, proto->mutable_planned_end());
  if (m.actual_start) TimeToProto(*m.actual_start, proto->mutable_actual_start());
  if (m.actual_end) TimeToProto(*m.actual_end, proto->mutable_actual_end());
  proto->set_invited_count(m.invited_count);
  proto->set_present_count(m.present_count);
  proto->set_excused_count(m.excused_count);
  for (int64_t member_id : m.attendee_member_ids) proto->add_attendees(api::MakeName("members", member_id));
  // Findings are computed on read: the rules are data and may gain versions later.
  const domain::MeetingAssessment assessment = domain::AssessMeeting(m, rules);
  proto->set_meets_minimum_duration(assessment.meets_minimum_duration);
  for (const domain::RuleFinding& f : assessment.findings) {
    v1::RuleFinding* out = proto->add_findings();
    out->set_code(f.code);
    out->set_severity(SeverityToProto(f.severity));
    out->set_message(f.message);
    out->set_rule_id(f.rule_id);
    out->set_citation(f.citation);
  }
  proto->set_etag(api::MakeEtag(m.version));
}

// The editable fields, each parsed only when `wants(path)` says so.
template <typename Wants>
absl::Status ApplyFields(const v1::Meeting& in, const Wants& wants, domain::Meeting& m) {
  if (wants("mode")) {
    if (!domain::IsKnownMeetingMode(in.mode())) {
      return common::InvalidField("meeting.mode", "must be IN_PERSON, ONLINE or HYBRID");
    }
    m.mode = static_cast<domain::MeetingMode>(in.mode());
  }
  if (wants("online_reason")) {
    GR_ASSIGN_OR_RETURN(m.online_reason,
                        api::NormalizeText(in.online_reason(), "meeting.online_reason", false, kMaxReasonChars));
  }
  if (wants("topic")) {
    GR_ASSIGN_OR_RETURN(m.topic, api::NormalizeText(in.topic(), "meeting.topic", false, kMaxTopicChars));
  }
  if (wants("planned_start")) {
    if (!in.has_planned_start()) return common::InvalidField("meeting.planned_start", "is required");
    GR_ASSIGN_OR_RETURN(m.planned_start, TimeFromProto(in.planned_start(), "meeting.planned_start"));
  }
  if (wants("planned_end")) {
    if (!in.has_planned_end()) return common::InvalidField("meeting.planned_end", "is required");
    GR_ASSIGN_OR_RETURN(m.planned_end, TimeFromProto(in.planned_end(), "meeting.planned_end"));
  }
  if (wants("actual_start")) {
    m.actual_start.reset();
    if (in.has_actual_start()) {
      GR_ASSIGN_OR_RETURN(m.actual_start, TimeFromProto(in.actual_start(), "meeting.actual_start"));
    }
  }
  if (wants("actual_end")) {
    m.actual_end.reset();
    if (in.has_actual_end()) {
      GR_ASSIGN_OR_RETURN(m.actual_end, TimeFromProto(in.actual_end(), "meeting.actual_end"));
    }
  }
  if (wants("invited_count")) m.invited_count = in.invited_count();
  if (wants("present_count")) m.present_count = in.present_count();
  if (wants("excused_count")) m.excused_count = in.excused_count();
  if (wants("attendees")) {
    std::set<int64_t> ids;
    for (const std::string& member : in.attendees()) {
      GR_ASSIGN_OR_RETURN(int64_t id, api::ParseId(member, "members", "meeting.attendees"));
      if (!ids.insert(id).second) return common::InvalidField("meeting.attendees", "lists " + member + " twice");
    }
    m.attendee_member_ids.assign(ids.begin(), ids.end());
  }
  return absl::OkStatus();
}

// The stored meeting as the API shows it, with its feed and audit entries recorded
// in the caller's transaction.
absl::StatusOr<v1::Meeting> RecordMeetingChange(common::db::Session& session, const common::auth::CallContext& call,
                                                const common::RulesRegistry& rules, const domain::Meeting& m,
                                                std::string_view action) {
  v1::Meeting proto;
  MeetingToProto(m, rules, &proto);
  common::feed::ChangeRecord change;
  change.resource_type = kResourceType;
  change.resource_name = proto.name();
  change.action = std::string(action);
  change.resource = &proto;
  change.audit_details = {{"organization_id", m.organization_id},
                          {"kind", static_cast<int>(m.kind)},
                          {"mode", static_cast<int>(m.mode)},
                          {"meeting_date", api::FormatDate(domain::MeetingDate(m))}};
  GR_RETURN_IF_ERROR(common::feed::RecordChange(session, common::feed::WriteContextOf(call), change));
  return proto;
}

// Checks that need the tree: the organization is active on the meeting date, and a
// party-group meeting's group is a tổ đảng of that cell.
absl::Status CheckAgainstTree(HandlerContext& ctx, common::db::Session& session, const domain::Meeting& m) {
  const absl::CivilDay day = domain::MeetingDate(m);
  GR_RETURN_IF_ERROR(activity::ActiveOrganization(ctx, session, m.organization_id, day).status());
  std::optional<domain::Organization> group;
  if (m.party_group_id) {
    absl::StatusOr<domain::Organization> found = ctx.organizations.Get(session, *m.party_group_id, day);
    if (absl::IsNotFound(found.status())) {
      return common::InvalidField("meeting.party_group", "no such organization on " + api::FormatDate(day));
    }
    if (!found.ok()) return found.status();
    group = *std::move(found);
  }
  return domain::ValidatePartyGroup(m, group);
}

absl::Status CreateMeetingImpl(HandlerContext& ctx, store::MeetingStore& store, const common::auth::CallContext& call,
                               std::string_view method, const v1::CreateMeetingRequest& request,
                               v1::Meeting& response) {
  if (request.parent().empty()) return common::InvalidField("parent", "is required");
  GR_ASSIGN_OR_RETURN(int64_t org_id, api::ParseId(request.parent(), "organizations", "parent"));
  const v1::Meeting& in = request.meeting();
  if (!in.organization().empty() && in.organization() != request.parent()) {
    return common::InvalidField("meeting.organization", "must be empty or equal to parent");
  }
  domain::Meeting m;
  m.organization_id = org_id;
  if (!domain::IsKnownMeetingKind(in.kind())) {
    return common::InvalidField("meeting.kind", "must be a known meeting kind");
  }
  m.kind = static_cast<domain::MeetingKind>(in.kind());
  if (!in.party_group().empty()) {
    GR_ASSIGN_OR_RETURN(m.party_group_id, api::ParseId(in.party_group(), "organizations", "meeting.party_group"));
  }
  GR_RETURN_IF_ERROR(ApplyFields(in, [](std::string_view) { return true; }, m));
  GR_RETURN_IF_ERROR(domain::ValidateMeeting(m, ctx.rules));
  if (m.kind == domain::MeetingKind::kPartyGroup && !m.party_group_id) {
    return common::InvalidField("meeting.party_group", "is required for a party group meeting");
  }
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));

  GR_RETURN_IF_ERROR(ctx.organizations.Get(org_id, domain::MeetingDate(m)).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations));

  GR_ASSIGN_OR_RETURN(response, common::feed::RunIdempotentTyped<v1::Meeting>(
                                    ctx.pool, "meeting.create", common::feed::WriteContextOf(call), method,
                                    request.request_id(), request,
                                    [&](common::db::Session& session) -> absl::StatusOr<v1::Meeting> {
                                      GR_RETURN_IF_ERROR(RequireOrgInScopeLocked(ctx, session, call.principal, org_id));
                                      GR_RETURN_IF_ERROR(CheckAgainstTree(ctx, session, m));
                                      GR_ASSIGN_OR_RETURN(domain::Meeting stored, store.Insert(session, m));
                                      return RecordMeetingChange(session, call, ctx.rules, stored, "created");
                                    }));
  return absl::OkStatus();
}

absl::Status GetMeetingImpl(HandlerContext& ctx, store::MeetingStore& store, const common::auth::CallContext& call,
                            const v1::GetMeetingRequest& request, v1::Meeting& response) {
  GR_ASSIGN_OR_RETURN(auto ids, ParseMeetingName(request.name(), "name"));
  GR_ASSIGN_OR_RETURN(domain::Meeting m, ctx.pool.Read<domain::Meeting>("meeting.get", [&](common::db::Session& s) {
    return store.Get(s, ids.first, ids.second);
  }));
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, m.organization_id, ctx.organizations));
  MeetingToProto(m, ctx.rules, &response);
  return absl::OkStatus();
}

absl::Status UpdateMeetingImpl(HandlerContext& ctx, store::MeetingStore& store, const common::auth::CallContext& call,
                               const v1::UpdateMeetingRequest& request, v1::Meeting& response) {
  const v1::Meeting& in = request.meeting();
  GR_ASSIGN_OR_RETURN(auto ids, ParseMeetingName(in.name(), "meeting.name"));
  static const std::set<std::string> kAllowed = {"topic",         "planned_start", "planned_end",   "actual_start",
                                                 "actual_end",    "invited_count", "present_count", "excused_count",
                                                 "attendees",     "mode",          "online_reason"};
  GR_RETURN_IF_ERROR(api::ValidateUpdateMask(request.update_mask(), kAllowed));
  // An empty mask means every allowed field the request sets.
  const bool all_set = request.update_mask().paths().empty();
  auto wants = [&](std::string_view path) {
    if (!all_set) return api::MaskContains(request.update_mask(), path);
    if (path == "topic") return !in.topic().empty();
    if (path == "planned_start") return in.has_planned_start();
    if (path == "planned_end") return in.has_planned_end();
    if (path == "actual_start") return in.has_actual_start();
    if (path == "actual_end") return in.has_actual_end();
    if (path == "invited_count") return in.invited_count() != 0;
    if (path == "present_count") return in.present_count() != 0;
    if (path == "excused_count") return in.excused_count() != 0;
    if (path == "attendees") return in.attendees_size() > 0;
    if (path == "mode") return in.mode() != v1::MEETING_MODE_UNSPECIFIED;
    if (path == "online_reason") return !in.online_reason().empty();
    return false;
  };
  // Parse the request once before touching the database, so bad input reads INVALID_ARGUMENT.
  domain::Meeting probe;
  GR_RETURN_IF_ERROR(ApplyFields(in, wants, probe));

  GR_ASSIGN_OR_RETURN(domain::Meeting current,
                      ctx.pool.Read<domain::Meeting>("meeting.get", [&](common::db::Session& s) {
                        return store.Get(s, ids.first, ids.second);
                      }));
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, current.organization_id, ctx.organizations));

  GR_ASSIGN_OR_RETURN(response,
                      ctx.pool.Transact<v1::Meeting>(
                          "meeting.update", [&](common::db::Session& session) -> absl::StatusOr<v1::Meeting> {
                            GR_ASSIGN_OR_RETURN(domain::Meeting m,
                                                store.Get(session, ids.first, ids.second, /*for_update=*/true));
                            GR_RETURN_IF_ERROR(
                                RequireOrgInScopeLocked(ctx, session, call.principal, m.organization_id));
                            GR_RETURN_IF_ERROR(
                                api::CheckEtag(in.etag(), m.version, MeetingName(ids.first, ids.second)));
                            GR_RETURN_IF_ERROR(ApplyFields(in, wants, m));
                            GR_RETURN_IF_ERROR(domain::ValidateMeeting(m, ctx.rules));
                            GR_RETURN_IF_ERROR(CheckAgainstTree(ctx, session, m));
                            GR_ASSIGN_OR_RETURN(domain::Meeting stored, store.Update(session, m));
                            return RecordMeetingChange(session, call, ctx.rules, stored, "updated");
                          }));
  return absl::OkStatus();
}

absl::Status ListMeetingsImpl(HandlerContext& ctx, store::MeetingStore& store, const common::auth::CallContext& call,
                              const v1::ListMeetingsRequest& request, v1::ListMeetingsResponse& response) {
  if (request.parent().empty()) return common::InvalidField("parent", "is required");
  GR_ASSIGN_OR_RETURN(int64_t org_id, api::ParseId(request.parent(), "organizations", "parent"));
  std::optional<domain::MeetingKind> kind;
  if (request.kind() != v1::MEETING_KIND_UNSPECIFIED) {
    if (!domain::IsKnownMeetingKind(request.kind())) return common::InvalidField("kind", "is not a known kind");
    kind = static_cast<domain::MeetingKind>(request.kind());
  }
  std::optional<absl::CivilDay> from, to;
  if (!request.from_date().empty()) {
    GR_ASSIGN_OR_RETURN(from, api::ParseDate(request.from_date(), "from_date"));
  }
  if (!request.to_date().empty()) {
    GR_ASSIGN_OR_RETURN(to, api::ParseDate(request.to_date(), "to_date"));
  }
  if (from && to && *to < *from) return common::InvalidField("to_date", "must not be before from_date");
  GR_ASSIGN_OR_RETURN(int32_t page_size, api::ClampPageSize(request.page_size(), 100, 1000));
  const uint64_t fingerprint =
      api::Fingerprint({"ListMeetings", request.parent(), request.include_subtree() ? "subtree" : "",
                        absl::StrCat(request.kind()), request.from_date(), request.to_date()});
  GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx.page_tokens.Decode(request.page_token(), fingerprint));
  std::optional<absl::CivilDay> after_date;
  if (cursor) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(cursor->last_key, &day)) return common::InvalidField("page_token", "is not valid");
    after_date = day;
  }

  // The tree as it stands today, or on the last day asked for when that is earlier.
  const absl::CivilDay tree_day = to ? std::min(*to, api::Today()) : api::Today();
  GR_RETURN_IF_ERROR(ctx.organizations.Get(org_id, tree_day).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, org_id, ctx.organizations));

  GR_ASSIGN_OR_RETURN(
      std::vector<domain::Meeting> rows,
      ctx.pool.Read<std::vector<domain::Meeting>>(
          "meeting.list", [&](common::db::Session& session) -> absl::StatusOr<std::vector<domain::Meeting>> {
            store::MeetingStore::ListQuery query;
            GR_ASSIGN_OR_RETURN(query.organization_ids,
                                activity::OrganizationIds(ctx, session, org_id, request.include_subtree(), tree_day));
            query.kind = kind;
            query.from_date = from;
            query.to_date = to;
            query.after_date = after_date;
            query.after_id = cursor ? cursor->last_id : 0;
            query.limit = page_size + 1;
            return store.List(session, query);
          }));
  const bool has_more = rows.size() > static_cast<size_t>(page_size);
  if (has_more) rows.resize(static_cast<size_t>(page_size));
  for (const domain::Meeting& m : rows) MeetingToProto(m, ctx.rules, response.add_meetings());
  if (has_more) {
    api::PageCursor next;
    next.last_key = api::FormatDate(domain::MeetingDate(rows.back()));
    next.last_id = rows.back().id;
    next.query_fingerprint = fingerprint;
    response.set_next_page_token(ctx.page_tokens.Encode(next));
  }
  return absl::OkStatus();
}

absl::Status MissingThematicImpl(HandlerContext& ctx, store::MeetingStore& store, const common::auth::CallContext& call,
                                 const v1::ListCellsMissingThematicMeetingRequest& request,
                                 v1::ListCellsMissingThematicMeetingResponse& response) {
  int64_t root = call.principal.scope_org_id;
  if (!request.subtree_root().empty()) {
    GR_ASSIGN_OR_RETURN(root, api::ParseId(request.subtree_root(), "organizations", "subtree_root"));
  }
  GR_ASSIGN_OR_RETURN(domain::Quarter quarter, domain::MakeQuarter(request.year(), request.quarter()));
  // The tree as it stood on the quarter's last day: a cell dissolved during the quarter
  // is gone by then, and one founded during it is not active through the quarter.
  GR_RETURN_IF_ERROR(ctx.organizations.Get(root, quarter.last_day).status());
  GR_RETURN_IF_ERROR(ctx.authorizer.RequireInScope(call.principal, root, ctx.organizations));
  const int64_t required = domain::ThematicMeetingsRequired(quarter, ctx.rules);

  struct Result {
    std::vector<int64_t> checked;
    std::map<int64_t, int64_t> held;
  };
  GR_ASSIGN_OR_RETURN(
      Result result,
      ctx.pool.Read<Result>("meeting.missing_thematic", [&](common::db::Session& session) -> absl::StatusOr<Result> {
        Result r;
        GR_ASSIGN_OR_RETURN(std::vector<domain::Organization> subtree,
                            ctx.organizations.SubtreeOrganizations(session, root, quarter.last_day));
        for (const domain::Organization& org : subtree) {
          if (org.type.is_cell && domain::ActiveThroughQuarter(org, quarter)) r.checked.push_back(org.id);
        }
        GR_ASSIGN_OR_RETURN(r.held, store.CountThematicMeetings(session, r.checked, quarter.first_day,
                                                                 quarter.last_day));
        return r;
      }));
  response.set_cells_checked(static_cast<int32_t>(result.checked.size()));
  for (int64_t cell : result.checked) {
    auto it = result.held.find(cell);
    const int64_t held = it == result.held.end() ? 0 : it->second;
    if (held < required) response.add_cells(OrgName(cell));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status MeetingServiceImpl::CreateMeeting(grpc::ServerContext* context, const v1::CreateMeetingRequest* request,
                                               v1::Meeting* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return CreateMeetingImpl(ctx_, meetings_, call, method, *request, *response);
  });
}

grpc::Status MeetingServiceImpl::GetMeeting(grpc::ServerContext* context, const v1::GetMeetingRequest* request,
                                            v1::Meeting* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return GetMeetingImpl(ctx_, meetings_, call, *request, *response);
  });
}

grpc::Status MeetingServiceImpl::UpdateMeeting(grpc::ServerContext* context, const v1::UpdateMeetingRequest* request,
                                               v1::Meeting* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return UpdateMeetingImpl(ctx_, meetings_, call, *request, *response);
  });
}

grpc::Status MeetingServiceImpl::ListMeetings(grpc::ServerContext* context, const v1::ListMeetingsRequest* request,
                                              v1::ListMeetingsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return ListMeetingsImpl(ctx_, meetings_, call, *request, *response);
  });
}

grpc::Status MeetingServiceImpl::ListCellsMissingThematicMeeting(
    grpc::ServerContext* context, const v1::ListCellsMissingThematicMeetingRequest* request,
    v1::ListCellsMissingThematicMeetingResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return MissingThematicImpl(ctx_, meetings_, call, *request, *response);
  });
}

}  // namespace grassroots::org
