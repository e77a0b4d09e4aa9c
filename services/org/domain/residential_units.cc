#include "services/org/domain/residential_units.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"

namespace grassroots::org::domain {
namespace {

std::string Day(absl::CivilDay day) { return common::api::FormatDate(day); }

template <typename Period>
std::vector<Span> ToSpans(const std::vector<Period>& periods) {
  std::vector<Span> spans;
  spans.reserve(periods.size());
  for (const Period& p : periods) spans.push_back(Span{p.id, p.valid_from, p.valid_to});
  return spans;
}

}  // namespace

std::string_view HeadPostCode(HeadPost post) {
  switch (post) {
    case HeadPost::kVillageHead: return "VILLAGE_HEAD";
    case HeadPost::kResidentialGroupHead: return "RESIDENTIAL_GROUP_HEAD";
    case HeadPost::kFrontWorkCommitteeHead: return "FRONT_WORK_COMMITTEE_HEAD";
  }
  return "";
}

std::optional<HeadPost> HeadPostFromCode(std::string_view code) {
  for (HeadPost post : {HeadPost::kVillageHead, HeadPost::kResidentialGroupHead, HeadPost::kFrontWorkCommitteeHead}) {
    if (HeadPostCode(post) == code) return post;
  }
  return std::nullopt;
}

HeadPost LeaderPostOf(ResidentialUnitKind kind) {
  return kind == ResidentialUnitKind::kResidentialGroup ? HeadPost::kResidentialGroupHead : HeadPost::kVillageHead;
}

std::vector<Span> SpansOf(const std::vector<CoveringPeriod>& periods) { return ToSpans(periods); }
std::vector<Span> SpansOf(const std::vector<HeadPeriod>& periods) { return ToSpans(periods); }

absl::Status RequireUnitActiveOn(const ResidentialUnit& unit, absl::CivilDay day) {
  if (unit.IsActiveOn(day)) return absl::OkStatus();
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "UNIT_NOT_ACTIVE",
                          absl::StrCat("residentialUnits/", unit.id, " does not exist on ", Day(day)));
}

absl::StatusOr<std::optional<int64_t>> PlanSuccession(const std::vector<Span>& series, absl::CivilDay from,
                                                      std::string_view what) {
  std::optional<int64_t> open;
  for (const Span& span : series) {
    // The latest day the series is already fixed up to: a later start, or a recorded end.
    const absl::CivilDay fixed_until = span.valid_to ? std::max(*span.valid_to, span.valid_from) : span.valid_from;
    if (span.valid_from >= from || (span.valid_to && *span.valid_to > from)) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "DATED_CHANGE_BEFORE_LATER_CHANGE",
                              absl::StrCat(common::ToAbsl(what), " already changed on ", Day(fixed_until),
                                           "; a change on ", Day(from), " would rewrite that history"));
    }
    if (!span.valid_to) open = span.id;
  }
  return open;
}

absl::StatusOr<int64_t> OpenPeriod(const std::vector<Span>& series, std::string_view what) {
  for (const Span& span : series) {
    if (!span.valid_to) return span.id;
  }
  return common::Reasoned(absl::StatusCode::kFailedPrecondition, "NO_CURRENT_PERIOD",
                          absl::StrCat(common::ToAbsl(what), " has no current holder to end"));
}

absl::Status CheckEnd(const std::vector<Span>& series, int64_t id, absl::CivilDay on) {
  for (const Span& span : series) {
    if (span.id != id) continue;
    if (span.valid_to) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "PERIOD_ALREADY_ENDED",
                              absl::StrCat("the period already ended on ", Day(*span.valid_to)));
    }
    if (on <= span.valid_from) {
      return common::InvalidField("effective_date", absl::StrCat("must be after ", Day(span.valid_from),
                                                                 ", when the period began"));
    }
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("period ", id, " not found"));
}

absl::Status CheckCoveringCell(const Organization& cell, absl::CivilDay from, std::string_view field) {
  if (!cell.type.is_cell) return common::InvalidField(field, "must be a cell (chi bộ)");
  const std::string name = common::api::MakeName("organizations", cell.id);
  if (!cell.IsActiveOn(from)) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "COVERING_CELL_NOT_ACTIVE",
                            absl::StrCat(name, " is not active on ", Day(from)));
  }
  if (cell.ended_on) {
    return common::Reasoned(absl::StatusCode::kFailedPrecondition, "COVERING_CELL_NOT_ACTIVE",
                            absl::StrCat(name, " ended on ", Day(*cell.ended_on),
                                         "; a cell that has ended cannot go on covering a unit"));
  }
  return absl::OkStatus();
}

absl::Status CheckPostForUnit(ResidentialUnitKind kind, HeadPost post, std::string_view field) {
  if (post == HeadPost::kFrontWorkCommitteeHead || post == LeaderPostOf(kind)) return absl::OkStatus();
  return common::InvalidField(field, kind == ResidentialUnitKind::kVillage
                                         ? "a village has a VILLAGE_HEAD, not a RESIDENTIAL_GROUP_HEAD"
                                         : "a residential group has a RESIDENTIAL_GROUP_HEAD, not a VILLAGE_HEAD");
}

absl::Status CheckHeadMembership(bool is_party_member, bool names_member, std::string_view field) {
  if (is_party_member == names_member) return absl::OkStatus();
  const std::string member_field = absl::StrCat(common::ToAbsl(field), ".member");
  if (names_member) return common::InvalidField(member_field, "is only for a head who is a party member");
  return common::InvalidField(member_field, "is required for a head who is a party member (membership confirms it)");
}

absl::Status CheckHeadTraining(const HeadPeriod& head, const HeadTraining& training, absl::CivilDay today) {
  if (training.post != head.post) {
    return common::InvalidField("training.post", absl::StrCat("must be the head's post, ", common::ToAbsl(HeadPostCode(head.post))));
  }
  if (training.start_date > today) return common::InvalidField("training.start_date", "must not be in the future");
  if (training.end_date < training.start_date) {
    return common::InvalidField("training.end_date", "must not be before training.start_date");
  }
  if (training.term_ends_on && *training.term_ends_on <= training.term_starts_on) {
    return common::InvalidField("training.term_ends_on", "must be after training.term_starts_on");
  }
  if (training.term_ends_on && training.start_date >= *training.term_ends_on) {
    return common::InvalidField("training.start_date", "must be before the term ends, or it trains for no day of it");
  }
  return absl::OkStatus();
}

}  // namespace grassroots::org::domain
