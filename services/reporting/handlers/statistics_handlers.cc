#include "services/reporting/handlers/statistics_handlers.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
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

}  // namespace grassroots::reporting
