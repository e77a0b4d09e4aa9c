#include "services/reporting/handlers/statistics_handlers.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/reporting/domain/dues_statistics.h"
#include "services/reporting/store/scorecard_facts_store.h"
#include "services/reporting/store/statistics_store.h"

namespace grassroots::reporting {
namespace {

namespace v1 = grassroots::reporting::v1;
namespace api = common::api;
using store::ScorecardFactsStore;
using store::StatisticsStore;

constexpr int kFirstYear = 1930;
constexpr char kMinCountRule[] = "reporting.statistics.min_cell_count";

struct Scope {
  int64_t org_id = 0;
  int year = 0;
  absl::CivilDay day;
};

// The scorecard's scope rules: a year is its 31 December (today for the
// current year), an as-of day lies in the year when both are given.
absl::StatusOr<Scope> ParseScope(const v1::StatisticsScope& scope) {
  Scope parsed;
  GR_ASSIGN_OR_RETURN(parsed.org_id, api::ParseId(scope.organization(), "organizations", "scope.organization"));
  const absl::CivilDay today = api::Today();
  parsed.year = scope.year();
  if (parsed.year != 0 && (parsed.year < kFirstYear || parsed.year > today.year())) {
    return common::InvalidField("scope.year", absl::StrCat("must be a year from ", kFirstYear, " to ", today.year()));
  }
  if (scope.as_of_date().empty()) {
    if (parsed.year == 0) return common::InvalidField("scope.year", "give a year or an as_of_date");
    parsed.day = std::min(absl::CivilDay(parsed.year, 12, 31), today);
    return parsed;
  }
  GR_ASSIGN_OR_RETURN(parsed.day, api::ParseDateOr(scope.as_of_date(), "scope.as_of_date", today));
  if (parsed.day > today) return common::InvalidField("scope.as_of_date", "must not be after today");
  if (parsed.year != 0 && parsed.day.year() != parsed.year) {
    return common::InvalidField("scope.as_of_date", "must fall in scope.year");
  }
  parsed.year = static_cast<int>(parsed.day.year());
  return parsed;
}

// The subtree on the day and what every answer reports about itself.
struct Subtree {
  std::vector<int64_t> organizations;  // placed on the day (ended ones by their last day)
  std::vector<int64_t> existing;       // of those, the ones that exist on the day
  std::vector<ScorecardFactsStore::Placed> placed;  // the same, with each one's parent
  std::string display_name;
  std::vector<store::FeedPosition> positions;
};

// Reads the subtree and then `read` over it, in one read-only transaction.
template <typename T, typename Read>
absl::StatusOr<std::pair<Subtree, T>> ReadSubtree(HandlerContext& ctx, const Scope& scope, const char* operation,
                                                  Read read) {
  using Result = std::pair<Subtree, T>;
  return ctx.pool.Transact<Result>(operation, [&](common::db::Session& session) -> absl::StatusOr<Result> {
    GR_ASSIGN_OR_RETURN(std::optional<store::OrganizationLife> life, ScorecardFactsStore::Life(session, scope.org_id));
    if (!life) {
      return absl::NotFoundError(absl::StrCat("scope.organization: organizations/", scope.org_id, " is not known"));
    }
    if (scope.day < life->established_on || (life->ended_on && scope.day >= *life->ended_on)) {
      return common::Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_NOT_ACTIVE",
                              absl::StrCat("organizations/", scope.org_id, " did not exist on ",
                                           api::FormatDate(scope.day), "; ask for a date it existed on"));
    }
    Result result;
    Subtree& subtree = result.first;
    GR_ASSIGN_OR_RETURN(const std::vector<ScorecardFactsStore::Placed> placed,
                        ScorecardFactsStore::PlacedOrganizations(session, scope.org_id, scope.day));
    for (const ScorecardFactsStore::Placed& p : placed) {
      subtree.organizations.push_back(p.id);
      if (!p.ended_on || *p.ended_on > scope.day) subtree.existing.push_back(p.id);
    }
    subtree.placed = placed;
    GR_ASSIGN_OR_RETURN(const auto names, ScorecardFactsStore::OrganizationNames(session, {scope.org_id}));
    if (auto it = names.find(scope.org_id); it != names.end()) subtree.display_name = it->second;
    GR_ASSIGN_OR_RETURN(subtree.positions, ScorecardFactsStore::Positions(session));
    GR_ASSIGN_OR_RETURN(result.second, read(session, subtree));
    return result;
  });
}

// Counts of persons are withheld below the rule's threshold from roles that may not see persons.
absl::StatusOr<int64_t> MinCountFor(const HandlerContext& ctx, const common::auth::Principal& principal,
                                    absl::CivilDay day) {
  using common::auth::Role;
  if (principal.HasAnyRole({Role::kAdmin, Role::kInspector, Role::kSecretary})) return 0;
  return ctx.rules.GetInt(kMinCountRule, day);
}

void FillHeader(const Scope& scope, const Subtree& subtree, int64_t min_count, v1::StatisticsHeader* out) {
  out->set_organization(absl::StrCat("organizations/", scope.org_id));
  out->set_organization_display_name(subtree.display_name);
  out->set_year(scope.year);
  out->set_as_of_date(api::FormatDate(scope.day));
  out->set_min_cell_count(min_count);
  if (min_count > 0) out->set_suppression_rule(kMinCountRule);
  for (const store::FeedPosition& position : subtree.positions) {
    v1::FeedPosition* p = out->add_positions();
    p->set_source(position.source);
    p->set_sequence(position.sequence);
    p->set_epoch(position.epoch);
  }
}

void FillTables(std::vector<domain::StatisticsTable> tables, int64_t min_count,
                google::protobuf::RepeatedPtrField<v1::StatisticsTable>* out) {
  for (domain::StatisticsTable& table : tables) {
    domain::Suppress(table, min_count);
    v1::StatisticsTable* t = out->Add();
    t->set_dimension(table.dimension);
    t->set_title(table.title);
    t->set_total(table.total);
    t->set_total_suppressed(table.total_suppressed);
    for (const domain::StatisticsRow& row : table.rows) {
      v1::StatisticsRow* r = t->add_rows();
      r->set_key(row.key);
      r->set_label(row.label);
      r->set_count(row.count);
      r->set_suppressed(row.suppressed);
    }
  }
}

absl::StatusOr<domain::MemberDimension> DimensionOf(int value, int index) {
  switch (value) {
    case v1::MEMBER_DIMENSION_STATUS: return domain::MemberDimension::kStatus;
    case v1::MEMBER_DIMENSION_SEX: return domain::MemberDimension::kSex;
    case v1::MEMBER_DIMENSION_AGE_BAND: return domain::MemberDimension::kAgeBand;
    case v1::MEMBER_DIMENSION_ETHNICITY: return domain::MemberDimension::kEthnicity;
    case v1::MEMBER_DIMENSION_RELIGION: return domain::MemberDimension::kReligion;
    case v1::MEMBER_DIMENSION_GENERAL_EDUCATION: return domain::MemberDimension::kGeneralEducation;
    case v1::MEMBER_DIMENSION_PROFESSIONAL_QUALIFICATION: return domain::MemberDimension::kProfessionalQualification;
    case v1::MEMBER_DIMENSION_POLITICAL_THEORY: return domain::MemberDimension::kPoliticalTheory;
    case v1::MEMBER_DIMENSION_OCCUPATION: return domain::MemberDimension::kOccupation;
    case v1::MEMBER_DIMENSION_PARTY_AGE: return domain::MemberDimension::kPartyAge;
    default: return common::InvalidField(absl::StrCat("dimensions[", index, "]"), "is not a member dimension");
  }
}

absl::StatusOr<std::vector<domain::Band>> BandsOf(const common::RulesRegistry& rules, const char* id,
                                                  absl::CivilDay day) {
  GR_ASSIGN_OR_RETURN(const common::Rule* rule, rules.Find(id, day));
  return domain::ParseBands(rule->value, id);
}

absl::StatusOr<domain::CodeNames> LoadCodeNames(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the code list ", path));
  std::stringstream text;
  text << in.rdbuf();
  return domain::ParseCodeNames(text.str(), path);
}

}  // namespace

absl::StatusOr<StatisticsCodeNames> LoadStatisticsCodeNames(const std::string& dir) {
  StatisticsCodeNames names;
  GR_ASSIGN_OR_RETURN(names.ethnicities, LoadCodeNames(dir + "/ethnicity.json"));
  GR_ASSIGN_OR_RETURN(names.religions, LoadCodeNames(dir + "/religion.json"));
  return names;
}

StatisticsServiceImpl::StatisticsServiceImpl(HandlerContext& ctx, absl::StatusOr<StatisticsCodeNames> codes)
    : ctx_(ctx), codes_(std::move(codes)), envelope_(v1::StatisticsService::service_full_name(), ctx.authorizer) {}

grpc::Status StatisticsServiceImpl::GetMemberStatistics(grpc::ServerContext* context,
                                                        const v1::GetMemberStatisticsRequest* request,
                                                        v1::MemberStatistics* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const Scope scope, ParseScope(request->scope()));
    std::vector<domain::MemberDimension> dimensions;
    for (int i = 0; i < request->dimensions_size(); ++i) {
      GR_ASSIGN_OR_RETURN(const domain::MemberDimension dimension, DimensionOf(request->dimensions(i), i));
      if (std::find(dimensions.begin(), dimensions.end(), dimension) == dimensions.end()) dimensions.push_back(dimension);
    }
    if (dimensions.empty()) dimensions = domain::AllMemberDimensions();
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const int64_t min_count, MinCountFor(ctx_, call.principal, scope.day));
    domain::MemberTallyRules rules{scope.day, {}, {}, {}, {}};
    GR_ASSIGN_OR_RETURN(rules.age_bands, BandsOf(ctx_.rules, "reporting.statistics.age_bands", scope.day));
    GR_ASSIGN_OR_RETURN(rules.party_age_bands, BandsOf(ctx_.rules, "reporting.statistics.party_age_bands", scope.day));
    const bool needs_codes = std::any_of(dimensions.begin(), dimensions.end(), [](domain::MemberDimension d) {
      return d == domain::MemberDimension::kEthnicity || d == domain::MemberDimension::kReligion;
    });
    if (needs_codes) {
      if (!codes_.ok()) return absl::InternalError("the code lists (ethnicity, religion) were not loaded at start");
      rules.ethnicities = codes_->ethnicities;
      rules.religions = codes_->religions;
    }
    using Members = std::vector<domain::CountedMember>;
    GR_ASSIGN_OR_RETURN(const auto read,
                        ReadSubtree<Members>(ctx_, scope, "statistics.members",
                                             [&](common::db::Session& session, const Subtree& subtree) {
                                               return StatisticsStore::CountedMembers(session, subtree.organizations,
                                                                                      scope.day);
                                             }));
    FillHeader(scope, read.first, min_count, response->mutable_header());
    std::vector<domain::StatisticsTable> tables;
    for (const domain::MemberDimension dimension : dimensions) {
      tables.push_back(domain::TallyMembers(dimension, read.second, rules));
    }
    FillTables(std::move(tables), min_count, response->mutable_tables());
    return absl::OkStatus();
  });
}

grpc::Status StatisticsServiceImpl::GetOrganizationStatistics(grpc::ServerContext* context,
                                                              const v1::GetOrganizationStatisticsRequest* request,
                                                              v1::OrganizationStatistics* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const Scope scope, ParseScope(request->scope()));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    using Organizations = std::vector<domain::CountedOrganization>;
    GR_ASSIGN_OR_RETURN(const auto read,
                        ReadSubtree<Organizations>(ctx_, scope, "statistics.organizations",
                                                   [&](common::db::Session& session, const Subtree& subtree) {
                                                     return StatisticsStore::ActiveOrganizations(
                                                         session, subtree.existing, scope.day);
                                                   }));
    // Organizations are not persons: their counts are shown to every reader.
    FillHeader(scope, read.first, 0, response->mutable_header());
    FillTables(domain::TallyOrganizations(read.second), 0, response->mutable_tables());
    return absl::OkStatus();
  });
}

grpc::Status StatisticsServiceImpl::GetMovements(grpc::ServerContext* context, const v1::GetMovementsRequest* request,
                                                 v1::Movements* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const Scope scope, ParseScope(request->scope()));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const int64_t min_count, MinCountFor(ctx_, call.principal, scope.day));
    GR_ASSIGN_OR_RETURN(const auto read,
                        ReadSubtree<domain::MovementCounts>(
                            ctx_, scope, "statistics.movements",
                            [&](common::db::Session& session, const Subtree& subtree) {
                              return StatisticsStore::Movements(session, subtree.organizations,
                                                                absl::CivilDay(scope.year, 1, 1), scope.day);
                            }));
    FillHeader(scope, read.first, min_count, response->mutable_header());
    FillTables(domain::MovementTables(read.second), min_count, response->mutable_tables());
    return absl::OkStatus();
  });
}

namespace {

void FillFigures(const domain::DuesFigures& in, v1::DuesFigures* out) {
  out->set_members_owing(in.members_owing);
  out->set_due(in.due);
  out->set_paid(in.paid);
  out->set_voluntary(in.voluntary);
  out->set_outstanding(in.outstanding);
  out->set_members_unpaid(in.members_unpaid);
  out->set_members_in_arrears(in.members_in_arrears);
  out->set_suppressed(in.suppressed);
}

domain::DuesFigures FiguresOf(const StatisticsStore::DuesCellMonth& row) {
  domain::DuesFigures f;
  f.members_owing = row.members_owing;
  f.due = row.due;
  f.paid = row.paid;
  f.voluntary = row.voluntary;
  f.outstanding = row.outstanding;
  f.members_unpaid = row.members_unpaid;
  f.members_in_arrears = row.members_in_arrears;
  return f;
}

struct DuesRead {
  std::vector<StatisticsStore::DuesCellMonth> rows;
  // Each placed organization's ancestor directly below the root (itself when it is one).
  std::map<int64_t, int64_t> branch_of;
  std::vector<int64_t> branches;
  std::map<int64_t, std::string> names;
};

}  // namespace

grpc::Status StatisticsServiceImpl::GetDuesStatistics(grpc::ServerContext* context,
                                                      const v1::GetDuesStatisticsRequest* request,
                                                      v1::DuesStatistics* response) {
  return envelope_.Run(context, __func__, [&](const common::auth::CallContext& call) -> absl::Status {
    GR_ASSIGN_OR_RETURN(const Scope scope, ParseScope(request->scope()));
    GR_RETURN_IF_ERROR(ctx_.authorizer.RequireInScope(call.principal, scope.org_id, ctx_.organizations));
    GR_ASSIGN_OR_RETURN(const int64_t min_count, MinCountFor(ctx_, call.principal, scope.day));
    GR_ASSIGN_OR_RETURN(
        const auto read,
        ReadSubtree<DuesRead>(ctx_, scope, "statistics.dues",
                              [&](common::db::Session& session, const Subtree& subtree) -> absl::StatusOr<DuesRead> {
                                DuesRead out;
                                GR_ASSIGN_OR_RETURN(out.rows, StatisticsStore::DuesOfYear(
                                                                  session, subtree.organizations, scope.year));
                                const std::vector<ScorecardFactsStore::Placed>& placed = subtree.placed;
                                std::map<int64_t, std::optional<int64_t>> parent_of;
                                for (const auto& p : placed) parent_of[p.id] = p.parent_id;
                                for (const auto& p : placed) {
                                  if (p.parent_id == scope.org_id) out.branches.push_back(p.id);
                                  // Up to the root's child; parents come before children, so the walk ends.
                                  int64_t at = p.id;
                                  while (at != scope.org_id) {
                                    const std::optional<int64_t> up = parent_of[at];
                                    if (!up || *up == scope.org_id) break;
                                    at = *up;
                                  }
                                  if (at != scope.org_id) out.branch_of[p.id] = at;
                                }
                                GR_ASSIGN_OR_RETURN(out.names,
                                                    ScorecardFactsStore::OrganizationNames(session, out.branches));
                                return out;
                              }));
    const Subtree& subtree = read.first;
    const DuesRead& dues = read.second;
    std::vector<domain::DuesFigures> months(12);
    std::map<int64_t, std::vector<domain::DuesFigures>> branch_months;
    for (int64_t branch : dues.branches) branch_months[branch].resize(12);
    for (const StatisticsStore::DuesCellMonth& row : dues.rows) {
      const size_t index = static_cast<size_t>(row.month.month() - 1);
      domain::AddCells(months[index], FiguresOf(row));
      if (auto branch = dues.branch_of.find(row.cell_id); branch != dues.branch_of.end()) {
        domain::AddCells(branch_months[branch->second][index], FiguresOf(row));
      }
    }
    FillHeader(scope, subtree, min_count, response->mutable_header());
    for (size_t i = 0; i < months.size(); ++i) {
      domain::DuesFigures figures = months[i];
      domain::Suppress(figures, min_count);
      v1::DuesFigures* out = response->add_months();
      out->set_month(absl::FormatCivilTime(absl::CivilMonth(scope.year, static_cast<int>(i) + 1)));
      FillFigures(figures, out);
    }
    domain::DuesFigures year = domain::YearOf(months);
    domain::Suppress(year, min_count);
    FillFigures(year, response->mutable_year());
    response->mutable_year()->set_organization(absl::StrCat("organizations/", scope.org_id));
    response->mutable_year()->set_organization_display_name(subtree.display_name);
    std::vector<std::pair<std::string, int64_t>> by_name;
    for (int64_t branch : dues.branches) {
      auto name = dues.names.find(branch);
      by_name.emplace_back(name == dues.names.end() ? "" : name->second, branch);
    }
    std::sort(by_name.begin(), by_name.end());
    std::vector<domain::DuesFigures> below;
    for (const auto& [name, branch] : by_name) below.push_back(domain::YearOf(branch_months[branch]));
    // One figure withheld among shown ones is the year less the others: withhold the next smallest too.
    std::vector<size_t> withheld;
    for (size_t i = 0; i < below.size(); ++i) {
      const bool few = below[i].members_owing > 0 && below[i].members_owing < min_count;
      if (few) withheld.push_back(i);
      domain::Suppress(below[i], min_count);
    }
    if (withheld.size() == 1 && !year.suppressed) {
      std::optional<size_t> smallest;
      for (size_t i = 0; i < below.size(); ++i) {
        if (below[i].suppressed || below[i].members_owing == 0) continue;
        if (!smallest || below[i].members_owing < below[*smallest].members_owing) smallest = i;
      }
      if (smallest) domain::Suppress(below[*smallest], std::numeric_limits<int64_t>::max());
    }
    for (size_t i = 0; i < below.size(); ++i) {
      v1::DuesFigures* out = response->add_below();
      out->set_organization(absl::StrCat("organizations/", by_name[i].second));
      out->set_organization_display_name(by_name[i].first);
      FillFigures(below[i], out);
    }
    return absl::OkStatus();
  });
}

}  // namespace grassroots::reporting
