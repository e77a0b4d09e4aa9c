// What membership publishes for reporting (issue 7): the member as a reporting
// projection (MemberFacts), the derived status periods after every event, the
// events with the facts reporting needs (opening dates, discipline reference,
// transfer in), dated attributes, and ethnicity/religion codes with the
// migration of legacy free text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "services/membership/handlers/code_migration.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Stub = v1::LifecycleService::Stub;

namespace feedv1 = ::grassroots::feed::v1;

class GrpcMemberFactsTest : public MembershipFixture {
 protected:
  // Every change of `type` about `resource_name`, oldest first.
  static std::vector<feedv1::Change> ChangesOf(const std::string& type, const std::string& resource_name) {
    feedv1::StreamChangesRequest request;
    request.set_after_sequence(0);
    request.set_follow(false);
    request.add_resource_types(type);
    grpc::ClientContext context;
    Authorize(context, ServiceToken());
    std::unique_ptr<grpc::ClientReader<feedv1::Change>> reader = member_feed().StreamChanges(&context, request);
    std::vector<feedv1::Change> out;
    feedv1::Change change;
    while (reader->Read(&change)) {
      if (change.resource_name() == resource_name ||
          (type == "member_event" && change.resource_name().rfind(resource_name + "/", 0) == 0)) {
        out.push_back(change);
      }
    }
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  template <typename Message>
  static Message Unpack(const feedv1::Change& change) {
    Message out;
    EXPECT_TRUE(change.resource().UnpackTo(&out)) << change.resource().type_url();
    return out;
  }
  static v1::Member Update(const v1::Member& member, const std::vector<std::string>& paths,
                           const std::string& effective_date, grpc::Status* status_out = nullptr) {
    v1::UpdateMemberRequest request;
    *request.mutable_member() = member;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    request.set_effective_date(effective_date);
    v1::Member out;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::UpdateMember, AdminToken(), request, &out);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status) << " " << Reason(status);
    }
    return out;
  }
};

TEST_F(GrpcMemberFactsTest, TheMemberPayloadIsAProjectionWithoutPersonalData) {
  const Branch branch = NewBranch();
  v1::Member person = NewPerson(PersonOptions().WithName("Hà Văn Dự Án").BornOn("1984-07-23"));
  person.set_ethnicity("02");  // Tày
  person.set_religion("01");   // Buddhism
  person.set_email("du.an@example.vn");
  person.set_professional_qualification_level(v1::PROFESSIONAL_QUALIFICATION_LEVEL_BACHELOR);
  const v1::Member created = CreateExisting(branch.cell_a, person);
  EXPECT_EQ(created.ethnicity(), "02");
  EXPECT_EQ(created.ethnicity_name(), "Tày");
  EXPECT_EQ(created.religion_name(), "Phật giáo");

  const std::vector<feedv1::Change> changes = ChangesOf("member", created.name());
  ASSERT_FALSE(changes.empty());
  for (const std::string& personal : {person.full_name(), person.citizen_id(), person.phone(), person.email(),
                                      person.permanent_address(), person.birth_place(), person.birth_date()}) {
    EXPECT_THAT(changes.back().resource().value(), Not(HasSubstr(personal)));
  }
  const auto facts = Unpack<v1::MemberFacts>(changes.back());
  EXPECT_EQ(facts.member(), created.name());
  EXPECT_EQ(facts.birth_year(), 1984);
  EXPECT_EQ(facts.birth_month(), 7);
  EXPECT_EQ(facts.sex(), person.sex());
  EXPECT_EQ(facts.ethnicity_code(), "02");
  EXPECT_EQ(facts.religion_code(), "01");
  EXPECT_EQ(facts.occupation_category(), person.occupation_category());
  EXPECT_EQ(facts.professional_qualification_level(), v1::PROFESSIONAL_QUALIFICATION_LEVEL_BACHELOR);
  EXPECT_EQ(facts.status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(facts.cell(), OrgName(branch.cell_a));
  EXPECT_EQ(facts.admission_ceremony_date(), created.admission_ceremony_date());
  EXPECT_EQ(facts.official_date(), created.official_date());
  EXPECT_EQ(facts.attribute_periods_size(), 4) << "one open period per dated attribute";
  for (const v1::AttributePeriod& period : facts.attribute_periods()) {
    EXPECT_EQ(period.valid_from(), created.admission_decision_date());
    EXPECT_TRUE(period.valid_to().empty());
  }
  EXPECT_EQ(facts.occupation_category_at_admission(), person.occupation_category());
}

TEST_F(GrpcMemberFactsTest, StatusPeriodsFollowEveryEvent) {
  const Branch branch = NewBranch();
  const v1::Member created = CreateExisting(branch.cell_a, NewPerson());
  std::vector<feedv1::Change> periods = ChangesOf("member_periods", created.name());
  ASSERT_EQ(periods.size(), 1u) << "the record opened with its periods";
  // Probationary from the ceremony, then official.
  const int opened_with = Unpack<v1::MemberPeriods>(periods[0]).periods_size();
  ASSERT_EQ(opened_with, 2);

  v1::ExemptMemberRequest exempt;
  exempt.set_member(created.name());
  exempt.set_effective_date(DaysFromToday(-3));
  exempt.set_reason("ADVANCED_AGE");
  *exempt.mutable_decision() = SomeDecision(DaysFromToday(-3));
  v1::Member after;
  grpc::Status status = Call(lifecycle(), &Stub::ExemptMember, AdminToken(), exempt, &after);
  ASSERT_TRUE(status.ok()) << status.error_message();

  periods = ChangesOf("member_periods", created.name());
  ASSERT_EQ(periods.size(), 2u) << "one member_periods entry per event";
  const auto latest = Unpack<v1::MemberPeriods>(periods.back());
  EXPECT_EQ(latest.member(), created.name());
  ASSERT_EQ(latest.periods_size(), opened_with + 1) << "all periods, replacing the earlier entry";
  const v1::StatusPeriod& before = latest.periods(opened_with - 1);
  const v1::StatusPeriod& exempted = latest.periods(opened_with);
  EXPECT_EQ(latest.periods(0).status(), v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(before.valid_to(), DaysFromToday(-3));
  EXPECT_FALSE(before.exempt());
  EXPECT_EQ(exempted.valid_from(), DaysFromToday(-3));
  EXPECT_TRUE(exempted.valid_to().empty());
  EXPECT_TRUE(exempted.exempt());
  EXPECT_EQ(exempted.status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(exempted.cell(), OrgName(branch.cell_a));
}

TEST_F(GrpcMemberFactsTest, OpenedRecordsCarryTheirPartyDatesAndTransfersInAreTheirOwnKind) {
  const Branch branch = NewBranch();
  const v1::Member opened = CreateExisting(branch.cell_a, NewPerson());
  std::vector<feedv1::Change> events = ChangesOf("member_event", opened.name());
  ASSERT_EQ(events.size(), 1u);
  const auto first = Unpack<v1::MemberEvent>(events[0]);
  EXPECT_EQ(first.kind(), v1::EVENT_KIND_RECORD_OPENED);
  EXPECT_EQ(first.opened_admission_decision_date(), opened.admission_decision_date());
  EXPECT_EQ(first.opened_admission_ceremony_date(), opened.admission_ceremony_date());
  EXPECT_EQ(first.opened_official_date(), opened.official_date());
  EXPECT_TRUE(first.actor().empty()) << "who recorded it stays in the audit log";

  v1::CreateMemberRequest request;
  *request.mutable_member() = NewPerson();
  v1::ExistingMemberEntry* existing = request.mutable_existing();
  existing->set_cell(OrgName(branch.cell_b));
  existing->set_status(v1::MEMBER_STATUS_OFFICIAL);
  existing->set_admission_decision_date("2010-03-01");
  existing->set_admission_ceremony_date("2010-03-15");
  existing->set_official_date("2011-03-15");
  existing->set_joined_cell_on(DaysFromToday(-10));
  existing->set_transferred_from("Đảng ủy phường 1, thành phố Bảo Lộc");
  v1::Member arrived;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::CreateMember, AdminToken(), request, &arrived);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(arrived.status(), v1::MEMBER_STATUS_OFFICIAL);
  events = ChangesOf("member_event", arrived.name());
  ASSERT_EQ(events.size(), 1u);
  const auto transfer_in = Unpack<v1::MemberEvent>(events[0]);
  EXPECT_EQ(transfer_in.kind(), v1::EVENT_KIND_TRANSFERRED_IN);
  EXPECT_EQ(transfer_in.transferred_from(), "Đảng ủy phường 1, thành phố Bảo Lộc");
  EXPECT_EQ(transfer_in.opened_official_date(), "2011-03-15");
  EXPECT_EQ(transfer_in.effective_date(), DaysFromToday(-10));
}

TEST_F(GrpcMemberFactsTest, AnExpulsionCarriesItsDisciplineReference) {
  const Branch branch = NewBranch();
  const v1::Member member = CreateExisting(branch.cell_a, NewPerson());
  v1::ExpelMemberRequest request;
  request.set_member(member.name());
  request.set_effective_date(DaysFromToday(-1));
  grassroots::type::v1::Decision decision = SomeDecision(DaysFromToday(-1));
  decision.set_issuing_body("Ủy ban Kiểm tra Huyện ủy");
  decision.set_number("15-QĐ/UBKT");
  *request.mutable_decision() = decision;
  request.set_discipline_reference("cases/9/decisions/3");
  v1::Member expelled;
  grpc::Status status = Call(lifecycle(), &Stub::ExpelMember, ServiceToken(), request, &expelled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::vector<feedv1::Change> events = ChangesOf("member_event", member.name());
  ASSERT_EQ(events.size(), 2u);
  const auto expulsion = Unpack<v1::MemberEvent>(events.back());
  EXPECT_EQ(expulsion.kind(), v1::EVENT_KIND_EXPELLED);
  EXPECT_EQ(expulsion.discipline_reference(), "cases/9/decisions/3");
  EXPECT_EQ(expulsion.decision().number(), "15-QĐ/UBKT");
  EXPECT_EQ(expulsion.decision().issuing_body(), "Ủy ban Kiểm tra Huyện ủy");
  EXPECT_EQ(expulsion.decision().signed_on(), DaysFromToday(-1));
}

TEST_F(GrpcMemberFactsTest, DatedAttributesAnswerAsOfTheirDates) {
  const Branch branch = NewBranch();
  const v1::Member created =
      CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithCategory(v1::OCCUPATION_CATEGORY_FARMER)));
  const std::string change_day = DaysFromToday(-30);
  v1::Member changed = created;
  changed.set_occupation_category(v1::OCCUPATION_CATEGORY_RETIRED);
  changed.set_political_theory_level(v1::POLITICAL_THEORY_LEVEL_INTERMEDIATE);
  const v1::Member updated = Update(changed, {"occupation_category", "political_theory_level"}, change_day);
  EXPECT_EQ(updated.occupation_category(), v1::OCCUPATION_CATEGORY_RETIRED);

  // GetMember as of a date before the change shows the value then.
  EXPECT_EQ(GetMember(created.name(), DaysFromToday(-31)).occupation_category(), v1::OCCUPATION_CATEGORY_FARMER);
  EXPECT_EQ(GetMember(created.name(), change_day).occupation_category(), v1::OCCUPATION_CATEGORY_RETIRED);

  // SearchMembers filters on the category in force on the as-of date.
  auto search = [&](v1::OccupationCategory category, const std::string& as_of) {
    v1::SearchMembersRequest request;
    request.set_organization(OrgName(branch.cell_a));
    request.add_occupation_categories(category);
    request.set_as_of_date(as_of);
    v1::SearchMembersResponse response;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const v1::Member& m : response.members()) names.push_back(m.name());
    return names;
  };
  EXPECT_THAT(search(v1::OCCUPATION_CATEGORY_FARMER, DaysFromToday(-31)), ::testing::Contains(created.name()));
  EXPECT_THAT(search(v1::OCCUPATION_CATEGORY_RETIRED, DaysFromToday(-31)), Not(::testing::Contains(created.name())));
  EXPECT_THAT(search(v1::OCCUPATION_CATEGORY_RETIRED, DaysFromToday(-1)), ::testing::Contains(created.name()));

  // The feed carries the history; the category at admission stays the first one.
  const auto facts = Unpack<v1::MemberFacts>(ChangesOf("member", created.name()).back());
  EXPECT_EQ(facts.occupation_category(), v1::OCCUPATION_CATEGORY_RETIRED);
  EXPECT_EQ(facts.occupation_category_at_admission(), v1::OCCUPATION_CATEGORY_FARMER);
  int occupation_periods = 0;
  for (const v1::AttributePeriod& period : facts.attribute_periods()) {
    if (period.attribute() != v1::MEMBER_ATTRIBUTE_OCCUPATION_CATEGORY) continue;
    ++occupation_periods;
    if (period.value() == v1::OCCUPATION_CATEGORY_FARMER) {
      EXPECT_EQ(period.valid_to(), change_day);
    }
    if (period.value() == v1::OCCUPATION_CATEGORY_RETIRED) {
      EXPECT_EQ(period.valid_from(), change_day);
    }
  }
  EXPECT_EQ(occupation_periods, 2);

  // A change dated before the value in force is refused; nothing is written.
  v1::Member back = updated;
  back.set_occupation_category(v1::OCCUPATION_CATEGORY_WORKER);
  grpc::Status status;
  Update(back, {"occupation_category"}, DaysFromToday(-40), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ATTRIBUTE_CHANGE_OUT_OF_ORDER");
  EXPECT_EQ(GetMember(created.name()).occupation_category(), v1::OCCUPATION_CATEGORY_RETIRED);
  Update(back, {"occupation_category"}, DaysFromToday(1), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "effective_date");
}

TEST_F(GrpcMemberFactsTest, EthnicityAndReligionAreCodesAndRedactedAsBefore) {
  const Branch branch = NewBranch();
  v1::CreateMemberRequest request;
  *request.mutable_member() = NewPerson();
  request.mutable_member()->set_ethnicity("Kinh");  // a name, not a code
  v1::ExistingMemberEntry* existing = request.mutable_existing();
  existing->set_cell(OrgName(branch.cell_a));
  existing->set_status(v1::MEMBER_STATUS_OFFICIAL);
  existing->set_admission_decision_date("2015-01-05");
  existing->set_admission_ceremony_date("2015-01-20");
  existing->set_official_date("2016-01-20");
  existing->set_joined_cell_on("2016-02-01");
  v1::Member out;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::CreateMember, AdminToken(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "member.ethnicity");
  request.mutable_member()->set_ethnicity("01");
  request.mutable_member()->set_religion("77");
  status = Call(members(), &v1::MemberService::Stub::CreateMember, AdminToken(), request, &out);
  EXPECT_EQ(BadField(status), "member.religion");
  request.mutable_member()->set_religion("02");
  status = Call(members(), &v1::MemberService::Stub::CreateMember, AdminToken(), request, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::GetMemberRequest get;
  get.set_name(out.name());
  v1::Member seen;
  status = Call(members(), &v1::MemberService::Stub::GetMember, SecretaryToken(branch.cell_a), get, &seen);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(seen.ethnicity().empty());
  EXPECT_TRUE(seen.ethnicity_name().empty());
  EXPECT_TRUE(seen.religion_name().empty());
  EXPECT_THAT(seen.redacted_fields(), ::testing::UnorderedElementsAre("citizen_id", "ethnicity", "religion"));
}

TEST_F(GrpcMemberFactsTest, TheCodeMigrationMapsLegacyTextAndListsWhatItCannot) {
  const Branch branch = NewBranch();
  const v1::Member tay = CreateExisting(branch.cell_a, NewPerson());
  const v1::Member unknown = CreateExisting(branch.cell_a, NewPerson());
  // Rows as they stood before the codes (and before sealing): plaintext free text.
  MemberDbExecute(absl::StrCat("UPDATE member_sensitive SET key_version = 0, citizen_id = NULL, ethnicity = 'tày', "
                               "religion = 'THIÊN CHÚA GIÁO' "
                               "WHERE member_id = ", MemberId(tay.name())));
  MemberDbExecute(absl::StrCat("UPDATE member_sensitive SET key_version = 0, citizen_id = NULL, ethnicity = 'Xyzô', "
                               "religion = 'Không' WHERE member_id = ",
                               MemberId(unknown.name())));
  // Legacy text never reaches the feed as a code.
  EXPECT_TRUE(GetMember(unknown.name()).ethnicity_name().empty());

  absl::StatusOr<CodeMigrationResult> result = MigrateLegacyCodes(member_context());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->skipped);
  EXPECT_GE(result->members_mapped, 2);
  EXPECT_GE(result->fields_unmapped, 1);
  EXPECT_EQ(GetMember(tay.name()).ethnicity(), "02");
  EXPECT_EQ(GetMember(tay.name()).religion(), "02");
  EXPECT_EQ(GetMember(unknown.name()).religion(), "00");
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_code_unmapped WHERE member_id = ",
                                     MemberId(unknown.name()), " AND field = 'ethnicity'")),
            1);
  const auto facts = Unpack<v1::MemberFacts>(ChangesOf("member", tay.name()).back());
  EXPECT_EQ(facts.ethnicity_code(), "02") << "the mapped codes go on the feed";
  // Scan again (its completion forgotten, as under other code lists): nothing new to do.
  MemberDbExecute("DELETE FROM code_migration_runs");
  absl::StatusOr<CodeMigrationResult> again = MigrateLegacyCodes(member_context());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->skipped);
  EXPECT_EQ(again->members_mapped, 0);
  EXPECT_EQ(again->fields_unmapped, 0);

  // An admin sees the unmapped row as an alert (naming the field, not the text); a secretary does not.
  v1::ListMemberAlertsRequest alerts;
  alerts.set_organization(OrgName(branch.cell_a));
  alerts.add_kinds(v1::ALERT_KIND_UNMAPPED_CODE);
  v1::ListMemberAlertsResponse listed;
  grpc::Status status =
      Call(members(), &v1::MemberService::Stub::ListMemberAlerts, AdminToken(), alerts, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(listed.alerts_size(), 1);
  EXPECT_EQ(listed.alerts(0).member(), unknown.name());
  EXPECT_THAT(listed.alerts(0).detail(), HasSubstr("member.ethnicity"));
  EXPECT_THAT(listed.alerts(0).detail(), Not(HasSubstr("Xyz")));
  status = Call(members(), &v1::MemberService::Stub::ListMemberAlerts, SecretaryToken(branch.cell_a), alerts, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Setting the code through the API clears the listing.
  v1::Member fixed = GetMember(unknown.name());
  fixed.set_ethnicity("99");
  Update(fixed, {"ethnicity"}, "");
  status = Call(members(), &v1::MemberService::Stub::ListMemberAlerts, AdminToken(), alerts, &listed);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(listed.alerts_size(), 0);
}

TEST_F(GrpcMemberFactsTest, TheCodeMigrationScansOnceUntilTheCodeListsChange) {
  const Branch branch = NewBranch();
  const v1::Member first = CreateExisting(branch.cell_a, NewPerson());
  const v1::Member later = CreateExisting(branch.cell_a, NewPerson());
  const auto set_legacy_text = [](const v1::Member& member) {
    MemberDbExecute(absl::StrCat("UPDATE member_sensitive SET key_version = 0, citizen_id = NULL, "
                                 "ethnicity = 'tày', religion = NULL WHERE member_id = ",
                                 MemberId(member.name())));
  };
  set_legacy_text(first);

  // The first start scans, maps and records that it completed under these lists.
  absl::StatusOr<CodeMigrationResult> start = MigrateLegacyCodes(member_context());
  ASSERT_TRUE(start.ok()) << start.status();
  EXPECT_FALSE(start->skipped);
  EXPECT_EQ(GetMember(first.name()).ethnicity(), "02");
  EXPECT_EQ(CountRows("code_migration_runs"), 1);

  // The next start does not scan: text written behind the API's back afterwards stays as it is.
  set_legacy_text(later);
  absl::StatusOr<CodeMigrationResult> restart = MigrateLegacyCodes(member_context());
  ASSERT_TRUE(restart.ok()) << restart.status();
  EXPECT_TRUE(restart->skipped);
  EXPECT_EQ(restart->members_mapped, 0);
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_sensitive WHERE ethnicity = 'tày' AND member_id = ",
                                     MemberId(later.name()))),
            1);

  // Code lists that match differently (one more alias) scan again.
  std::ifstream file(domain::CodeLists::DefaultDir() + "/ethnicity.json");
  ASSERT_TRUE(file.good());
  nlohmann::json ethnicity = nlohmann::json::parse(file);
  ethnicity["codes"][0]["aliases"].push_back("Kinh test alias");
  absl::StatusOr<domain::CodeList> more_aliases = domain::CodeList::Parse(ethnicity.dump(), "test");
  ASSERT_TRUE(more_aliases.ok()) << more_aliases.status();
  HandlerContext& ctx = member_context();
  const domain::CodeLists changed{*more_aliases, ctx.codes.religion};
  HandlerContext with_changed_lists{ctx.pool, ctx.authorizer, ctx.rules, ctx.calendar, ctx.page_tokens, ctx.cells,
                                    ctx.projection, ctx.members, ctx.events, ctx.yearly, changed, ctx.rights,
                                    ctx.read_audit, ctx.replica_reads};
  absl::StatusOr<CodeMigrationResult> rescan = MigrateLegacyCodes(with_changed_lists);
  ASSERT_TRUE(rescan.ok()) << rescan.status();
  EXPECT_FALSE(rescan->skipped);
  EXPECT_EQ(rescan->members_mapped, 1);
  EXPECT_EQ(GetMember(later.name()).ethnicity(), "02");
  EXPECT_EQ(CountRows("code_migration_runs"), 2);
}

}  // namespace
}  // namespace grassroots::membership::testing
