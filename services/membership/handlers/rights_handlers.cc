#include "services/membership/handlers/rights_handlers.h"

#include <algorithm>
#include <string>
#include <vector>

#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "grassroots/membership/v1/yearly_records.pb.h"
#include "services/membership/handlers/event_conversions.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/profile_update.h"
#include "services/membership/handlers/read_audit.h"

namespace grassroots::membership {
namespace {

using common::auth::Role;
using common::db::Session;
using google::protobuf::util::TimeUtil;

constexpr size_t kMaxReasonChars = 2000;
constexpr int32_t kDefaultPage = 50;
constexpr int32_t kMaxPage = 200;
constexpr int kMaxAuditEntries = 20000;
constexpr int32_t kMaxYearlyRows = 100000;
constexpr char kExportFormat[] = "grassroots.membership.my_data_export.v1";
constexpr char kSensitiveFields[][11] = {"citizen_id", "ethnicity", "religion"};

// The caller's own member id (a member's token), as GetMyRecord requires it.
absl::StatusOr<int64_t> OwnMemberId(const common::auth::CallContext& call) {
  if (!call.principal.member_id) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NO_MEMBER_RECORD",
                            "the caller's token names no member record");
  }
  return *call.principal.member_id;
}

std::string RfcTime(int64_t micros) { return TimeUtil::ToString(TimeUtil::MicrosecondsToTimestamp(micros)); }

v1::CorrectionRequest ToProto(const store::CorrectionRow& row, bool with_sensitive) {
  v1::CorrectionRequest out;
  out.set_name(store::CorrectionRequestName(row.member_id, row.id));
  out.set_member(MemberName(row.member_id));
  for (const std::string& field : row.fields) out.mutable_fields()->add_paths(field);
  *out.mutable_proposed() = row.proposed;
  if (!with_sensitive) {
    v1::Member& proposed = *out.mutable_proposed();
    for (const char* field : kSensitiveFields) {
      if (std::find(row.fields.begin(), row.fields.end(), field) == row.fields.end()) continue;
      proposed.add_redacted_fields(field);
    }
    proposed.clear_citizen_id();
    proposed.clear_ethnicity();
    proposed.clear_religion();
  }
  out.set_reason(row.reason);
  out.set_state(row.state);
  out.set_answer_reason(row.answer_reason);
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row.created_micros);
  if (row.answered_micros) *out.mutable_answer_time() = TimeUtil::MicrosecondsToTimestamp(*row.answered_micros);
  for (const std::string& role : row.answered_by_roles) out.add_answered_by_roles(role);
  return out;
}

// "members/7/correction-requests/3" -> (7, 3).
absl::StatusOr<std::pair<int64_t, int64_t>> ParseCorrectionName(std::string_view name, std::string_view field) {
  constexpr std::string_view kCollection = "/correction-requests/";
  const size_t at = name.find(kCollection);
  int64_t id = 0;
  if (at == std::string_view::npos ||
      !absl::SimpleAtoi(common::ToAbsl(name.substr(at + kCollection.size())), &id) || id <= 0) {
    return common::InvalidField(field, "must be members/{member}/correction-requests/{id}");
  }
  GR_ASSIGN_OR_RETURN(const int64_t member_id, ParseMemberName(name.substr(0, at), field));
  return std::make_pair(member_id, id);
}

// The mask's paths, each updatable, sorted and unique (INVALID_ARGUMENT naming `field`).
absl::StatusOr<std::vector<std::string>> CorrectablePaths(const google::protobuf::FieldMask& mask,
                                                          std::string_view field) {
  if (mask.paths_size() == 0) return common::InvalidField(field, "is required: name the fields to correct");
  std::vector<std::string> paths;
  for (const std::string& path : mask.paths()) {
    if (UpdatableMemberFields().count(path) == 0) {
      return common::InvalidField(field, absl::StrCat("path \"", path, "\" cannot be corrected"));
    }
    paths.push_back(path);
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

nlohmann::json ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;      // snake_case, as in the .proto
  options.always_print_primitive_fields = true;   // every field named, even when empty
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options).ok()) return nlohmann::json::object();
  return nlohmann::json::parse(text);
}

// A read-audit entry as the member sees it: roles and organization, never who.
nlohmann::json AuditEntryJson(const store::ReadAuditRow& row, const std::string& own_subject) {
  nlohmann::json details = nlohmann::json::parse(row.details, nullptr, /*allow_exceptions=*/false);
  if (!details.is_object()) details = nlohmann::json::object();
  nlohmann::json out = {{"occurred_at", RfcTime(row.occurred_micros)},
                        {"action", row.action},
                        {"via", details.value("via", "")},
                        {"actor_roles", details.value("actor_roles", std::vector<std::string>{})},
                        {"actor_organization", details.value("actor_organization", "")},
                        {"self", row.actor == own_subject},
                        {"purpose", row.purpose}};
  return out;
}

}  // namespace

absl::Status ExportMyData(HandlerContext& ctx, const grpc::ServerContext& context,
                          const common::auth::CallContext& call, v1::MyDataExport& response) {
  GR_ASSIGN_OR_RETURN(const int64_t id, OwnMemberId(call));
  GR_ASSIGN_OR_RETURN(const std::string purpose, PurposeOf(context));
  struct Held {
    domain::MemberRecord record;
    std::vector<domain::Event> log;
    std::vector<store::MemberStore::Card> cards;
    std::vector<v1::YearlyRecord> yearly;
    std::vector<store::CorrectionRow> corrections;
    std::vector<store::ReadAuditRow> audit;
    std::vector<store::DisclosureRow> disclosures;
  };
  // Reads of the record are audited in the background: the export shows every one made before it.
  GR_RETURN_IF_ERROR(ctx.read_audit.Flush(std::chrono::seconds(2)));
  GR_ASSIGN_OR_RETURN(
      Held held, ctx.pool.Read<Held>("membership.export_my_data", [&](Session& session) -> absl::StatusOr<Held> {
        Held out;
        GR_ASSIGN_OR_RETURN(out.record, ctx.members.Get(session, id));
        GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, session, call.principal, out.record, Access::kRead));
        GR_ASSIGN_OR_RETURN(out.log, ctx.events.Log(session, id));
        GR_ASSIGN_OR_RETURN(out.cards, ctx.members.ListCards(session, id));
        // Screenings are withheld from a member's own token (as ListYearlyRecords does).
        for (v1::YearlyRecordKind kind :
             {v1::YEARLY_RECORD_KIND_RESIDENCE_REGISTRATION, v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK,
              v1::YEARLY_RECORD_KIND_COMMITMENT, v1::YEARLY_RECORD_KIND_RATING, v1::YEARLY_RECORD_KIND_TRAINING}) {
          store::YearlyStore::ListQuery query;
          query.kind = kind;
          query.member_id = id;
          query.limit = kMaxYearlyRows;
          GR_ASSIGN_OR_RETURN(std::vector<store::YearlyStore::ListedRecord> rows, ctx.yearly.List(session, query));
          for (auto& row : rows) out.yearly.push_back(std::move(row.record));
        }
        GR_ASSIGN_OR_RETURN(out.corrections, ctx.rights.MemberCorrections(session, id));
        GR_ASSIGN_OR_RETURN(out.audit,
                            ctx.rights.AuditAbout(session, id, {"member.read", "member.exported"}, kMaxAuditEntries + 1));
        GR_ASSIGN_OR_RETURN(out.disclosures, ctx.rights.DisclosuresAbout(session, id));
        return out;
      }));

  nlohmann::json doc;
  doc["format"] = kExportFormat;
  doc["generated_at"] = TimeUtil::ToString(TimeUtil::GetCurrentTime());
  doc["member"] = MemberName(id);
  doc["profile"] = ProtoJson(ToProto(ctx.codes, held.record, common::api::Today(), /*with_sensitive=*/true));
  doc["lifecycle_events"] = nlohmann::json::array();
  for (const domain::Event& event : held.log) {
    if (event.voided || event.kind == v1::EVENT_KIND_VOIDED) continue;
    doc["lifecycle_events"].push_back(ProtoJson(ToProto(event, id, /*with_actor=*/false)));
  }
  doc["party_cards"] = nlohmann::json::array();
  for (const auto& card : held.cards) doc["party_cards"].push_back(ProtoJson(ToProto(id, card)));
  doc["yearly_records"] = nlohmann::json::array();
  for (const v1::YearlyRecord& record : held.yearly) doc["yearly_records"].push_back(ProtoJson(record));
  doc["correction_requests"] = nlohmann::json::array();
  for (const auto& row : held.corrections) doc["correction_requests"].push_back(ProtoJson(ToProto(row, true)));
  const bool truncated = held.audit.size() > static_cast<size_t>(kMaxAuditEntries);
  if (truncated) held.audit.resize(kMaxAuditEntries);
  doc["read_audit"] = nlohmann::json::array();
  for (const auto& row : held.audit) doc["read_audit"].push_back(AuditEntryJson(row, call.principal.subject));
  doc["read_audit_truncated"] = truncated;
  doc["disclosures"] = nlohmann::json::array();
  for (const auto& row : held.disclosures) {
    doc["disclosures"].push_back({{"consumer", row.consumer},
                                  {"after_sequence", row.after_sequence},
                                  {"to_sequence", row.to_sequence},
                                  {"started_at", RfcTime(row.started_micros)},
                                  {"last_sent_at", row.last_sent_micros ? RfcTime(*row.last_sent_micros) : ""},
                                  {"changes_about_member", row.changes_about_member}});
  }
  doc["withheld"] = nlohmann::json::array(
      {{{"category", "screenings"}, {"why", "not shown to a member's own token (ListYearlyRecords)"}}});

  // On record before the answer leaves.
  common::feed::WriteContext write = common::feed::WriteContextOf(call);
  write.purpose = purpose;
  nlohmann::json details = ActorDetails(call.principal);
  details["via"] = "ExportMyData";
  GR_RETURN_IF_ERROR(ctx.pool.RunInTransaction("membership.audit_export", [&](Session& session) {
    return common::feed::RecordAudit(session, write, "member.exported", MemberName(id), details);
  }));
  response.set_content_type("application/json");
  response.set_document(doc.dump());
  return absl::OkStatus();
}

absl::Status RequestCorrection(HandlerContext& ctx, const common::auth::CallContext& call,
                               const v1::RequestCorrectionRequest& request, v1::CorrectionRequest& response) {
  GR_ASSIGN_OR_RETURN(const int64_t id, OwnMemberId(call));
  if (request.member().empty()) return common::InvalidField("member", "is required");
  GR_ASSIGN_OR_RETURN(const int64_t named, ParseMemberName(request.member(), "member"));
  // A member acts on their own record only; another reads as missing.
  if (named != id) return common::ResourceNotFound(request.member());
  GR_ASSIGN_OR_RETURN(const std::vector<std::string> paths, CorrectablePaths(request.fields(), "fields"));
  if (!request.has_proposed()) return common::InvalidField("proposed", "is required");
  GR_ASSIGN_OR_RETURN(const std::string reason,
                      common::api::NormalizeText(request.reason(), "reason", true, kMaxReasonChars));
  GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request.request_id()));
  // Only the named fields are kept.
  v1::Member proposed = request.proposed();
  google::protobuf::FieldMask mask;
  for (const std::string& path : paths) mask.add_paths(path);
  google::protobuf::util::FieldMaskUtil::TrimMessage(mask, &proposed);
  const common::feed::WriteContext write = common::feed::WriteContextOf(call);
  // The stored idempotent response is the name only: no proposed value
  // (sensitive ones included) is kept outside the sealed row.
  GR_ASSIGN_OR_RETURN(
      const v1::CorrectionRequest created,
      common::feed::RunIdempotentTyped<v1::CorrectionRequest>(
          ctx.pool, "membership.request_correction", write, "RequestCorrection", request.request_id(), request,
          [&](Session& session) -> absl::StatusOr<v1::CorrectionRequest> {
            GR_ASSIGN_OR_RETURN(const domain::MemberRecord current, ctx.members.Get(session, id));
            GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, session, call.principal, current, Access::kRead));
            // The record as it would stand must be valid, as UpdateMember would check.
            GR_RETURN_IF_ERROR(MergeProfile(ctx, current, proposed, paths, "proposed").status());
            GR_ASSIGN_OR_RETURN(const int64_t request_row,
                                ctx.rights.InsertCorrection(session, id, paths, proposed, reason));
            const std::string name = store::CorrectionRequestName(id, request_row);
            GR_RETURN_IF_ERROR(common::feed::RecordAudit(session, write, "correction_request.created", name,
                                                         {{"member", MemberName(id)}, {"fields", paths}}));
            v1::CorrectionRequest out;
            out.set_name(name);
            return out;
          }));
  GR_ASSIGN_OR_RETURN(const auto key, ParseCorrectionName(created.name(), "name"));
  GR_ASSIGN_OR_RETURN(const store::CorrectionRow row,
                      ctx.pool.Read<store::CorrectionRow>("membership.get_correction", [&](Session& session) {
                        return ctx.rights.GetCorrection(session, key.first, key.second, false);
                      }));
  response = ToProto(row, /*with_sensitive=*/true);
  return absl::OkStatus();
}

absl::Status ListMyCorrectionRequests(HandlerContext& ctx, const common::auth::CallContext& call,
                                      v1::ListCorrectionRequestsResponse& response) {
  GR_ASSIGN_OR_RETURN(const int64_t id, OwnMemberId(call));
  using Rows = std::vector<store::CorrectionRow>;
  GR_ASSIGN_OR_RETURN(const Rows rows, ctx.pool.Read<Rows>("membership.my_corrections", [&](Session& session) {
    return ctx.rights.MemberCorrections(session, id);
  }));
  for (const store::CorrectionRow& row : rows) *response.add_requests() = ToProto(row, /*with_sensitive=*/true);
  return absl::OkStatus();
}

absl::Status ListCorrectionRequests(HandlerContext& ctx, const grpc::ServerContext& context,
                                    const common::auth::CallContext& call,
                                    const v1::ListCorrectionRequestsRequest& request,
                                    v1::ListCorrectionRequestsResponse& response) {
  int64_t organization = call.principal.scope_org_id;
  if (!request.organization().empty()) {
    GR_ASSIGN_OR_RETURN(organization, ParseOrgName(request.organization(), "organization"));
  }
  if (!v1::CorrectionState_IsValid(request.state())) return common::InvalidField("state", "is not a known value");
  GR_ASSIGN_OR_RETURN(const int32_t limit, common::api::ClampPageSize(request.page_size(), kDefaultPage, kMaxPage));
  const uint64_t fingerprint = common::api::Fingerprint(
      {"ListCorrectionRequests", std::to_string(organization), std::to_string(request.state())});
  GR_ASSIGN_OR_RETURN(const std::optional<common::api::PageCursor> cursor,
                      ctx.page_tokens.Decode(request.page_token(), fingerprint));
  GR_RETURN_IF_ERROR(RequireOrgInScope(ctx, call.principal, organization));
  store::RightsStore::CorrectionQuery query;
  query.subtree_root = organization;
  query.state = request.state();
  query.after_id = cursor ? cursor->last_id : 0;
  query.limit = limit + 1;
  using Rows = std::vector<store::CorrectionRow>;
  GR_ASSIGN_OR_RETURN(Rows rows, ctx.pool.Read<Rows>("membership.list_corrections", [&](Session& session) {
    return ctx.rights.ListCorrections(session, query);
  }));
  const bool more = rows.size() > static_cast<size_t>(limit);
  if (more) rows.resize(static_cast<size_t>(limit));
  // The proposals are personal data of the members listed: an audited read.
  std::vector<int64_t> shown;
  for (const store::CorrectionRow& row : rows) {
    if (std::find(shown.begin(), shown.end(), row.member_id) == shown.end()) shown.push_back(row.member_id);
  }
  GR_RETURN_IF_ERROR(AuditMemberReads(ctx, context, call, "ListCorrectionRequests", shown));
  const bool sees_sensitive = call.principal.HasAnyRole({Role::kAdmin, Role::kService});
  for (const store::CorrectionRow& row : rows) *response.add_requests() = ToProto(row, sees_sensitive);
  if (more && !rows.empty()) {
    response.set_next_page_token(ctx.page_tokens.Encode(common::api::PageCursor{"", rows.back().id, fingerprint}));
  }
  return absl::OkStatus();
}

absl::Status AnswerCorrectionRequest(HandlerContext& ctx, const common::auth::CallContext& call,
                                     const v1::AnswerCorrectionRequestRequest& request,
                                     v1::CorrectionRequest& response) {
  GR_ASSIGN_OR_RETURN(const auto key, ParseCorrectionName(request.name(), "name"));
  const auto [member_id, request_row] = key;
  const std::string name = store::CorrectionRequestName(member_id, request_row);
  // Out of scope reads as missing, before the request's fields are judged.
  {
    GR_ASSIGN_OR_RETURN(const domain::MemberRecord member,
                        ctx.pool.Read<domain::MemberRecord>("membership.get_member", [&](Session& session) {
                          return ctx.members.Get(session, member_id);
                        }));
    if (absl::Status access = RequireMemberAccess(ctx, call.principal, member, Access::kWrite); !access.ok()) {
      return absl::IsNotFound(access) ? common::ResourceNotFound(name) : access;
    }
  }
  const v1::CorrectionState decision = request.decision();
  if (decision != v1::CORRECTION_STATE_ACCEPTED && decision != v1::CORRECTION_STATE_REJECTED) {
    return common::InvalidField("decision", "must be CORRECTION_STATE_ACCEPTED or CORRECTION_STATE_REJECTED");
  }
  GR_ASSIGN_OR_RETURN(const std::string reason,
                      common::api::NormalizeText(request.reason(), "reason",
                                                 /*required=*/decision == v1::CORRECTION_STATE_REJECTED,
                                                 kMaxReasonChars));
  GR_RETURN_IF_ERROR(common::api::ValidateRequestId(request.request_id()));
  const common::feed::WriteContext write = common::feed::WriteContextOf(call);
  std::vector<std::string> roles;
  for (Role role : call.principal.roles) roles.emplace_back(common::auth::RoleName(role));
  GR_RETURN_IF_ERROR(
      common::feed::RunIdempotentTyped<v1::CorrectionRequest>(
          ctx.pool, "membership.answer_correction", write, "AnswerCorrectionRequest", request.request_id(), request,
          [&](Session& session) -> absl::StatusOr<v1::CorrectionRequest> {
            GR_ASSIGN_OR_RETURN(const domain::MemberRecord current, ctx.members.GetForUpdate(session, member_id));
            // Outside the caller's scope reads as a request that does not exist.
            if (absl::Status access = RequireMemberAccess(ctx, session, call.principal, current, Access::kWrite);
                !access.ok()) {
              return absl::IsNotFound(access) ? common::ResourceNotFound(name) : access;
            }
            GR_RETURN_IF_ERROR(RequireNotOwnRecord(call.principal, current, "answer a correction request on"));
            GR_ASSIGN_OR_RETURN(const store::CorrectionRow row,
                                ctx.rights.GetCorrection(session, member_id, request_row, /*for_update=*/true));
            if (row.state != v1::CORRECTION_STATE_OPEN) {
              return common::Reasoned(absl::StatusCode::kFailedPrecondition, "CORRECTION_ALREADY_ANSWERED",
                                      absl::StrCat(name, " was already answered (",
                                                   v1::CorrectionState_Name(row.state), ")"));
            }
            if (decision == v1::CORRECTION_STATE_ACCEPTED) {
              GR_RETURN_IF_ERROR(ApplyProfileUpdate(ctx, session, write, call.principal, member_id, row.proposed,
                                                    row.fields, common::api::Today(), /*etag=*/"", "proposed",
                                                    {{"correction_request", name}})
                                     .status());
            }
            GR_RETURN_IF_ERROR(
                ctx.rights.AnswerCorrection(session, request_row, decision, reason, call.principal.subject, roles));
            GR_RETURN_IF_ERROR(common::feed::RecordAudit(session, write, "correction_request.answered", name,
                                                         {{"member", MemberName(member_id)},
                                                          {"state", v1::CorrectionState_Name(decision)}}));
            v1::CorrectionRequest out;
            out.set_name(name);
            return out;
          })
          .status());
  GR_ASSIGN_OR_RETURN(const store::CorrectionRow row,
                      ctx.pool.Read<store::CorrectionRow>("membership.get_correction", [&](Session& session) {
                        return ctx.rights.GetCorrection(session, member_id, request_row, false);
                      }));
  response = ToProto(row, call.principal.HasAnyRole({Role::kAdmin, Role::kService}));
  return absl::OkStatus();
}

}  // namespace grassroots::membership
