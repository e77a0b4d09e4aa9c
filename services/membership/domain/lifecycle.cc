#include "services/membership/domain/lifecycle.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::membership::domain {
namespace {

using common::api::FormatDate;

using common::InvalidField;
using common::Reasoned;
constexpr absl::StatusCode kFailedPrecondition = absl::StatusCode::kFailedPrecondition;

constexpr char kRuleProbationMonths[] = "membership.probation_months";
constexpr char kRuleMinAge[] = "membership.admission.min_age_years";
constexpr char kRuleMaxAge[] = "membership.admission.max_age_years";
constexpr char kRuleCeremonyDays[] = "membership.admission.ceremony_within_working_days";
constexpr char kRuleAdmissionShare[] = "membership.admission.vote_min_share";
constexpr char kRuleRecognitionShare[] = "membership.recognition.vote_min_share";
constexpr char kRuleMinEducation[] = "membership.admission.min_general_education";
constexpr char kRuleCertificateYears[] = "membership.admission.awareness_certificate_valid_years";
constexpr char kRuleTemporaryWorkMonths[] = "membership.transfer.temporary_work_months";
constexpr char kRuleTemporaryTrainingMonths[] = "membership.transfer.temporary_training_months";

bool IsCountedStatus(v1::MemberStatus status) {
  return status == v1::MEMBER_STATUS_PROBATIONARY || status == v1::MEMBER_STATUS_OFFICIAL;
}

bool IsTerminalStatus(v1::MemberStatus status) {
  switch (status) {
    case v1::MEMBER_STATUS_REMOVED:
    case v1::MEMBER_STATUS_LEFT:
    case v1::MEMBER_STATUS_EXPELLED:
    case v1::MEMBER_STATUS_DECEASED:
    case v1::MEMBER_STATUS_TRANSFERRED_OUT:
    case v1::MEMBER_STATUS_NOT_ADMITTED:
      return true;
    default:
      return false;
  }
}

std::string WithoutPrefix(std::string name, std::string_view prefix) {
  if (absl::StartsWith(name, common::ToAbsl(prefix))) name.erase(0, prefix.size());
  return name;
}
std::string StatusName(v1::MemberStatus status) {
  return WithoutPrefix(v1::MemberStatus_Name(status), "MEMBER_STATUS_");
}
std::string KindName(v1::EventKind kind) { return WithoutPrefix(v1::EventKind_Name(kind), "EVENT_KIND_"); }
std::string Cite(const common::Rule& rule) { return absl::StrCat("rule ", rule.id, ": ", rule.citation); }

// Events membership records itself when the organization service ends a cell.
bool FollowsCellEnding(v1::EventKind kind) {
  return kind == v1::EVENT_KIND_MOVED_WITH_CELL || kind == v1::EVENT_KIND_AWAITING_PLACEMENT ||
         kind == v1::EVENT_KIND_LEFT_WITH_CELL;
}

bool TemporaryInForce(const MemberState& state) {
  return !state.transfer_pending && state.temporary_planned_end.has_value();
}
bool IsTemporaryKind(v1::TransferKind kind) {
  return kind == v1::TRANSFER_KIND_TEMPORARY_WORK || kind == v1::TRANSFER_KIND_TEMPORARY_TRAINING;
}

absl::Status NotAllowed(const Event& event, const MemberState& state, std::string_view needed) {
  return Reasoned(kFailedPrecondition, "ILLEGAL_TRANSITION",
                  absl::StrCat(KindName(event.kind), " needs a member whose status is ", common::ToAbsl(needed),
                               "; this member's status is ", StatusName(state.status)));
}

// ---- rules -------------------------------------------------------------------------
// The version in force on `day`, or nullptr when none is: a check whose rule
// has no version on that day does not apply ("no such rule then").
absl::StatusOr<const common::Rule*> RuleInForce(const common::RulesRegistry& rules, const char* id,
                                                absl::CivilDay day) {
  absl::StatusOr<const common::Rule*> rule = rules.Find(id, day);
  if (rule.ok()) return *rule;
  if (absl::IsNotFound(rule.status())) return nullptr;
  return rule.status();
}

// A rule the transition cannot be computed without.
absl::StatusOr<const common::Rule*> NeededRule(const common::RulesRegistry& rules, const char* id,
                                               absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleInForce(rules, id, day));
  if (rule == nullptr) {
    return Reasoned(kFailedPrecondition, "RULE_NOT_IN_FORCE",
                    absl::StrCat("rule ", id, " has no version in force on ", FormatDate(day)));
  }
  return rule;
}

absl::StatusOr<int64_t> IntOf(const common::Rule& rule, const char* key = nullptr) {
  const nlohmann::json& value = key == nullptr ? rule.value : rule.value.value(key, nlohmann::json());
  if (!value.is_number_integer()) {
    return absl::InternalError(absl::StrCat("rule ", rule.id, key ? absl::StrCat(".", key) : "", " is not an integer"));
  }
  return value.get<int64_t>();
}

struct Share {
  int64_t numerator = 0;
  int64_t denominator = 1;
};

absl::StatusOr<Share> ShareOf(const common::Rule& rule) {
  if (!rule.value.is_object()) return absl::InternalError(absl::StrCat("rule ", rule.id, " is not a share"));
  GR_ASSIGN_OR_RETURN(const int64_t numerator, IntOf(rule, "numerator"));
  GR_ASSIGN_OR_RETURN(const int64_t denominator, IntOf(rule, "denominator"));
  if (denominator <= 0 || numerator < 0 || numerator > denominator) {
    return absl::InternalError(absl::StrCat("rule ", rule.id, " is not a share between 0 and 1"));
  }
  return Share{numerator, denominator};
}

// ---- field checks ------------------------------------------------------------------
std::string Sub(std::string_view field, std::string_view name) {
  return absl::StrCat(common::ToAbsl(field), ".", common::ToAbsl(name));
}

absl::Status RequireDecision(const Decision& decision, std::string_view field) {
  if (decision.issuing_body.empty()) return InvalidField(Sub(field, "issuing_body"), "is required");
  if (decision.number.empty()) return InvalidField(Sub(field, "number"), "is required");
  if (!decision.signed_on) return InvalidField(Sub(field, "signed_on"), "is required");
  return absl::OkStatus();
}

// An optional decision is either absent or complete.
absl::Status CompleteIfGiven(const Decision& decision, std::string_view field) {
  return decision.empty() ? absl::OkStatus() : RequireDecision(decision, field);
}

absl::Status NotInFuture(const std::optional<Decision>& decision, std::string_view field, absl::CivilDay today) {
  if (decision && decision->signed_on && *decision->signed_on > today) {
    return InvalidField(Sub(field, "signed_on"), "must not be after today");
  }
  return absl::OkStatus();
}

absl::Status CheckVoteNumbers(const std::optional<Vote>& vote) {
  if (!vote) return InvalidField("vote", "is required");
  if (vote->eligible <= 0) return InvalidField("vote.eligible", "must be positive (official members entitled to vote)");
  if (vote->in_favour < 0) return InvalidField("vote.in_favour", "must not be negative");
  if (vote->in_favour > vote->eligible) return InvalidField("vote.in_favour", "must not exceed vote.eligible");
  return absl::OkStatus();
}

// in_favour / eligible >= numerator / denominator, in integers.
absl::Status CheckShare(const Vote& vote, const common::RulesRegistry& rules, const char* rule_id, absl::CivilDay day,
                        std::string_view what) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, NeededRule(rules, rule_id, day));
  GR_ASSIGN_OR_RETURN(const Share share, ShareOf(*rule));
  if (static_cast<int64_t>(vote.in_favour) * share.denominator <
      static_cast<int64_t>(vote.eligible) * share.numerator) {
    return Reasoned(kFailedPrecondition, "VOTE_BELOW_TWO_THIRDS",
                    absl::StrCat(common::ToAbsl(what), ": ", vote.in_favour, " in favour of ", vote.eligible,
                                 " entitled to vote is below the required ", share.numerator, "/", share.denominator,
                                 " (", Cite(*rule), ")"));
  }
  return absl::OkStatus();
}

// ---- eligibility at the cell vote -----------------------------------------------
absl::Status CheckAge(const Event& vote, const TransitionContext& context) {
  const absl::CivilDay day = vote.effective_date;
  const int32_t months = AgeInMonths(context.birth_date, day);
  GR_ASSIGN_OR_RETURN(const common::Rule* min_rule, RuleInForce(context.rules, kRuleMinAge, day));
  if (min_rule != nullptr) {
    GR_ASSIGN_OR_RETURN(const int64_t min_years, IntOf(*min_rule));
    if (months < min_years * 12) {
      return Reasoned(kFailedPrecondition, "AGE_NOT_ELIGIBLE",
                      absl::StrCat("the person is younger than ", min_years,
                                   " years (counted in months) on the vote date (", Cite(*min_rule), ")"));
    }
  }
  GR_ASSIGN_OR_RETURN(const common::Rule* max_rule, RuleInForce(context.rules, kRuleMaxAge, day));
  if (max_rule != nullptr) {
    GR_ASSIGN_OR_RETURN(const int64_t max_years, IntOf(*max_rule));
    // "Đến đủ 60 tuổi (tính theo tháng)": 60 years and 0 months is the last
    // eligible month; 60 years and 1 month is past it.
    if (months > max_years * 12 && !vote.age_exception) {
      return Reasoned(kFailedPrecondition, "AGE_NOT_ELIGIBLE",
                      absl::StrCat("the person is older than ", max_years,
                                   " years (counted in months) on the vote date; admitting them needs the decision "
                                   "of a committee directly under the Central Committee, given as age_exception (",
                                   Cite(*max_rule), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEducation(const Event& vote, const TransitionContext& context) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, RuleInForce(context.rules, kRuleMinEducation, vote.effective_date));
  if (rule == nullptr || vote.education_exception) return absl::OkStatus();
  v1::GeneralEducation minimum = v1::GENERAL_EDUCATION_UNSPECIFIED;
  if (!rule->value.is_string() ||
      !v1::GeneralEducation_Parse(absl::StrCat("GENERAL_EDUCATION_", rule->value.get<std::string>()), &minimum)) {
    return absl::InternalError(absl::StrCat("rule ", rule->id, " does not name a general education level"));
  }
  if (context.general_education == v1::GENERAL_EDUCATION_UNSPECIFIED) {
    return Reasoned(kFailedPrecondition, "EDUCATION_NOT_ELIGIBLE",
                    absl::StrCat("the person's general education is not recorded; record it or give "
                                 "education_exception (",
                                 Cite(*rule), ")"));
  }
  // The enum runs from primary to upper secondary in order.
  if (context.general_education < minimum) {
    return Reasoned(kFailedPrecondition, "EDUCATION_NOT_ELIGIBLE",
                    absl::StrCat("general education below ", rule->value.get<std::string>(),
                                 " needs an exception decision, given as education_exception (", Cite(*rule), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckCertificate(const MemberState& state, const Event& vote, const TransitionContext& context) {
  if (!state.awareness_certificate_valid_until) {
    return Reasoned(kFailedPrecondition, "AWARENESS_CERTIFICATE_MISSING",
                    "no certificate of the awareness class (bồi dưỡng nhận thức về Đảng) is recorded");
  }
  if (vote.effective_date > *state.awareness_certificate_valid_until) {
    GR_ASSIGN_OR_RETURN(const common::Rule* rule,
                        RuleInForce(context.rules, kRuleCertificateYears, vote.effective_date));
    return Reasoned(kFailedPrecondition, "AWARENESS_CERTIFICATE_EXPIRED",
                    absl::StrCat("the awareness class certificate was valid until ",
                                 FormatDate(*state.awareness_certificate_valid_until), ", before the vote date",
                                 rule ? absl::StrCat(" (", Cite(*rule), ")") : ""));
  }
  return absl::OkStatus();
}

// ---- per-kind checks ----------------------------------------------------------------
// Kinds that open a record of someone already a member (with party dates).
bool OpensAsMember(v1::EventKind kind) {
  return kind == v1::EVENT_KIND_RECORD_OPENED || kind == v1::EVENT_KIND_TRANSFERRED_IN;
}

absl::Status CheckFirstEvent(Event& next, const TransitionContext& context) {
  if (!next.cell_id || *next.cell_id <= 0) return InvalidField("cell", "is required");
  if (next.kind == v1::EVENT_KIND_PROSPECT_INTRODUCED) {
    if (next.introduced_by.empty()) return InvalidField("prospect.introduced_by", "is required");
    return absl::OkStatus();
  }
  // RECORD_OPENED / TRANSFERRED_IN: a member admitted before the record
  // opened, placed in the cell on effective_date.
  if (next.kind == v1::EVENT_KIND_TRANSFERRED_IN && next.transferred_from.empty()) {
    return InvalidField("existing.transferred_from", "is required for a transfer in from outside the tree");
  }
  if (next.kind == v1::EVENT_KIND_RECORD_OPENED && !next.transferred_from.empty()) {
    return InvalidField("existing.transferred_from", "is set only on a transfer in (EVENT_KIND_TRANSFERRED_IN)");
  }
  if (!IsCountedStatus(next.opened_status)) {
    return InvalidField("existing.status", "must be MEMBER_STATUS_PROBATIONARY or MEMBER_STATUS_OFFICIAL");
  }
  if (!next.opened_admission_decision_date) {
    return InvalidField("existing.admission_decision_date", "is required");
  }
  if (!next.opened_ceremony_date) return InvalidField("existing.admission_ceremony_date", "is required");
  const absl::CivilDay decided = *next.opened_admission_decision_date;
  const absl::CivilDay ceremony = *next.opened_ceremony_date;
  if (decided > context.today) return InvalidField("existing.admission_decision_date", "must not be after today");
  if (ceremony < decided) {
    return InvalidField("existing.admission_ceremony_date", "must not be before the admission decision");
  }
  if (ceremony > context.today) return InvalidField("existing.admission_ceremony_date", "must not be after today");
  const bool official = next.opened_status == v1::MEMBER_STATUS_OFFICIAL;
  if (official != next.opened_official_date.has_value()) {
    return InvalidField("existing.official_date", official ? "is required for an official member"
                                                           : "must be empty unless the member is official");
  }
  if (official) {
    if (*next.opened_official_date < ceremony) {
      return InvalidField("existing.official_date", "must not be before the admission ceremony");
    }
    if (*next.opened_official_date > context.today) {
      return InvalidField("existing.official_date", "must not be after today");
    }
  }
  if (next.effective_date < ceremony) {
    return InvalidField("existing.joined_cell_on", "must not be before the admission ceremony");
  }
  GR_ASSIGN_OR_RETURN(const common::Rule* probation, RuleInForce(context.rules, kRuleProbationMonths, ceremony));
  if (probation != nullptr) {
    GR_ASSIGN_OR_RETURN(const int64_t months, IntOf(*probation));
    next.probation_end_date = AddMonths(ceremony, static_cast<int>(months));
  } else if (!official) {
    // A probationary member's probation end cannot be computed without the rule.
    GR_RETURN_IF_ERROR(NeededRule(context.rules, kRuleProbationMonths, ceremony).status());
  }
  return CompleteIfGiven(next.decision, "existing.decision");
}

// MOVED_WITH_CELL, AWAITING_PLACEMENT, LEFT_WITH_CELL: the ended cell must be
// where the member stands (own cell; for a move, or the host cell).
absl::Status CheckCellEnding(const MemberState& state, const Event& next) {
  if (!next.from_cell_id || *next.from_cell_id <= 0) return InvalidField("from_cell", "is required");
  const bool own = state.cell_id == *next.from_cell_id;
  const bool hosted = state.host_cell_id == next.from_cell_id;
  if (next.kind == v1::EVENT_KIND_MOVED_WITH_CELL) {
    if (!next.successor_cell_id || *next.successor_cell_id <= 0) return InvalidField("cell", "is required");
    if (*next.successor_cell_id == *next.from_cell_id) return InvalidField("cell", "must differ from from_cell");
    if (own || hosted) return absl::OkStatus();
  } else if (own) {
    return absl::OkStatus();
  }
  return Reasoned(kFailedPrecondition, "NOT_IN_ENDED_CELL",
                  absl::StrCat(KindName(next.kind), " moves a member out of the cell that ended; on ",
                               FormatDate(next.effective_date), " this member is not in ", *next.from_cell_id));
}

absl::Status CheckTransferStart(const MemberState& state, Event& next, const TransitionContext& context) {
  if (state.awaiting_placement_from && next.transfer && IsTemporaryKind(next.transfer->kind)) {
    return Reasoned(kFailedPrecondition, "AWAITING_PLACEMENT",
                    "the member's cell ended with no successor and they have no cell to be hosted from; place "
                    "them first by an official transfer to a cell");
  }
  if (state.transfer_pending) {
    return Reasoned(kFailedPrecondition, "TRANSFER_PENDING",
                    "a transfer introduced earlier has not been presented yet; complete or void it first");
  }
  if (TemporaryInForce(state)) {
    return Reasoned(kFailedPrecondition, "TEMPORARY_TRANSFER_IN_FORCE",
                    "the member is on a temporary transfer; end it before starting another transfer");
  }
  if (!next.transfer) return InvalidField("transfer", "is required");
  TransferDetails& transfer = *next.transfer;
  if (transfer.kind != v1::TRANSFER_KIND_OFFICIAL && !IsTemporaryKind(transfer.kind)) {
    return InvalidField("transfer.kind", "must be OFFICIAL, TEMPORARY_WORK or TEMPORARY_TRAINING");
  }
  // The letter's date is the event's date.
  transfer.introduced_on = next.effective_date;
  if (transfer.destination_cell_id) {
    if (*transfer.destination_cell_id == state.cell_id) {
      return InvalidField("transfer.destination_cell", "must differ from the member's own cell");
    }
  } else if (transfer.destination_name.empty()) {
    return InvalidField("transfer.destination_name", "is required when the destination is outside the tree");
  }
  GR_RETURN_IF_ERROR(RequireDecision(next.decision, "decision"));
  if (transfer.kind == v1::TRANSFER_KIND_OFFICIAL) {
    if (transfer.planned_end) return InvalidField("transfer.planned_end", "applies to temporary transfers only");
    return absl::OkStatus();
  }
  if (!transfer.planned_end) return InvalidField("transfer.planned_end", "is required for a temporary transfer");
  const bool work = transfer.kind == v1::TRANSFER_KIND_TEMPORARY_WORK;
  GR_ASSIGN_OR_RETURN(const common::Rule* rule,
                      NeededRule(context.rules, work ? kRuleTemporaryWorkMonths : kRuleTemporaryTrainingMonths,
                                 transfer.introduced_on));
  if (!rule->value.is_object()) return absl::InternalError(absl::StrCat("rule ", rule->id, " is not a month range"));
  const std::string what = work ? "a temporary transfer for work or residence" : "a temporary transfer for training";
  GR_ASSIGN_OR_RETURN(const int64_t min_months, IntOf(*rule, "min"));
  if (*transfer.planned_end < AddMonths(transfer.introduced_on, static_cast<int>(min_months))) {
    return InvalidField("transfer.planned_end", absl::StrCat(what, " lasts at least ", min_months,
                                                             " months from the introduction (", Cite(*rule), ")"));
  }
  if (rule->value.contains("max_exclusive")) {
    GR_ASSIGN_OR_RETURN(const int64_t max_months, IntOf(*rule, "max_exclusive"));
    if (*transfer.planned_end >= AddMonths(transfer.introduced_on, static_cast<int>(max_months))) {
      return InvalidField("transfer.planned_end", absl::StrCat(what, " lasts less than ", max_months,
                                                               " months from the introduction (", Cite(*rule), ")"));
    }
  } else {
    GR_ASSIGN_OR_RETURN(const int64_t max_months, IntOf(*rule, "max"));
    if (*transfer.planned_end > AddMonths(transfer.introduced_on, static_cast<int>(max_months))) {
      return InvalidField("transfer.planned_end", absl::StrCat(what, " lasts at most ", max_months,
                                                               " months from the introduction (", Cite(*rule), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRemoval(const MemberState& state, const Event& next, const TransitionContext& context) {
  if (!IsCountedStatus(state.status)) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
  if (next.removal_trigger == v1::REMOVAL_TRIGGER_UNSPECIFIED || !v1::RemovalTrigger_IsValid(next.removal_trigger)) {
    return InvalidField("removal_trigger", "is required for a removal (xóa tên)");
  }
  if (next.removal_trigger == v1::REMOVAL_TRIGGER_PROBATION_NOT_RECOGNIZED) {
    if (state.status != v1::MEMBER_STATUS_PROBATIONARY) {
      return Reasoned(kFailedPrecondition, "REMOVAL_TRIGGER_NOT_APPLICABLE",
                      "PROBATION_NOT_RECOGNIZED applies to probationary members only");
    }
    if (state.probation_end_date && next.effective_date < *state.probation_end_date) {
      GR_ASSIGN_OR_RETURN(const common::Rule* rule,
                          RuleInForce(context.rules, kRuleProbationMonths,
                                      state.admission_ceremony_date.value_or(next.effective_date)));
      return Reasoned(kFailedPrecondition, "PROBATION_NOT_ENDED",
                      absl::StrCat("probation ends on ", FormatDate(*state.probation_end_date),
                                   "; a probationary member is not recognized only after it",
                                   rule ? absl::StrCat(" (", Cite(*rule), ")") : ""));
    }
  }
  return RequireDecision(next.decision, "decision");
}

absl::Status CheckRecognition(const MemberState& state, Event& next, const TransitionContext& context) {
  if (state.status != v1::MEMBER_STATUS_PROBATIONARY) return NotAllowed(next, state, "PROBATIONARY");
  GR_RETURN_IF_ERROR(CheckVoteNumbers(next.vote));
  const absl::CivilDay decided = *next.decision.signed_on;
  const absl::CivilDay probation_end = state.probation_end_date.value_or(decided);
  if (decided < probation_end) {
    GR_ASSIGN_OR_RETURN(const common::Rule* rule,
                        RuleInForce(context.rules, kRuleProbationMonths,
                                    state.admission_ceremony_date.value_or(decided)));
    return Reasoned(kFailedPrecondition, "PROBATION_NOT_ENDED",
                    absl::StrCat("probation ends on ", FormatDate(probation_end), "; recognition is decided after it",
                                 rule ? absl::StrCat(" (", Cite(*rule), ")") : ""));
  }
  GR_RETURN_IF_ERROR(CheckShare(*next.vote, context.rules, kRuleRecognitionShare, decided, "the recognition vote"));
  // Official from the day the probation ended, however late the cell met.
  next.effective_date = probation_end;
  next.recorded_on = decided > probation_end ? std::optional<absl::CivilDay>(decided) : std::nullopt;
  return absl::OkStatus();
}

absl::Status CheckKind(const MemberState& state, Event& next, const TransitionContext& context) {
  const bool counted = IsCountedStatus(state.status);
  switch (next.kind) {
    case v1::EVENT_KIND_AWARENESS_CLASS_COMPLETED: {
      if (state.status != v1::MEMBER_STATUS_PROSPECT) return NotAllowed(next, state, "PROSPECT");
      if (next.certificate_number.empty()) return InvalidField("certificate_number", "is required");
      if (next.decision.issuing_body.empty()) return InvalidField("certificate.issuing_body", "is required");
      GR_ASSIGN_OR_RETURN(const common::Rule* rule,
                          NeededRule(context.rules, kRuleCertificateYears, next.effective_date));
      GR_ASSIGN_OR_RETURN(const int64_t years, IntOf(*rule));
      next.certificate_valid_until = AddMonths(next.effective_date, static_cast<int>(years * 12));
      return absl::OkStatus();
    }
    case v1::EVENT_KIND_DOSSIER_COMPLETED:
      if (state.status != v1::MEMBER_STATUS_PROSPECT) return NotAllowed(next, state, "PROSPECT");
      return absl::OkStatus();
    case v1::EVENT_KIND_CELL_ADMISSION_VOTE: {
      if (state.status != v1::MEMBER_STATUS_PROSPECT) return NotAllowed(next, state, "PROSPECT");
      GR_RETURN_IF_ERROR(CheckVoteNumbers(next.vote));
      if (next.age_exception) GR_RETURN_IF_ERROR(RequireDecision(*next.age_exception, "age_exception"));
      if (next.education_exception) {
        GR_RETURN_IF_ERROR(RequireDecision(*next.education_exception, "education_exception"));
      }
      if (state.cell_vote_passed) {
        return Reasoned(kFailedPrecondition, "ADMISSION_VOTE_ALREADY_PASSED",
                        "the cell has already voted to propose this admission");
      }
      if (!state.dossier_completed) {
        return Reasoned(kFailedPrecondition, "DOSSIER_NOT_COMPLETED",
                        "the admission dossier must be complete before the cell votes");
      }
      GR_RETURN_IF_ERROR(CheckCertificate(state, next, context));
      GR_RETURN_IF_ERROR(CheckAge(next, context));
      GR_RETURN_IF_ERROR(CheckEducation(next, context));
      return CheckShare(*next.vote, context.rules, kRuleAdmissionShare, next.effective_date, "the admission vote");
    }
    case v1::EVENT_KIND_ADMISSION_DECIDED:
      if (state.status != v1::MEMBER_STATUS_PROSPECT) return NotAllowed(next, state, "PROSPECT");
      if (!state.cell_vote_passed) {
        return Reasoned(kFailedPrecondition, "CELL_VOTE_NOT_PASSED",
                        "admission is decided after the cell has voted in favour");
      }
      return absl::OkStatus();
    case v1::EVENT_KIND_ADMISSION_CEREMONY: {
      if (state.status != v1::MEMBER_STATUS_ADMITTED) return NotAllowed(next, state, "ADMITTED");
      if (next.extension) GR_RETURN_IF_ERROR(RequireDecision(*next.extension, "extension"));
      const absl::CivilDay decided = state.admission_decision_date.value_or(next.effective_date);
      GR_ASSIGN_OR_RETURN(const common::Rule* limit, RuleInForce(context.rules, kRuleCeremonyDays, decided));
      if (limit != nullptr && !next.extension) {
        GR_ASSIGN_OR_RETURN(const int64_t days, IntOf(*limit));
        const absl::CivilDay deadline = context.calendar.AddWorkingDays(decided, static_cast<int>(days));
        if (next.effective_date > deadline) {
          return Reasoned(kFailedPrecondition, "CEREMONY_DEADLINE_PASSED",
                          absl::StrCat("the ceremony is held within ", days,
                                       " working days of the admission decision (by ", FormatDate(deadline),
                                       "); a later ceremony needs the higher committee's consent, given as "
                                       "extension (",
                                       Cite(*limit), ")"));
        }
      }
      GR_ASSIGN_OR_RETURN(const common::Rule* probation,
                          NeededRule(context.rules, kRuleProbationMonths, next.effective_date));
      GR_ASSIGN_OR_RETURN(const int64_t months, IntOf(*probation));
      next.probation_end_date = AddMonths(next.effective_date, static_cast<int>(months));
      return absl::OkStatus();
    }
    case v1::EVENT_KIND_RECOGNIZED_OFFICIAL:
      return CheckRecognition(state, next, context);
    case v1::EVENT_KIND_ADMISSION_ABANDONED:
      if (state.status != v1::MEMBER_STATUS_PROSPECT && state.status != v1::MEMBER_STATUS_ADMITTED) {
        return NotAllowed(next, state, "PROSPECT or ADMITTED");
      }
      if (next.reason.empty()) return InvalidField("reason", "is required");
      return CompleteIfGiven(next.decision, "decision");
    case v1::EVENT_KIND_TRANSFER_STARTED:
      if (!counted) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
      return CheckTransferStart(state, next, context);
    case v1::EVENT_KIND_TRANSFER_COMPLETED:
      if (!counted) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
      if (!state.transfer_pending) {
        return Reasoned(kFailedPrecondition, "NO_TRANSFER_PENDING",
                        "the member has no transfer waiting to be presented");
      }
      return absl::OkStatus();
    case v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED:
      if (!counted) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
      if (!TemporaryInForce(state)) {
        return Reasoned(kFailedPrecondition, "NO_TEMPORARY_TRANSFER", "the member has no temporary transfer in force");
      }
      return absl::OkStatus();
    case v1::EVENT_KIND_EXEMPTED:
      if (!counted) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
      if (state.exempt) return Reasoned(kFailedPrecondition, "ALREADY_EXEMPT", "the member is already exempt");
      return RequireDecision(next.decision, "decision");
    case v1::EVENT_KIND_EXEMPTION_ENDED:
      if (!counted) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
      if (!state.exempt) return Reasoned(kFailedPrecondition, "NOT_EXEMPT", "the member is not exempt");
      return RequireDecision(next.decision, "decision");
    case v1::EVENT_KIND_SUSPENDED:
      if (!counted) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
      if (state.suspended) return Reasoned(kFailedPrecondition, "ALREADY_SUSPENDED", "the member is already suspended");
      return RequireDecision(next.decision, "decision");
    case v1::EVENT_KIND_SUSPENSION_ENDED:
      if (!counted) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
      if (!state.suspended) return Reasoned(kFailedPrecondition, "NOT_SUSPENDED", "the member is not suspended");
      return RequireDecision(next.decision, "decision");
    case v1::EVENT_KIND_REMOVED:
      return CheckRemoval(state, next, context);
    case v1::EVENT_KIND_LEFT:
    case v1::EVENT_KIND_EXPELLED:
      if (!counted) return NotAllowed(next, state, "PROBATIONARY or OFFICIAL");
      return RequireDecision(next.decision, "decision");
    case v1::EVENT_KIND_DECEASED:
      return CompleteIfGiven(next.decision, "decision");
    case v1::EVENT_KIND_MOVED_WITH_CELL:
    case v1::EVENT_KIND_AWAITING_PLACEMENT:
    case v1::EVENT_KIND_LEFT_WITH_CELL:
      // The organization's decision, as org recorded it (org validated it).
      return CheckCellEnding(state, next);
    case v1::EVENT_KIND_VOIDED:
      if (next.voids_event_id != state.last_event_id || state.last_event_id == 0) {
        return Reasoned(kFailedPrecondition, "NOT_LATEST_EVENT",
                        "only the member's latest event in force can be voided");
      }
      if (next.reason.empty()) return InvalidField("reason", "is required");
      return absl::OkStatus();
    default:
      return InvalidField("kind", "is not a known event kind");
  }
}

// ---- periods ---------------------------------------------------------------------------
bool SamePlacement(const Period& a, const Period& b) {
  return a.status == b.status && a.cell_id == b.cell_id && a.host_cell_id == b.host_cell_id &&
         a.exempt == b.exempt && a.suspended == b.suspended;
}

Period PeriodOf(const MemberState& state, absl::CivilDay from) {
  Period period;
  period.valid_from = from;
  period.status = state.status;
  period.cell_id = state.cell_id;
  period.host_cell_id = state.host_cell_id;
  period.exempt = state.exempt;
  period.suspended = state.suspended;
  return period;
}

// Records that from `from` on the member stands as `state`. Events arrive in
// date order (a retroactive recognition is handled apart).
void AddPeriod(std::vector<Period>& periods, absl::CivilDay from, const MemberState& state) {
  const bool left_tree = state.status == v1::MEMBER_STATUS_TRANSFERRED_OUT;
  if (!periods.empty() && periods.back().valid_from == from) {
    // Several events on one day: the day's last state stands.
    periods.pop_back();
    if (!periods.empty()) periods.back().valid_to.reset();
  }
  if (left_tree) {
    // No period in the tree after a transfer out.
    if (!periods.empty()) periods.back().valid_to = from;
    return;
  }
  Period next = PeriodOf(state, from);
  if (!periods.empty()) {
    if (SamePlacement(periods.back(), next)) return;
    periods.back().valid_to = from;
  }
  periods.push_back(next);
}

// A recognition decided late makes the member official from the end of
// probation: every period from that day on becomes OFFICIAL.
void MakeOfficialFrom(std::vector<Period>& periods, absl::CivilDay from) {
  for (size_t i = 0; i < periods.size(); ++i) {
    Period& p = periods[i];
    const bool covers = p.valid_from < from && (!p.valid_to || *p.valid_to > from);
    if (covers) {
      Period tail = p;
      tail.valid_from = from;
      p.valid_to = from;
      periods.insert(periods.begin() + static_cast<std::ptrdiff_t>(i) + 1, tail);
      break;
    }
  }
  for (Period& p : periods) {
    if (p.valid_from >= from) p.status = v1::MEMBER_STATUS_OFFICIAL;
  }
}

void MergeAdjacent(std::vector<Period>& periods) {
  std::vector<Period> merged;
  for (const Period& p : periods) {
    if (!merged.empty() && SamePlacement(merged.back(), p) && merged.back().valid_to == p.valid_from) {
      merged.back().valid_to = p.valid_to;
    } else {
      merged.push_back(p);
    }
  }
  periods = std::move(merged);
}

bool InForce(const Event& event) { return !event.voided && event.kind != v1::EVENT_KIND_VOIDED; }

void EndActivity(MemberState& s) {
  s.transfer_pending = false;
  s.pending_transfer_kind = v1::TRANSFER_KIND_UNSPECIFIED;
  s.pending_destination_cell_id.reset();
  s.pending_introduced_on.reset();
  s.temporary_planned_end.reset();
  s.host_cell_id.reset();
  s.exempt = false;
  s.suspended = false;
  s.awaiting_placement_from.reset();
}

void SetStatus(MemberState& s, v1::MemberStatus status, absl::CivilDay since) {
  s.status = status;
  s.status_since = since;
}

}  // namespace

bool MemberState::IsTerminal() const { return IsTerminalStatus(status); }

absl::Status CheckAndComplete(const MemberState& state, Event& next, const TransitionContext& context) {
  if (next.kind == v1::EVENT_KIND_UNSPECIFIED || !v1::EventKind_IsValid(next.kind)) {
    return InvalidField("kind", "is not a known event kind");
  }
  const bool opens = next.kind == v1::EVENT_KIND_PROSPECT_INTRODUCED || OpensAsMember(next.kind);
  const bool empty_log = state.status == v1::MEMBER_STATUS_UNSPECIFIED && state.last_event_id == 0;
  if (opens != empty_log) {
    return Reasoned(kFailedPrecondition, "ILLEGAL_TRANSITION",
                    opens ? absl::StrCat(KindName(next.kind), " opens a record; this member already has one")
                          : absl::StrCat(KindName(next.kind), " needs an open record"));
  }
  if (state.IsTerminal() && next.kind != v1::EVENT_KIND_VOIDED) {
    return Reasoned(kFailedPrecondition, "ILLEGAL_TRANSITION",
                    absl::StrCat("the record is closed (status ", StatusName(state.status), "); ",
                                 KindName(next.kind), " is not allowed, only voiding its latest event"));
  }
  // Decisions dated in the future are typing errors.
  GR_RETURN_IF_ERROR(NotInFuture(next.decision, "decision", context.today));
  GR_RETURN_IF_ERROR(NotInFuture(next.age_exception, "age_exception", context.today));
  GR_RETURN_IF_ERROR(NotInFuture(next.education_exception, "education_exception", context.today));
  GR_RETURN_IF_ERROR(NotInFuture(next.extension, "extension", context.today));

  // Kinds whose date is not given apart: the decision's, or the day of the correction.
  std::optional<absl::CivilDay> decided_on;
  switch (next.kind) {
    case v1::EVENT_KIND_ADMISSION_DECIDED:
      GR_RETURN_IF_ERROR(RequireDecision(next.decision, "decision"));
      next.effective_date = *next.decision.signed_on;
      break;
    case v1::EVENT_KIND_RECOGNIZED_OFFICIAL:
      GR_RETURN_IF_ERROR(RequireDecision(next.decision, "decision"));
      decided_on = *next.decision.signed_on;
      next.effective_date = *decided_on;
      break;
    case v1::EVENT_KIND_VOIDED:
      next.effective_date = context.today;
      break;
    default:
      break;
  }
  // A cell ending follows org's effective date, which may be scheduled ahead
  // (the member's later events then wait for that day: EVENT_OUT_OF_ORDER).
  if (next.effective_date > context.today && !FollowsCellEnding(next.kind)) {
    return InvalidField("effective_date", "must not be after today");
  }
  if (!opens && next.kind != v1::EVENT_KIND_VOIDED && next.effective_date < state.last_event_date) {
    return Reasoned(kFailedPrecondition, "EVENT_OUT_OF_ORDER",
                    absl::StrCat("the effective date ", FormatDate(next.effective_date),
                                 " is before the member's latest event (", FormatDate(state.last_event_date), ")"));
  }

  if (opens) {
    GR_RETURN_IF_ERROR(CheckFirstEvent(next, context));
  } else {
    GR_RETURN_IF_ERROR(CheckKind(state, next, context));
  }
  const MemberState after = Apply(state, next);
  if (next.kind != v1::EVENT_KIND_VOIDED) {
    next.status_after = after.status;
    next.cell_id = after.cell_id;
  }
  return absl::OkStatus();
}

absl::Status CheckAndCompleteOnLog(const std::vector<Event>& log, Event& next, const TransitionContext& context) {
  const MemberState state = Replay(log);
  if (next.kind != v1::EVENT_KIND_VOIDED) return CheckAndComplete(state, next, context);

  auto target = std::find_if(log.begin(), log.end(), [&](const Event& e) { return e.id == next.voids_event_id; });
  if (target == log.end() || next.voids_event_id == 0) {
    return absl::NotFoundError(absl::StrCat("event ", next.voids_event_id, " is not in the member's log"));
  }
  if (target->kind == v1::EVENT_KIND_VOIDED) {
    return Reasoned(kFailedPrecondition, "NOT_LATEST_EVENT", "a correction (VOIDED) cannot itself be voided");
  }
  if (target->voided) return Reasoned(kFailedPrecondition, "EVENT_ALREADY_VOIDED", "the event is already voided");
  if (target->id != state.last_event_id) {
    return Reasoned(kFailedPrecondition, "NOT_LATEST_EVENT", "only the member's latest event in force can be voided");
  }
  const auto first = std::find_if(log.begin(), log.end(), InForce);
  if (first == target) {
    return Reasoned(kFailedPrecondition, "FIRST_EVENT_NOT_VOIDABLE",
                    "the event that opened the record cannot be voided; correct the record instead");
  }
  GR_RETURN_IF_ERROR(CheckAndComplete(state, next, context));
  std::vector<Event> without = log;
  without[static_cast<size_t>(target - log.begin())].voided = true;
  const MemberState after = Replay(without);
  next.status_after = after.status;
  next.cell_id = after.cell_id;
  return absl::OkStatus();
}

MemberState Apply(const MemberState& state, const Event& event) {
  // A correction changes nothing by itself: Replay skips the voided event.
  if (event.kind == v1::EVENT_KIND_VOIDED) return state;
  MemberState s = state;
  const absl::CivilDay day = event.effective_date;
  switch (event.kind) {
    case v1::EVENT_KIND_PROSPECT_INTRODUCED:
      s = MemberState{};
      s.cell_id = event.cell_id.value_or(0);
      SetStatus(s, v1::MEMBER_STATUS_PROSPECT, day);
      break;
    case v1::EVENT_KIND_RECORD_OPENED:
    case v1::EVENT_KIND_TRANSFERRED_IN:
      s = MemberState{};
      s.cell_id = event.cell_id.value_or(0);
      s.admission_decision_date = event.opened_admission_decision_date;
      s.admission_ceremony_date = event.opened_ceremony_date;
      s.probation_end_date = event.probation_end_date;
      s.official_date = event.opened_official_date;
      SetStatus(s, event.opened_status,
                event.opened_status == v1::MEMBER_STATUS_OFFICIAL && event.opened_official_date
                    ? *event.opened_official_date
                    : event.opened_ceremony_date.value_or(day));
      break;
    case v1::EVENT_KIND_AWARENESS_CLASS_COMPLETED:
      s.awareness_certificate_valid_until = event.certificate_valid_until;
      break;
    case v1::EVENT_KIND_DOSSIER_COMPLETED:
      s.dossier_completed = true;
      break;
    case v1::EVENT_KIND_CELL_ADMISSION_VOTE:
      s.cell_vote_passed = true;
      break;
    case v1::EVENT_KIND_ADMISSION_DECIDED:
      s.admission_decision_date = day;
      SetStatus(s, v1::MEMBER_STATUS_ADMITTED, day);
      break;
    case v1::EVENT_KIND_ADMISSION_CEREMONY:
      s.admission_ceremony_date = day;
      s.probation_end_date = event.probation_end_date;
      SetStatus(s, v1::MEMBER_STATUS_PROBATIONARY, day);
      break;
    case v1::EVENT_KIND_RECOGNIZED_OFFICIAL:
      s.official_date = day;
      SetStatus(s, v1::MEMBER_STATUS_OFFICIAL, day);
      break;
    case v1::EVENT_KIND_ADMISSION_ABANDONED:
      EndActivity(s);
      SetStatus(s, v1::MEMBER_STATUS_NOT_ADMITTED, day);
      break;
    case v1::EVENT_KIND_TRANSFER_STARTED: {
      if (!event.transfer) break;
      const TransferDetails& t = *event.transfer;
      // Pending until the letter is presented (outside the tree too: the
      // receiving unit's acknowledgement is recorded as the presentation).
      s.transfer_pending = true;
      s.pending_transfer_kind = t.kind;
      s.pending_destination_cell_id = t.destination_cell_id;
      s.pending_introduced_on = day;
      s.temporary_planned_end = IsTemporaryKind(t.kind) ? t.planned_end : std::nullopt;
      break;
    }
    case v1::EVENT_KIND_TRANSFER_COMPLETED:
      if (s.pending_transfer_kind == v1::TRANSFER_KIND_OFFICIAL) {
        if (!s.pending_destination_cell_id) {
          // Presented outside the tree: the member leaves this committee's records.
          EndActivity(s);
          SetStatus(s, v1::MEMBER_STATUS_TRANSFERRED_OUT, day);
          break;
        }
        s.cell_id = *s.pending_destination_cell_id;
        s.awaiting_placement_from.reset();  // placed
      } else {
        // Hosted (nowhere in this tree when the host is outside it), still
        // counted in the home cell only.
        s.host_cell_id = s.pending_destination_cell_id;
      }
      s.transfer_pending = false;
      s.pending_transfer_kind = v1::TRANSFER_KIND_UNSPECIFIED;
      s.pending_destination_cell_id.reset();
      s.pending_introduced_on.reset();
      break;
    case v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED:
      s.host_cell_id.reset();
      s.temporary_planned_end.reset();
      break;
    case v1::EVENT_KIND_MOVED_WITH_CELL:
      if (s.cell_id == event.from_cell_id.value_or(0)) {
        s.cell_id = event.successor_cell_id.value_or(0);
      } else if (s.host_cell_id && s.host_cell_id == event.from_cell_id) {
        s.host_cell_id = event.successor_cell_id;
      }
      break;
    case v1::EVENT_KIND_AWAITING_PLACEMENT:
      s.awaiting_placement_from = s.cell_id;
      s.cell_id = 0;
      break;
    case v1::EVENT_KIND_LEFT_WITH_CELL:
      EndActivity(s);
      SetStatus(s, v1::MEMBER_STATUS_TRANSFERRED_OUT, day);
      break;
    case v1::EVENT_KIND_EXEMPTED:
      s.exempt = true;
      break;
    case v1::EVENT_KIND_EXEMPTION_ENDED:
      s.exempt = false;
      break;
    case v1::EVENT_KIND_SUSPENDED:
      s.suspended = true;
      break;
    case v1::EVENT_KIND_SUSPENSION_ENDED:
      s.suspended = false;
      break;
    case v1::EVENT_KIND_REMOVED:
      EndActivity(s);
      SetStatus(s, v1::MEMBER_STATUS_REMOVED, day);
      break;
    case v1::EVENT_KIND_LEFT:
      EndActivity(s);
      SetStatus(s, v1::MEMBER_STATUS_LEFT, day);
      break;
    case v1::EVENT_KIND_EXPELLED:
      EndActivity(s);
      SetStatus(s, v1::MEMBER_STATUS_EXPELLED, day);
      break;
    case v1::EVENT_KIND_DECEASED:
      EndActivity(s);
      // A prospect or an admitted person who dies was never a member.
      SetStatus(s, IsCountedStatus(state.status) ? v1::MEMBER_STATUS_DECEASED : v1::MEMBER_STATUS_NOT_ADMITTED, day);
      break;
    default:
      break;
  }
  // A late recognition is dated back to the end of probation; later events
  // are ordered after the day it was decided.
  absl::CivilDay ordered_on = event.recorded_on.value_or(day);
  if (OpensAsMember(event.kind) && event.opened_official_date) {
    ordered_on = std::max(ordered_on, *event.opened_official_date);
  }
  s.last_event_date = std::max(state.last_event_date, ordered_on);
  s.last_event_id = event.id;
  return s;
}

MemberState Replay(const std::vector<Event>& log) {
  MemberState state;
  for (const Event& event : log) {
    if (InForce(event)) state = Apply(state, event);
  }
  return state;
}

std::vector<Period> Periods(const std::vector<Event>& log) {
  std::vector<Period> periods;
  MemberState state;
  for (const Event& event : log) {
    if (!InForce(event)) continue;
    state = Apply(state, event);
    if (event.kind == v1::EVENT_KIND_RECOGNIZED_OFFICIAL && !periods.empty() &&
        event.effective_date < periods.back().valid_from) {
      MakeOfficialFrom(periods, event.effective_date);
      MergeAdjacent(periods);
      continue;
    }
    if (OpensAsMember(event.kind) && event.opened_official_date &&
        *event.opened_official_date > event.effective_date) {
      // Probationary in this cell until the official date the record gives.
      MemberState probationary = state;
      probationary.status = v1::MEMBER_STATUS_PROBATIONARY;
      AddPeriod(periods, event.effective_date, probationary);
      AddPeriod(periods, *event.opened_official_date, state);
      continue;
    }
    AddPeriod(periods, event.effective_date, state);
  }
  MergeAdjacent(periods);
  return periods;
}

std::optional<SuccessionStep> PlanCellSuccession(const std::vector<Event>& log, const CellEnding& ending) {
  for (const Event& e : log) {
    const bool same_ending = e.from_cell_id == ending.cell_id && e.effective_date == ending.effective_date;
    if (InForce(e) && same_ending) return std::nullopt;  // already followed
  }
  // Events are in the order they were decided: a late recognition by its decision day.
  size_t position = 0;
  while (position < log.size() &&
         log[position].recorded_on.value_or(log[position].effective_date) <= ending.effective_date) {
    ++position;
  }
  const MemberState state = Replay(std::vector<Event>(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(position)));
  if (state.status == v1::MEMBER_STATUS_UNSPECIFIED || state.IsTerminal()) return std::nullopt;
  const bool own = state.cell_id == ending.cell_id;
  const bool hosted = !own && state.host_cell_id == ending.cell_id;
  if (!own && !hosted) return std::nullopt;

  SuccessionStep step;
  step.position = position;
  step.state_before = state;
  Event& event = step.event;
  event.effective_date = ending.effective_date;
  event.decision = ending.decision;
  event.from_cell_id = ending.cell_id;
  if (ending.successor_cell_id && !ending.handed_over) {
    event.kind = v1::EVENT_KIND_MOVED_WITH_CELL;
    event.successor_cell_id = ending.successor_cell_id;
  } else if (hosted) {
    event.kind = v1::EVENT_KIND_TEMPORARY_TRANSFER_ENDED;
  } else {
    event.kind = ending.handed_over ? v1::EVENT_KIND_LEFT_WITH_CELL : v1::EVENT_KIND_AWAITING_PLACEMENT;
  }
  return step;
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay first(month);
  const int last_day = static_cast<int>(absl::CivilDay(month + 1) - first);
  return first + (std::min(static_cast<int>(day.day()), last_day) - 1);
}

int32_t AgeInMonths(absl::CivilDay birth_date, absl::CivilDay day) {
  int32_t months = static_cast<int32_t>((day.year() - birth_date.year()) * 12 + (day.month() - birth_date.month()));
  // A month is complete on the same day of the month (or the month's last day when shorter).
  if (AddMonths(birth_date, months) > day) --months;
  return months;
}

int32_t AgeInYears(absl::CivilDay birth_date, absl::CivilDay day) {
  const int32_t months = AgeInMonths(birth_date, day);
  return months >= 0 ? months / 12 : -((-months + 11) / 12);
}

}  // namespace grassroots::membership::domain
