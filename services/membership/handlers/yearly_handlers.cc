#include "services/membership/handlers/yearly_handlers.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/api.h"
#include "common/feed/feed.h"
#include "common/status/status.h"
#include "services/membership/domain/yearly_rules.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/member_writer.h"

namespace grassroots::membership {
namespace {

namespace api = common::api;
using common::ToAbsl;
using common::auth::Role;

constexpr int32_t kDefaultPageSize = 100;
constexpr int32_t kMaxPageSize = 1000;
constexpr size_t kShortText = 255;
constexpr size_t kReasonText = 500;
constexpr size_t kLongText = 10000;

// ---- shared steps -------------------------------------------------------------------

absl::StatusOr<domain::MemberRecord> ReadMember(HandlerContext& ctx, int64_t member_id) {
  return ctx.pool.Read<domain::MemberRecord>(
      "member.get", [&](common::db::Session& session) { return ctx.members.Get(session, member_id); });
}

// Ratings, commitments, residence liaison and screening concern members
// (probationary or official), not prospects or those who have left.
absl::Status RequireCounted(const domain::MemberRecord& member) {
  if (member.state.IsCounted()) return absl::OkStatus();
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "MEMBER_NOT_ACTIVE",
                          absl::StrCat(MemberName(member.id), " is not a probationary or official member"));
}

// The member, locked for the rest of the transaction (serializes the yearly
// writes of one member), still where access was decided (`checked`).
absl::StatusOr<domain::MemberRecord> LockAsChecked(HandlerContext& ctx, common::db::Session& session,
                                                   const domain::MemberRecord& checked) {
  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ctx.members.GetForUpdate(session, checked.id));
  GR_RETURN_IF_ERROR(RequirePlacementUnchanged(checked, member));
  return member;
}

// The same, and the member still counted.
absl::Status LockCountedMember(HandlerContext& ctx, common::db::Session& session, const domain::MemberRecord& checked) {
  GR_ASSIGN_OR_RETURN(const domain::MemberRecord member, LockAsChecked(ctx, session, checked));
  return RequireCounted(member);
}

// QĐ 213: the member's own party organization and the residence cell's
// committee both keep the liaison, so a writer in scope of either may record
// the residence cell's feedback. The registration itself follows the letter
// the member's own organization issues: RegisterResidence needs the member in
// the caller's scope (RequireMemberAccess), not only the residence cell.
absl::Status RequireFeedbackWriter(HandlerContext& ctx, const common::auth::Principal& principal,
                                   const domain::MemberRecord& member, std::optional<int64_t> residence_cell) {
  absl::Status own = RequireMemberAccess(ctx, principal, member, Access::kWrite);
  if (own.ok() || !IsAccessRefusal(own) || !residence_cell) return own;
  if (!principal.HasAnyRole({Role::kAdmin, Role::kSecretary})) return own;
  if (RequireOrgInScope(ctx, principal, *residence_cell).ok()) return absl::OkStatus();
  return own;
}

// Whoever may write the member's records; a member also registers their own commitment.
absl::Status RequireCommitmentWriter(HandlerContext& ctx, const common::auth::Principal& principal,
                                     const domain::MemberRecord& member) {
  absl::Status write = RequireMemberAccess(ctx, principal, member, Access::kWrite);
  if (write.ok() || !IsAccessRefusal(write)) return write;
  if (principal.HasRole(Role::kMember) && principal.member_id && *principal.member_id == member.id) {
    return absl::OkStatus();
  }
  return write;
}

// Screenings (HD 02) are the cell's business: a member's own token does not see them.
bool SeesScreenings(const common::auth::Principal& principal) {
  return principal.HasAnyRole({Role::kAdmin, Role::kSecretary, Role::kInspector, Role::kService});
}

absl::Status RecordChange(common::db::Session& session, const common::auth::CallContext& call,
                          std::string_view resource_type, const std::string& name, std::string_view action,
                          const google::protobuf::Message& resource, nlohmann::json audit) {
  common::feed::ChangeRecord change;
  change.resource_type = std::string(resource_type);
  change.resource_name = name;
  change.action = std::string(action);
  change.resource = &resource;
  change.audit_details = std::move(audit);
  return common::feed::RecordChange(session, common::feed::WriteContextOf(call), change);
}

absl::StatusOr<std::optional<int64_t>> OptionalOrg(const std::string& name, std::string_view field) {
  if (name.empty()) return std::optional<int64_t>();
  GR_ASSIGN_OR_RETURN(int64_t id, ParseOrgName(name, field));
  return std::optional<int64_t>(id);
}

absl::StatusOr<absl::CivilDay> RequiredDate(const std::string& text, std::string_view field) {
  if (text.empty()) return common::InvalidField(field, "is required");
  return api::ParseDate(text, field);
}

// "members/7/screenings/3" -> (7, 3).
absl::StatusOr<std::pair<int64_t, int64_t>> ParseScreeningName(const std::string& name, std::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[2] != store::kScreenings) {
    return common::InvalidField(field, "must look like members/{member}/screenings/{screening}");
  }
  GR_ASSIGN_OR_RETURN(int64_t member_id, ParseMemberName(absl::StrCat(parts[0], "/", parts[1]), field));
  GR_ASSIGN_OR_RETURN(int64_t screening_id, api::ParseId(absl::StrCat(parts[2], "/", parts[3]), "screenings", field));
  return std::make_pair(member_id, screening_id);
}

// ---- RegisterResidence ------------------------------------------------------------------

absl::Status RegisterResidenceImpl(HandlerContext& ctx, const common::auth::CallContext& call, std::string_view method,
                                   const v1::RegisterResidenceRequest& request, v1::ResidenceRegistration& response) {
  if (!request.has_registration()) return common::InvalidField("registration", "is required");
  const v1::ResidenceRegistration& in = request.registration();
  const absl::CivilDay today = api::Today();
  GR_ASSIGN_OR_RETURN(int64_t member_id, ParseMemberName(in.member(), "registration.member"));
  domain::ResidencePlace place;
  GR_ASSIGN_OR_RETURN(place.residence_cell_id, OptionalOrg(in.residence_cell(), "registration.residence_cell"));
  GR_ASSIGN_OR_RETURN(place.residence_unit_name, api::NormalizeText(in.residence_unit_name(),
                                                                    "registration.residence_unit_name", false,
                                                                    kShortText));
  GR_ASSIGN_OR_RETURN(std::string address,
                      api::NormalizeText(in.residence_address(), "registration.residence_address", false, kReasonText));
  GR_ASSIGN_OR_RETURN(place.registered_on, EffectiveDate(in.registered_on(), "registration.registered_on"));
  GR_ASSIGN_OR_RETURN(place.letter_issued_on, OptionalDate(in.letter_issued_on(), "registration.letter_issued_on"));
  place.exemption = in.exemption();
  GR_ASSIGN_OR_RETURN(place.exemption_reason, api::NormalizeText(in.exemption_reason(),
                                                                 "registration.exemption_reason", false, kReasonText));
  GR_RETURN_IF_ERROR(domain::ValidateResidencePlace(place, "registration", today));
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));

  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ReadMember(ctx, member_id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, call.principal, member, Access::kWrite));
  GR_RETURN_IF_ERROR(RequireCounted(member));
  if (place.residence_cell_id) {
    GR_RETURN_IF_ERROR(
        ctx.cells.RequireActiveCell(*place.residence_cell_id, place.registered_on, "registration.residence_cell"));
  }

  v1::ResidenceRegistration normalized;
  normalized.set_member(MemberName(member_id));
  if (place.residence_cell_id) normalized.set_residence_cell(OrgName(*place.residence_cell_id));
  normalized.set_residence_unit_name(place.residence_unit_name);
  normalized.set_residence_address(address);
  normalized.set_registered_on(api::FormatDate(place.registered_on));
  if (place.letter_issued_on) normalized.set_letter_issued_on(api::FormatDate(*place.letter_issued_on));
  normalized.set_exemption(place.exemption);
  normalized.set_exemption_reason(place.exemption_reason);

  GR_ASSIGN_OR_RETURN(
      response,
      common::feed::RunIdempotentTyped<v1::ResidenceRegistration>(
          ctx.pool, "residence_registration.create", common::feed::WriteContextOf(call), method,
          request.request_id(), request,
          [&](common::db::Session& session) -> absl::StatusOr<v1::ResidenceRegistration> {
            GR_RETURN_IF_ERROR(LockCountedMember(ctx, session, member));
            GR_ASSIGN_OR_RETURN(std::optional<v1::ResidenceRegistration> open,
                                ctx.yearly.FindOpenResidenceRegistration(session, member_id));
            if (open) {
              GR_ASSIGN_OR_RETURN(absl::CivilDay open_since, api::ParseDate(open->registered_on(), "registered_on"));
              if (place.registered_on <= open_since) {
                return common::Reasoned(absl::StatusCode::kFailedPrecondition, "REGISTRATION_OUT_OF_ORDER",
                                        absl::StrCat("registration.registered_on must be after the current "
                                                     "registration's date (",
                                                     open->registered_on(), "), which it ends"));
              }
            }
            GR_ASSIGN_OR_RETURN(v1::ResidenceRegistration stored,
                                ctx.yearly.InsertResidenceRegistration(session, member_id, normalized));
            if (open) {
              v1::ResidenceRegistration ended = *open;
              ended.set_ended_on(stored.registered_on());
              GR_RETURN_IF_ERROR(RecordChange(session, call, "residence_registration", ended.name(), "ended", ended,
                                              {{"member_id", member_id}, {"registration", ended.name()}}));
            }
            nlohmann::json audit = {{"member_id", member_id},
                                    {"registration", stored.name()},
                                    {"exemption", static_cast<int>(place.exemption)}};
            if (place.residence_cell_id) audit["residence_cell_id"] = *place.residence_cell_id;
            GR_RETURN_IF_ERROR(
                RecordChange(session, call, "residence_registration", stored.name(), "created", stored, audit));
            return stored;
          }));
  return absl::OkStatus();
}

// ---- RecordResidenceFeedback ---------------------------------------------------------------

absl::Status RecordFeedbackImpl(HandlerContext& ctx, const common::auth::CallContext& call,
                                const v1::RecordResidenceFeedbackRequest& request, v1::ResidenceFeedback& response) {
  if (!request.has_feedback()) return common::InvalidField("feedback", "is required");
  const v1::ResidenceFeedback& in = request.feedback();
  const absl::CivilDay today = api::Today();
  GR_ASSIGN_OR_RETURN(int64_t member_id, ParseMemberName(in.member(), "feedback.member"));
  GR_RETURN_IF_ERROR(domain::ValidateActivityYear(in.year(), "feedback.year", today));
  if (in.assessment() != v1::FEEDBACK_ASSESSMENT_GOOD && in.assessment() != v1::FEEDBACK_ASSESSMENT_SATISFACTORY &&
      in.assessment() != v1::FEEDBACK_ASSESSMENT_SHORTCOMINGS) {
    return common::InvalidField("feedback.assessment", "must be GOOD, SATISFACTORY or SHORTCOMINGS");
  }
  // Shortcomings are reported to the workplace organization: what they are must be written.
  const bool opinion_required = in.assessment() == v1::FEEDBACK_ASSESSMENT_SHORTCOMINGS;
  GR_ASSIGN_OR_RETURN(std::string opinion,
                      api::NormalizeText(in.opinion(), "feedback.opinion", opinion_required, kLongText));
  GR_ASSIGN_OR_RETURN(std::string signed_by, api::NormalizeText(in.signed_by(), "feedback.signed_by", false,
                                                                kShortText));
  GR_ASSIGN_OR_RETURN(absl::CivilDay given_on, RequiredDate(in.given_on(), "feedback.given_on"));
  GR_RETURN_IF_ERROR(domain::ValidateDateForYear(given_on, in.year(), "feedback.given_on", today));
  GR_ASSIGN_OR_RETURN(std::optional<int64_t> requested_cell,
                      OptionalOrg(in.residence_cell(), "feedback.residence_cell"));

  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ReadMember(ctx, member_id));
  GR_ASSIGN_OR_RETURN(std::optional<v1::ResidenceRegistration> registration,
                      ctx.pool.Read<std::optional<v1::ResidenceRegistration>>(
                          "residence_registration.for_year", [&](common::db::Session& session) {
                            return ctx.yearly.FindRegistrationForYear(session, member_id, in.year());
                          }));
  std::optional<int64_t> registered_cell;
  if (registration && !registration->residence_cell().empty()) {
    GR_ASSIGN_OR_RETURN(registered_cell, OptionalOrg(registration->residence_cell(), "residence_cell"));
  }
  // The writer check comes before any answer about the member's registration.
  GR_RETURN_IF_ERROR(RequireFeedbackWriter(ctx, call.principal, member, registered_cell));
  GR_RETURN_IF_ERROR(RequireNotOwnRecord(call.principal, member, "give residence feedback on"));
  GR_RETURN_IF_ERROR(RequireCounted(member));
  if (!registration) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "RESIDENCE_NOT_REGISTERED",
                            absl::StrCat(MemberName(member_id), " has no residence registration in force in ",
                                         in.year(), " (QĐ 213-QĐ/TW)"));
  }
  if (!domain::ExpectsYearlyFeedback(registration->exemption())) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NO_YEARLY_FEEDBACK",
                            absl::StrCat(MemberName(member_id), " is in an exempt category of HD 33-HD/BTCTW (",
                                         v1::ResidenceExemption_Name(registration->exemption()),
                                         "): the residence cell gives no yearly feedback"));
  }
  if (requested_cell && requested_cell != registered_cell) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "RESIDENCE_CELL_MISMATCH",
                            "feedback.residence_cell is not the cell the member is registered with for that year");
  }
  const std::optional<int64_t> residence_cell = registered_cell;
  if (residence_cell) {
    GR_RETURN_IF_ERROR(ctx.cells.RequireActiveCell(*residence_cell, given_on, "feedback.residence_cell"));
  }

  v1::ResidenceFeedback normalized;
  normalized.set_member(MemberName(member_id));
  normalized.set_year(in.year());
  if (residence_cell) normalized.set_residence_cell(OrgName(*residence_cell));
  normalized.set_assessment(in.assessment());
  normalized.set_opinion(opinion);
  normalized.set_signed_by(signed_by);
  normalized.set_given_on(api::FormatDate(given_on));

  GR_ASSIGN_OR_RETURN(
      response,
      ctx.pool.Transact<v1::ResidenceFeedback>(
          "residence_feedback.put", [&](common::db::Session& session) -> absl::StatusOr<v1::ResidenceFeedback> {
            GR_RETURN_IF_ERROR(LockCountedMember(ctx, session, member));
            GR_ASSIGN_OR_RETURN(bool existed, ctx.yearly.HasYearRecord(session,
                                                                       v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK,
                                                                       member_id, in.year()));
            GR_ASSIGN_OR_RETURN(v1::ResidenceFeedback stored,
                                ctx.yearly.PutResidenceFeedback(session, member_id, normalized));
            nlohmann::json audit = {{"member_id", member_id},
                                    {"year", in.year()},
                                    {"assessment", static_cast<int>(in.assessment())}};
            if (residence_cell) audit["residence_cell_id"] = *residence_cell;
            GR_RETURN_IF_ERROR(RecordChange(session, call, "residence_feedback", stored.name(),
                                            existed ? "updated" : "created", stored, audit));
            return stored;
          }));
  return absl::OkStatus();
}

// ---- RecordCommitment ---------------------------------------------------------------------

absl::Status RecordCommitmentImpl(HandlerContext& ctx, const common::auth::CallContext& call,
                                  const v1::RecordCommitmentRequest& request, v1::Commitment& response) {
  if (!request.has_commitment()) return common::InvalidField("commitment", "is required");
  const v1::Commitment& in = request.commitment();
  const absl::CivilDay today = api::Today();
  GR_ASSIGN_OR_RETURN(int64_t member_id, ParseMemberName(in.member(), "commitment.member"));
  GR_RETURN_IF_ERROR(domain::ValidateActivityYear(in.year(), "commitment.year", today));
  GR_ASSIGN_OR_RETURN(std::string content, api::NormalizeText(in.content(), "commitment.content", true, kLongText));
  GR_ASSIGN_OR_RETURN(absl::CivilDay registered_on, EffectiveDate(in.registered_on(), "commitment.registered_on"));
  GR_RETURN_IF_ERROR(domain::ValidateCommitmentDate(registered_on, in.year(), "commitment.registered_on", today));

  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ReadMember(ctx, member_id));
  GR_RETURN_IF_ERROR(RequireCommitmentWriter(ctx, call.principal, member));
  GR_RETURN_IF_ERROR(RequireCounted(member));
  GR_ASSIGN_OR_RETURN(bool required,
                      domain::CommitmentRequired(member.profile.occupation_category, in.year(), ctx.rules));

  v1::Commitment normalized;
  normalized.set_member(MemberName(member_id));
  normalized.set_year(in.year());
  normalized.set_registered_on(api::FormatDate(registered_on));
  normalized.set_content(content);

  GR_ASSIGN_OR_RETURN(
      response, ctx.pool.Transact<v1::Commitment>(
                    "commitment.put", [&](common::db::Session& session) -> absl::StatusOr<v1::Commitment> {
                      GR_RETURN_IF_ERROR(LockCountedMember(ctx, session, member));
                      GR_ASSIGN_OR_RETURN(bool existed, ctx.yearly.HasYearRecord(
                                                            session, v1::YEARLY_RECORD_KIND_COMMITMENT, member_id,
                                                            in.year()));
                      GR_ASSIGN_OR_RETURN(v1::Commitment stored,
                                          ctx.yearly.PutCommitment(session, member_id, normalized));
                      stored.set_required(required);
                      GR_RETURN_IF_ERROR(RecordChange(session, call, "commitment", stored.name(),
                                                      existed ? "updated" : "created", stored,
                                                      {{"member_id", member_id},
                                                       {"year", in.year()},
                                                       {"required", required}}));
                      return stored;
                    }));
  return absl::OkStatus();
}

// ---- ratings ----------------------------------------------------------------------------------

void FillQuotaReport(int64_t organization_id, int32_t year, const domain::LevelTally& tally,
                     const domain::QuotaCheck& check, v1::RatingQuotaReport& report) {
  report.set_organization(OrgName(organization_id));
  report.set_year(year);
  report.set_excellent(tally.excellent);
  report.set_good(tally.good);
  report.set_completed(tally.completed);
  report.set_not_completed(tally.not_completed);
  report.set_excellent_limit(check.excellent_limit);
  report.set_within_quota(check.within_quota);
  report.set_rule_id(check.rule_id);
  report.set_citation(check.citation);
}

domain::LevelTally TallyOf(const store::YearlyStore::LevelCounts& counts) {
  return domain::LevelTally{counts.excellent, counts.good, counts.completed, counts.not_completed};
}

absl::Status RateMemberImpl(HandlerContext& ctx, const common::auth::CallContext& call,
                            const v1::RateMemberRequest& request, v1::RateMemberResponse& response) {
  if (!request.has_rating()) return common::InvalidField("rating", "is required");
  const v1::Rating& in = request.rating();
  const absl::CivilDay today = api::Today();
  GR_ASSIGN_OR_RETURN(int64_t member_id, ParseMemberName(in.member(), "rating.member"));
  GR_RETURN_IF_ERROR(domain::ValidateActivityYear(in.year(), "rating.year", today));
  GR_ASSIGN_OR_RETURN(int32_t score, domain::ScoreInHundredths(in.score(), "rating.score"));
  GR_ASSIGN_OR_RETURN(std::string disqualification,
                      api::NormalizeText(in.disqualification(), "rating.disqualification", false, kReasonText));
  GR_ASSIGN_OR_RETURN(std::string quota_exception,
                      api::NormalizeText(in.quota_exception(), "rating.quota_exception", false, kReasonText));
  GR_ASSIGN_OR_RETURN(std::optional<int64_t> requested_cell, OptionalOrg(in.cell(), "rating.cell"));
  GR_ASSIGN_OR_RETURN(domain::Decision decision, DecisionFromProto(in.decision(), "rating.decision", false));
  if (decision.signed_on) {
    GR_RETURN_IF_ERROR(
        domain::ValidateDateForYear(*decision.signed_on, in.year(), "rating.decision.signed_on", today));
  }
  GR_ASSIGN_OR_RETURN(domain::RatingResult rated,
                      domain::RateScore(in.year(), score, !disqualification.empty(), ctx.rules));
  // The level is derived; a client may send the level it expects, but it must agree.
  if (in.level() != v1::RATING_LEVEL_UNSPECIFIED && in.level() != rated.level) {
    return common::InvalidField("rating.level",
                                absl::StrCat("does not follow from the score and rule ", rated.rule_id,
                                             " (", rated.citation, ")"));
  }
  if (!quota_exception.empty() && rated.level != v1::RATING_LEVEL_EXCELLENT) {
    return common::InvalidField("rating.quota_exception", "is only for an EXCELLENT rating");
  }

  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ReadMember(ctx, member_id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, call.principal, member, Access::kWrite));
  GR_RETURN_IF_ERROR(RequireNotOwnRecord(call.principal, member, "rate"));
  GR_RETURN_IF_ERROR(RequireCounted(member));
  // Rated in the member's cell unless another cell of the caller's scope is named
  // (a member who moved late in the year is rated where they worked).
  const int64_t cell_id = requested_cell ? *requested_cell : member.state.cell_id;
  if (cell_id != member.state.cell_id) {
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx, call.principal, cell_id));
    GR_ASSIGN_OR_RETURN(std::optional<orgtree::ProjectedOrganization> cell,
                        ctx.pool.Read<std::optional<orgtree::ProjectedOrganization>>(
                            "org_projection.find",
                            [&](common::db::Session& session) { return ctx.projection.Find(session, cell_id); }));
    if (!cell || !cell->is_cell) return common::InvalidField("rating.cell", "must be a cell");
  }

  v1::Rating normalized;
  normalized.set_member(MemberName(member_id));
  normalized.set_year(in.year());
  normalized.set_score(score / 100.0);
  normalized.set_level(rated.level);
  normalized.set_disqualification(disqualification);
  normalized.set_cell(OrgName(cell_id));
  if (!decision.empty()) *normalized.mutable_decision() = ToProto(decision);
  normalized.set_quota_exception(quota_exception);

  GR_ASSIGN_OR_RETURN(
      response,
      ctx.pool.Transact<v1::RateMemberResponse>(
          "rating.put", [&](common::db::Session& session) -> absl::StatusOr<v1::RateMemberResponse> {
            GR_RETURN_IF_ERROR(LockCountedMember(ctx, session, member));
            GR_ASSIGN_OR_RETURN(bool existed,
                                ctx.yearly.HasYearRecord(session, v1::YEARLY_RECORD_KIND_RATING, member_id, in.year()));
            v1::RateMemberResponse out;
            GR_ASSIGN_OR_RETURN(*out.mutable_rating(), ctx.yearly.PutRating(session, member_id, cell_id, normalized));
            // The quota is reported for the cell with this rating counted; it never refuses the rating.
            GR_ASSIGN_OR_RETURN(store::YearlyStore::LevelCounts counts,
                                ctx.yearly.CountRatings(session, {cell_id}, in.year()));
            const domain::LevelTally tally = TallyOf(counts);
            GR_ASSIGN_OR_RETURN(domain::QuotaCheck check, domain::CheckExcellentQuota(in.year(), tally, ctx.rules));
            FillQuotaReport(cell_id, in.year(), tally, check, *out.mutable_quota());
            GR_RETURN_IF_ERROR(RecordChange(session, call, "rating", out.rating().name(),
                                            existed ? "updated" : "created", out.rating(),
                                            {{"member_id", member_id},
                                             {"year", in.year()},
                                             {"cell_id", cell_id},
                                             {"level", static_cast<int>(rated.level)},
                                             {"rule_id", rated.rule_id},
                                             {"within_quota", check.within_quota},
                                             {"quota_exception", !quota_exception.empty()}}));
            return out;
          }));
  return absl::OkStatus();
}

absl::Status GetRatingQuotaImpl(HandlerContext& ctx, const common::auth::CallContext& call,
                                const v1::GetRatingQuotaRequest& request, v1::RatingQuotaReport& response) {
  if (request.organization().empty()) return common::InvalidField("organization", "is required");
  GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request.organization(), "organization"));
  GR_RETURN_IF_ERROR(domain::ValidateActivityYear(request.year(), "year", api::Today()));
  GR_ASSIGN_OR_RETURN(std::optional<orgtree::ProjectedOrganization> org,
                      ctx.pool.Read<std::optional<orgtree::ProjectedOrganization>>(
                          "org_projection.find",
                          [&](common::db::Session& session) { return ctx.projection.Find(session, org_id); }));
  if (!org) return absl::NotFoundError(absl::StrCat(OrgName(org_id), " not found"));
  GR_RETURN_IF_ERROR(RequireOrgInScope(ctx, call.principal, org_id));
  GR_ASSIGN_OR_RETURN(store::YearlyStore::LevelCounts counts,
                      ctx.pool.Read<store::YearlyStore::LevelCounts>(
                          "rating.count", [&](common::db::Session& session)
                                              -> absl::StatusOr<store::YearlyStore::LevelCounts> {
                            GR_ASSIGN_OR_RETURN(std::vector<int64_t> cells,
                                                ctx.projection.SubtreeIds(session, org_id));
                            return ctx.yearly.CountRatings(session, cells, request.year());
                          }));
  const domain::LevelTally tally = TallyOf(counts);
  GR_ASSIGN_OR_RETURN(domain::QuotaCheck check, domain::CheckExcellentQuota(request.year(), tally, ctx.rules));
  FillQuotaReport(org_id, request.year(), tally, check, response);
  return absl::OkStatus();
}

// ---- RecordTraining --------------------------------------------------------------------------

absl::Status RecordTrainingImpl(HandlerContext& ctx, const common::auth::CallContext& call, std::string_view method,
                                const v1::RecordTrainingRequest& request, v1::Training& response) {
  if (!request.has_training()) return common::InvalidField("training", "is required");
  const v1::Training& in = request.training();
  const absl::CivilDay today = api::Today();
  GR_ASSIGN_OR_RETURN(int64_t member_id, ParseMemberName(in.member(), "training.member"));
  GR_ASSIGN_OR_RETURN(std::string course, api::NormalizeText(in.course(), "training.course", true, kShortText));
  if (!domain::IsKnownTrainingKind(in.kind())) {
    return common::InvalidField("training.kind",
                                "must be POLITICAL_THEORY, NEW_MEMBER, AWARENESS, POST_TRAINING, REFRESHER or OTHER");
  }
  GR_ASSIGN_OR_RETURN(absl::CivilDay start, RequiredDate(in.start_date(), "training.start_date"));
  GR_RETURN_IF_ERROR(domain::ValidatePastDate(start, "training.start_date", today));
  GR_ASSIGN_OR_RETURN(absl::CivilDay end, RequiredDate(in.end_date(), "training.end_date"));
  if (end < start) return common::InvalidField("training.end_date", "must not be before training.start_date");
  GR_ASSIGN_OR_RETURN(std::string certificate,
                      api::NormalizeText(in.certificate_number(), "training.certificate_number", false, 64));
  GR_ASSIGN_OR_RETURN(std::string provider, api::NormalizeText(in.provider(), "training.provider", false, kShortText));
  domain::PostTerm post_term{in.kind(), in.post(), std::nullopt, std::nullopt, in.committee_term(), start};
  if (!in.term_starts_on().empty()) {
    GR_ASSIGN_OR_RETURN(post_term.term_starts_on, api::ParseDate(in.term_starts_on(), "training.term_starts_on"));
  }
  if (!in.term_ends_on().empty()) {
    GR_ASSIGN_OR_RETURN(post_term.term_ends_on, api::ParseDate(in.term_ends_on(), "training.term_ends_on"));
  }
  GR_RETURN_IF_ERROR(domain::ValidatePostTerm(post_term));
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));

  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ReadMember(ctx, member_id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, call.principal, member, Access::kWrite));
  GR_RETURN_IF_ERROR(RequireNotOwnRecord(call.principal, member, "record training on"));

  v1::Training normalized;
  normalized.set_member(MemberName(member_id));
  normalized.set_course(course);
  normalized.set_kind(in.kind());
  normalized.set_start_date(api::FormatDate(start));
  normalized.set_end_date(api::FormatDate(end));
  normalized.set_certificate_number(certificate);
  normalized.set_provider(provider);
  normalized.set_post(in.post());
  if (post_term.term_starts_on) normalized.set_term_starts_on(api::FormatDate(*post_term.term_starts_on));
  if (post_term.term_ends_on) normalized.set_term_ends_on(api::FormatDate(*post_term.term_ends_on));
  normalized.set_committee_term(in.committee_term());

  GR_ASSIGN_OR_RETURN(response,
                      common::feed::RunIdempotentTyped<v1::Training>(
                          ctx.pool, "training.create", common::feed::WriteContextOf(call), method,
                          request.request_id(), request,
                          [&](common::db::Session& session) -> absl::StatusOr<v1::Training> {
                            // Awareness classes are recorded for prospects too: any record may get one.
                            GR_RETURN_IF_ERROR(LockAsChecked(ctx, session, member).status());
                            GR_ASSIGN_OR_RETURN(v1::Training stored,
                                                ctx.yearly.InsertTraining(session, member_id, normalized));
                            GR_RETURN_IF_ERROR(RecordChange(session, call, "training", stored.name(), "created",
                                                            stored,
                                                            {{"member_id", member_id},
                                                             {"training", stored.name()},
                                                             {"kind", stored.kind()},
                                                             {"post", v1::TrainingPost_Name(stored.post())}}));
                            return stored;
                          }));
  return absl::OkStatus();
}

// ---- screening (HD 02) ------------------------------------------------------------------------

absl::Status ListForScreeningImpl(HandlerContext& ctx, const common::auth::CallContext& call, std::string_view method,
                                  const v1::ListForScreeningRequest& request, v1::Screening& response) {
  if (!request.has_screening()) return common::InvalidField("screening", "is required");
  const v1::Screening& in = request.screening();
  const absl::CivilDay today = api::Today();
  GR_ASSIGN_OR_RETURN(int64_t member_id, ParseMemberName(in.member(), "screening.member"));
  if (!domain::IsKnownScreeningCriterion(in.criterion())) {
    return common::InvalidField("screening.criterion",
                                "must be TWO_YEARS_NOT_COMPLETED, REPEAT_VIOLATION, DEGENERATION, EXAMPLE_RULES "
                                "or OTHER");
  }
  GR_ASSIGN_OR_RETURN(absl::CivilDay listed_on, RequiredDate(in.listed_on(), "screening.listed_on"));
  GR_RETURN_IF_ERROR(domain::ValidatePastDate(listed_on, "screening.listed_on", today));
  if (!in.has_vote()) return common::InvalidField("screening.vote", "is required (the cell's secret ballot)");
  GR_RETURN_IF_ERROR(domain::ValidateVoteCounts(in.vote().in_favour(), in.vote().eligible(), "screening.vote"));
  GR_ASSIGN_OR_RETURN(std::string resolution_number, api::NormalizeText(in.vote().resolution_number(),
                                                                        "screening.vote.resolution_number", false, 64));
  GR_ASSIGN_OR_RETURN(absl::CivilDay help_period_end, RequiredDate(in.help_period_end(), "screening.help_period_end"));
  if (help_period_end <= listed_on) {
    return common::InvalidField("screening.help_period_end", "must be after screening.listed_on");
  }
  if (in.outcome() != v1::SCREENING_OUTCOME_UNSPECIFIED && in.outcome() != v1::SCREENING_OUTCOME_PENDING) {
    return common::InvalidField("screening.outcome",
                                "must be empty or PENDING at the listing (RecordScreeningOutcome closes it)");
  }
  if (!in.outcome_on().empty()) {
    return common::InvalidField("screening.outcome_on", "must be empty at the listing");
  }
  GR_ASSIGN_OR_RETURN(std::string note, api::NormalizeText(in.note(), "screening.note", false, kLongText));
  GR_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id()));

  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ReadMember(ctx, member_id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, call.principal, member, Access::kWrite));
  GR_RETURN_IF_ERROR(RequireCounted(member));
  GR_RETURN_IF_ERROR(domain::CheckScreeningVote(in.vote().in_favour(), in.vote().eligible(), listed_on, ctx.rules));

  v1::Screening normalized;
  normalized.set_member(MemberName(member_id));
  normalized.set_criterion(in.criterion());
  normalized.set_listed_on(api::FormatDate(listed_on));
  normalized.mutable_vote()->set_in_favour(in.vote().in_favour());
  normalized.mutable_vote()->set_eligible(in.vote().eligible());
  normalized.mutable_vote()->set_resolution_number(resolution_number);
  normalized.set_help_period_end(api::FormatDate(help_period_end));
  normalized.set_outcome(v1::SCREENING_OUTCOME_PENDING);
  normalized.set_note(note);

  GR_ASSIGN_OR_RETURN(
      response, common::feed::RunIdempotentTyped<v1::Screening>(
                    ctx.pool, "screening.create", common::feed::WriteContextOf(call), method,
                    request.request_id(), request, [&](common::db::Session& session) -> absl::StatusOr<v1::Screening> {
                      GR_RETURN_IF_ERROR(LockCountedMember(ctx, session, member));
                      GR_ASSIGN_OR_RETURN(bool pending, ctx.yearly.HasPendingScreening(session, member_id));
                      if (pending) {
                        return common::Reasoned(absl::StatusCode::kFailedPrecondition, "SCREENING_IN_PROGRESS",
                                                absl::StrCat(MemberName(member_id),
                                                             " is already in a help period; record its outcome first"));
                      }
                      GR_ASSIGN_OR_RETURN(v1::Screening stored,
                                          ctx.yearly.InsertScreening(session, member_id, normalized));
                      GR_RETURN_IF_ERROR(RecordChange(session, call, "screening", stored.name(), "created", stored,
                                                      {{"member_id", member_id},
                                                       {"screening", stored.name()},
                                                       {"criterion", stored.criterion()}}));
                      return stored;
                    }));
  return absl::OkStatus();
}

absl::Status RecordOutcomeImpl(HandlerContext& ctx, const common::auth::CallContext& call,
                               const v1::RecordScreeningOutcomeRequest& request, v1::Screening& response) {
  if (request.screening().empty()) return common::InvalidField("screening", "is required");
  GR_ASSIGN_OR_RETURN(auto ids, ParseScreeningName(request.screening(), "screening"));
  const int64_t member_id = ids.first;
  const int64_t screening_id = ids.second;
  if (!domain::IsFinalScreeningOutcome(request.outcome())) {
    return common::InvalidField("outcome", "must be RECOVERED, REMOVAL_PROPOSED or DISCIPLINE_PROPOSED");
  }
  GR_ASSIGN_OR_RETURN(absl::CivilDay outcome_on, RequiredDate(request.outcome_on(), "outcome_on"));
  GR_RETURN_IF_ERROR(domain::ValidatePastDate(outcome_on, "outcome_on", api::Today()));
  GR_ASSIGN_OR_RETURN(std::string note, api::NormalizeText(request.note(), "note", false, kLongText));

  GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ReadMember(ctx, member_id));
  GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, call.principal, member, Access::kWrite));

  GR_ASSIGN_OR_RETURN(
      response,
      ctx.pool.Transact<v1::Screening>(
          "screening.outcome", [&](common::db::Session& session) -> absl::StatusOr<v1::Screening> {
            // Serializes with a concurrent listing or outcome for the same member.
            GR_RETURN_IF_ERROR(LockAsChecked(ctx, session, member).status());
            GR_ASSIGN_OR_RETURN(std::optional<v1::Screening> current,
                                ctx.yearly.FindScreening(session, member_id, screening_id, true));
            if (!current) return absl::NotFoundError(absl::StrCat(request.screening(), " not found"));
            if (current->outcome() != v1::SCREENING_OUTCOME_PENDING) {
              return common::Reasoned(absl::StatusCode::kFailedPrecondition, "SCREENING_ALREADY_DECIDED",
                                      absl::StrCat(request.screening(), " already has its outcome"));
            }
            GR_ASSIGN_OR_RETURN(absl::CivilDay listed_on, api::ParseDate(current->listed_on(), "listed_on"));
            if (outcome_on < listed_on) {
              return common::InvalidField("outcome_on", "must not be before the screening's listed_on");
            }
            GR_ASSIGN_OR_RETURN(v1::Screening stored, ctx.yearly.UpdateScreeningOutcome(
                                                          session, member_id, screening_id, request.outcome(),
                                                          outcome_on, note));
            GR_RETURN_IF_ERROR(RecordChange(session, call, "screening", stored.name(), "outcome_recorded", stored,
                                            {{"member_id", member_id},
                                             {"screening", stored.name()},
                                             {"outcome", static_cast<int>(request.outcome())}}));
            return stored;
          }));
  return absl::OkStatus();
}

// ---- ListYearlyRecords ---------------------------------------------------------------------------

constexpr v1::YearlyRecordKind kAllKinds[] = {
    v1::YEARLY_RECORD_KIND_RESIDENCE_REGISTRATION, v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK,
    v1::YEARLY_RECORD_KIND_COMMITMENT,             v1::YEARLY_RECORD_KIND_RATING,
    v1::YEARLY_RECORD_KIND_TRAINING,               v1::YEARLY_RECORD_KIND_SCREENING};

// The keyset position: the kind and member in last_key ("<kind>:<member id>"),
// the row key (year or id) in last_id.
struct ListPosition {
  v1::YearlyRecordKind kind = v1::YEARLY_RECORD_KIND_UNSPECIFIED;
  int64_t member_id = 0;
  int64_t key = 0;
};

absl::StatusOr<std::optional<ListPosition>> DecodePosition(const std::optional<api::PageCursor>& cursor) {
  if (!cursor) return std::optional<ListPosition>();
  std::vector<std::string> parts = absl::StrSplit(cursor->last_key, ':');
  int kind = 0;
  ListPosition position;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &kind) || !absl::SimpleAtoi(parts[1], &position.member_id) ||
      !v1::YearlyRecordKind_IsValid(kind) || kind == v1::YEARLY_RECORD_KIND_UNSPECIFIED) {
    return common::InvalidField("page_token", "is not valid");
  }
  position.kind = static_cast<v1::YearlyRecordKind>(kind);
  position.key = cursor->last_id;
  return std::optional<ListPosition>(position);
}

absl::Status ListRecordsImpl(HandlerContext& ctx, const common::auth::CallContext& call,
                             const v1::ListYearlyRecordsRequest& request, v1::ListYearlyRecordsResponse& response) {
  if (request.member().empty() == request.organization().empty()) {
    return common::InvalidField("member", "exactly one of member or organization is required");
  }
  if (!v1::YearlyRecordKind_IsValid(request.kind())) return common::InvalidField("kind", "is not a known kind");
  if (!request.organization().empty() && request.kind() == v1::YEARLY_RECORD_KIND_UNSPECIFIED) {
    return common::InvalidField("kind", "is required with organization");
  }
  if (request.year() != 0) GR_RETURN_IF_ERROR(domain::ValidateActivityYear(request.year(), "year", api::Today()));
  GR_ASSIGN_OR_RETURN(int32_t page_size, api::ClampPageSize(request.page_size(), kDefaultPageSize, kMaxPageSize));
  const bool sees_screenings = SeesScreenings(call.principal);
  const uint64_t fingerprint =
      api::Fingerprint({"ListYearlyRecords", request.member(), request.organization(), absl::StrCat(request.kind()),
                        absl::StrCat(request.year()), sees_screenings ? "screenings" : ""});
  GR_ASSIGN_OR_RETURN(std::optional<api::PageCursor> cursor, ctx.page_tokens.Decode(request.page_token(), fingerprint));
  GR_ASSIGN_OR_RETURN(std::optional<ListPosition> after, DecodePosition(cursor));

  store::YearlyStore::ListQuery base;
  base.year = request.year();
  if (!request.member().empty()) {
    GR_ASSIGN_OR_RETURN(int64_t member_id, ParseMemberName(request.member(), "member"));
    GR_ASSIGN_OR_RETURN(domain::MemberRecord member, ReadMember(ctx, member_id));
    GR_RETURN_IF_ERROR(RequireMemberAccess(ctx, call.principal, member, Access::kRead));
    base.member_id = member_id;
  } else {
    GR_ASSIGN_OR_RETURN(int64_t org_id, ParseOrgName(request.organization(), "organization"));
    // A member's token lists their own records only, never their cell's.
    if (!call.principal.HasAnyRole({Role::kAdmin, Role::kSecretary, Role::kInspector, Role::kService})) {
      return absl::PermissionDeniedError("a member lists only their own yearly records");
    }
    GR_RETURN_IF_ERROR(RequireOrgInScope(ctx, call.principal, org_id));
    base.subtree_root = org_id;
  }
  if (request.kind() == v1::YEARLY_RECORD_KIND_SCREENING && !sees_screenings) {
    return absl::PermissionDeniedError("screenings are not shown to a member's own token");
  }

  std::vector<v1::YearlyRecordKind> kinds;
  if (request.kind() != v1::YEARLY_RECORD_KIND_UNSPECIFIED) {
    kinds.push_back(request.kind());
  } else {
    for (v1::YearlyRecordKind kind : kAllKinds) {
      if (kind == v1::YEARLY_RECORD_KIND_SCREENING && !sees_screenings) continue;
      kinds.push_back(kind);
    }
  }

  // Kinds in enum order, each in (member, key) order; one more row than the page tells whether more follow.
  GR_ASSIGN_OR_RETURN(
      std::vector<store::YearlyStore::ListedRecord> rows,
      ctx.replica_reads.Read<std::vector<store::YearlyStore::ListedRecord>>(
          "yearly_records.list",
          [&](common::db::Session& session) -> absl::StatusOr<std::vector<store::YearlyStore::ListedRecord>> {
            std::vector<store::YearlyStore::ListedRecord> out;
            for (v1::YearlyRecordKind kind : kinds) {
              if (after && kind < after->kind) continue;
              store::YearlyStore::ListQuery query = base;
              query.kind = kind;
              if (after && kind == after->kind) {
                query.after_member_id = after->member_id;
                query.after_key = after->key;
              }
              query.limit = page_size + 1 - static_cast<int32_t>(out.size());
              GR_ASSIGN_OR_RETURN(std::vector<store::YearlyStore::ListedRecord> part, ctx.yearly.List(session, query));
              for (auto& row : part) out.push_back(std::move(row));
              if (out.size() > static_cast<size_t>(page_size)) break;
            }
            return out;
          }));
  const bool has_more = rows.size() > static_cast<size_t>(page_size);
  if (has_more) rows.resize(static_cast<size_t>(page_size));

  // The cursor is taken before the records move into the response.
  if (has_more) {
    const store::YearlyStore::ListedRecord& last = rows.back();
    v1::YearlyRecordKind last_kind = v1::YEARLY_RECORD_KIND_UNSPECIFIED;
    switch (last.record.record_case()) {
      case v1::YearlyRecord::kResidenceRegistration: last_kind = v1::YEARLY_RECORD_KIND_RESIDENCE_REGISTRATION; break;
      case v1::YearlyRecord::kResidenceFeedback: last_kind = v1::YEARLY_RECORD_KIND_RESIDENCE_FEEDBACK; break;
      case v1::YearlyRecord::kCommitment: last_kind = v1::YEARLY_RECORD_KIND_COMMITMENT; break;
      case v1::YearlyRecord::kRating: last_kind = v1::YEARLY_RECORD_KIND_RATING; break;
      case v1::YearlyRecord::kTraining: last_kind = v1::YEARLY_RECORD_KIND_TRAINING; break;
      case v1::YearlyRecord::kScreening: last_kind = v1::YEARLY_RECORD_KIND_SCREENING; break;
      default: break;
    }
    api::PageCursor next;
    next.last_key = absl::StrCat(static_cast<int>(last_kind), ":", last.member_id);
    next.last_id = last.key;
    next.query_fingerprint = fingerprint;
    response.set_next_page_token(ctx.page_tokens.Encode(next));
  }
  std::map<std::pair<int, int32_t>, bool> required_cache;  // (category, year) -> commitment required
  for (store::YearlyStore::ListedRecord& row : rows) {
    if (row.record.has_commitment()) {
      const auto cache_key = std::make_pair(static_cast<int>(row.occupation_category), row.record.commitment().year());
      auto it = required_cache.find(cache_key);
      if (it == required_cache.end()) {
        GR_ASSIGN_OR_RETURN(bool required, domain::CommitmentRequired(row.occupation_category,
                                                                      row.record.commitment().year(), ctx.rules));
        it = required_cache.emplace(cache_key, required).first;
      }
      row.record.mutable_commitment()->set_required(it->second);
    }
    *response.add_records() = std::move(row.record);
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status YearlyRecordServiceImpl::RegisterResidence(grpc::ServerContext* context,
                                                        const v1::RegisterResidenceRequest* request,
                                                        v1::ResidenceRegistration* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RegisterResidenceImpl(ctx_, call, method, *request, *response);
  });
}

grpc::Status YearlyRecordServiceImpl::RecordResidenceFeedback(grpc::ServerContext* context,
                                                              const v1::RecordResidenceFeedbackRequest* request,
                                                              v1::ResidenceFeedback* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RecordFeedbackImpl(ctx_, call, *request, *response);
  });
}

grpc::Status YearlyRecordServiceImpl::RecordCommitment(grpc::ServerContext* context,
                                                       const v1::RecordCommitmentRequest* request,
                                                       v1::Commitment* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RecordCommitmentImpl(ctx_, call, *request, *response);
  });
}

grpc::Status YearlyRecordServiceImpl::RateMember(grpc::ServerContext* context, const v1::RateMemberRequest* request,
                                                 v1::RateMemberResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RateMemberImpl(ctx_, call, *request, *response);
  });
}

grpc::Status YearlyRecordServiceImpl::GetRatingQuota(grpc::ServerContext* context,
                                                     const v1::GetRatingQuotaRequest* request,
                                                     v1::RatingQuotaReport* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return GetRatingQuotaImpl(ctx_, call, *request, *response);
  });
}

grpc::Status YearlyRecordServiceImpl::RecordTraining(grpc::ServerContext* context,
                                                     const v1::RecordTrainingRequest* request, v1::Training* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RecordTrainingImpl(ctx_, call, method, *request, *response);
  });
}

grpc::Status YearlyRecordServiceImpl::ListForScreening(grpc::ServerContext* context,
                                                       const v1::ListForScreeningRequest* request,
                                                       v1::Screening* response) {
  const std::string& method = envelope_.FullName(__func__);  // the idempotency key
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return ListForScreeningImpl(ctx_, call, method, *request, *response);
  });
}

grpc::Status YearlyRecordServiceImpl::RecordScreeningOutcome(grpc::ServerContext* context,
                                                             const v1::RecordScreeningOutcomeRequest* request,
                                                             v1::Screening* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return RecordOutcomeImpl(ctx_, call, *request, *response);
  });
}

grpc::Status YearlyRecordServiceImpl::ListYearlyRecords(grpc::ServerContext* context,
                                                        const v1::ListYearlyRecordsRequest* request,
                                                        v1::ListYearlyRecordsResponse* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) {
    return ListRecordsImpl(ctx_, call, *request, *response);
  });
}

}  // namespace grassroots::membership
