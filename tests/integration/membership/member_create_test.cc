// CreateMember through gRPC against the real org service: both entries, field
// validation (the citizen ID agreeing with the record), the cell check over
// the network (not a cell, not active, unknown, org service down and back),
// uniqueness and idempotent retries. Failed creates must write nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class GrpcCreateMemberTest : public MembershipFixture {
 protected:
  static grpc::Status Create(const v1::CreateMemberRequest& request, v1::Member* out, const std::string& token = "") {
    return Call(members(), &v1::MemberService::Stub::CreateMember, token.empty() ? AdminToken() : token, request, out);
  }
  static v1::CreateMemberRequest ProspectRequest(int64_t cell, const v1::Member& person,
                                                 const std::string& introduced_on = "") {
    v1::CreateMemberRequest request;
    *request.mutable_member() = person;
    request.mutable_prospect()->set_cell(OrgName(cell));
    request.mutable_prospect()->set_introduced_by("Đoàn TNCS Hồ Chí Minh xã Lộc Thành");
    request.mutable_prospect()->set_introduced_on(introduced_on.empty() ? DaysFromToday(-30) : introduced_on);
    return request;
  }
  static v1::CreateMemberRequest ExistingRequest(int64_t cell, const v1::Member& person, v1::MemberStatus status,
                                                 const std::string& ceremony) {
    v1::CreateMemberRequest request;
    *request.mutable_member() = person;
    v1::ExistingMemberEntry* entry = request.mutable_existing();
    entry->set_cell(OrgName(cell));
    entry->set_status(status);
    entry->set_admission_decision_date(AddDays(ceremony, -10));
    entry->set_admission_ceremony_date(ceremony);
    if (status == v1::MEMBER_STATUS_OFFICIAL) entry->set_official_date(AddMonths(ceremony, 12));
    entry->set_joined_cell_on(ceremony);
    *entry->mutable_decision() = SomeDecision(AddDays(ceremony, -10));
    request.set_party_card_number(UniqueCard());
    return request;
  }
};

TEST_F(GrpcCreateMemberTest, ProspectOpensARecordInTheCell) {
  const Branch branch = NewBranch();
  v1::Member person = NewPerson(PersonOptions().WithName("Nguyễn Văn Đạt"));
  v1::Member created;
  grpc::Status status = Create(ProspectRequest(branch.cell_a, person, DaysFromToday(-20)), &created);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);

  EXPECT_THAT(created.name(), HasSubstr("members/"));
  EXPECT_EQ(created.full_name(), "Nguyễn Văn Đạt");
  EXPECT_EQ(created.status(), v1::MEMBER_STATUS_PROSPECT);
  EXPECT_EQ(created.cell(), OrgName(branch.cell_a));
  EXPECT_EQ(created.status_since(), DaysFromToday(-20));
  EXPECT_EQ(created.citizen_id(), person.citizen_id()) << "an admin sees the sensitive fields";
  EXPECT_EQ(created.ethnicity(), "01");
  EXPECT_EQ(created.ethnicity_name(), "Kinh");
  EXPECT_THAT(created.redacted_fields(), IsEmpty());
  EXPECT_FALSE(created.etag().empty());
  EXPECT_TRUE(created.admission_ceremony_date().empty());

  const v1::Member fetched = GetMember(created.name());
  EXPECT_EQ(fetched.full_name(), "Nguyễn Văn Đạt");
  EXPECT_EQ(fetched.status(), v1::MEMBER_STATUS_PROSPECT);
  EXPECT_EQ(fetched.etag(), created.etag());
  EXPECT_EQ(fetched.external_id(), person.external_id());
}

TEST_F(GrpcCreateMemberTest, NamesAreStoredInNfc) {
  const Branch branch = NewBranch();
  // "Nguyễn Thị Ánh" with combining marks (NFD), as some keyboards send it.
  v1::Member person = NewPerson(PersonOptions().WithName("Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 A\xcc\x81nh"));
  v1::Member created;
  grpc::Status status = Create(ProspectRequest(branch.cell_a, person), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.full_name(), "Nguyễn Thị Ánh");
}

TEST_F(GrpcCreateMemberTest, ExistingOfficialMemberKeepsItsHistoryAndFirstCard) {
  const Branch branch = NewBranch();
  const std::string ceremony = MonthsFromToday(-60);
  v1::CreateMemberRequest request = ExistingRequest(branch.cell_b, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, ceremony);
  v1::Member created;
  grpc::Status status = Create(request, &created);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(created.status(), v1::MEMBER_STATUS_OFFICIAL);
  EXPECT_EQ(created.cell(), OrgName(branch.cell_b));
  EXPECT_EQ(created.admission_ceremony_date(), ceremony);
  EXPECT_EQ(created.admission_decision_date(), AddDays(ceremony, -10));
  EXPECT_EQ(created.probation_end_date(), AddMonths(ceremony, 12));
  EXPECT_EQ(created.official_date(), AddMonths(ceremony, 12));
  EXPECT_EQ(created.party_card_number(), request.party_card_number());

  v1::ListPartyCardsRequest cards_request;
  cards_request.set_member(created.name());
  v1::ListPartyCardsResponse cards;
  status = Call(members(), &v1::MemberService::Stub::ListPartyCards, AdminToken(), cards_request, &cards);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(cards.cards_size(), 1);
  EXPECT_EQ(cards.cards(0).number(), request.party_card_number());
  EXPECT_TRUE(cards.cards(0).current());
}

TEST_F(GrpcCreateMemberTest, ExistingProbationaryMemberEndsProbationTwelveMonthsAfterTheCeremony) {
  const Branch branch = NewBranch();
  const std::string ceremony = MonthsFromToday(-4);
  v1::Member created;
  grpc::Status status =
      Create(ExistingRequest(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_PROBATIONARY, ceremony), &created);
  ASSERT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(created.status(), v1::MEMBER_STATUS_PROBATIONARY);
  EXPECT_EQ(created.probation_end_date(), AddMonths(ceremony, 12));
  EXPECT_TRUE(created.official_date().empty());
}

TEST_F(GrpcCreateMemberTest, ExistingEntryErrorsNameTheField) {
  const Branch branch = NewBranch();
  const WriteCounts before = CountWrites();
  struct Case {
    std::string label;
    std::function<void(v1::CreateMemberRequest&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"prospect is not an existing status",
       [](v1::CreateMemberRequest& r) { r.mutable_existing()->set_status(v1::MEMBER_STATUS_PROSPECT); },
       "existing.status"},
      {"official without official_date",
       [](v1::CreateMemberRequest& r) { r.mutable_existing()->clear_official_date(); }, "existing.official_date"},
      {"joined the cell in the future",
       [](v1::CreateMemberRequest& r) { r.mutable_existing()->set_joined_cell_on(DaysFromToday(5)); },
       "existing.joined_cell_on"},
      {"ceremony not a date",
       [](v1::CreateMemberRequest& r) { r.mutable_existing()->set_admission_ceremony_date("2020-13-45"); },
       "existing.admission_ceremony_date"},
  };
  for (const Case& c : cases) {
    v1::CreateMemberRequest request =
        ExistingRequest(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-40));
    c.edit(request);
    v1::Member created;
    grpc::Status status = Create(request, &created);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.label << ": " << status.error_message();
    EXPECT_EQ(BadField(status), c.field) << c.label << ": " << status.error_message();
  }
  EXPECT_EQ(CountWrites(), before);
}

TEST_F(GrpcCreateMemberTest, CitizenIdMustAgreeWithTheRecordAndErrorsNameTheFieldNotTheValue) {
  const Branch branch = NewBranch();
  const WriteCounts before = CountWrites();
  struct Case {
    std::string label;
    std::string birth_date;
    v1::Sex sex;
    std::string citizen_id;
  };
  const std::vector<Case> cases = {
      {"11 digits", "1985-03-15", v1::SEX_MALE, "06808512345"},
      {"13 digits", "1985-03-15", v1::SEX_MALE, "0680851234567"},
      {"a letter", "1985-03-15", v1::SEX_MALE, "06808512345X"},
      {"no such province code", "1985-03-15", v1::SEX_MALE, "999085123456"},
      {"female digit for a man born in the 1900s", "1985-03-15", v1::SEX_MALE, "068185123456"},
      {"21st-century digit for a man born 1985", "1985-03-15", v1::SEX_MALE, "068285123456"},
      {"male digit for a woman born 2001", "2001-06-01", v1::SEX_FEMALE, "068201123456"},
      {"birth year digits 86 for 1985", "1985-03-15", v1::SEX_MALE, "068086123456"},
  };
  for (const Case& c : cases) {
    v1::Member person = NewPerson(PersonOptions().BornOn(c.birth_date).WithSex(c.sex));
    person.set_citizen_id(c.citizen_id);
    v1::Member created;
    grpc::Status status = Create(ProspectRequest(branch.cell_a, person), &created);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.label;
    EXPECT_EQ(BadField(status), "member.citizen_id") << c.label << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), Not(HasSubstr(c.citizen_id))) << c.label << ": the value leaked";
  }
  // The same shape with agreeing digits is accepted (the table above is not
  // failing for some other reason).
  v1::Member good = NewPerson(PersonOptions().BornOn("2001-06-01").WithSex(v1::SEX_FEMALE));
  good.set_citizen_id("068301765432");
  v1::Member created;
  grpc::Status status = Create(ProspectRequest(branch.cell_a, good), &created);
  EXPECT_TRUE(status.ok()) << status.error_message() << " " << BadField(status);
  EXPECT_EQ(CountWrites().members, before.members + 1) << "only the agreeing record was written";
}

TEST_F(GrpcCreateMemberTest, ProfileErrorsNameTheField) {
  const Branch branch = NewBranch();
  const WriteCounts before = CountWrites();
  struct Case {
    std::string label;
    std::function<void(v1::CreateMemberRequest&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"no name", [](v1::CreateMemberRequest& r) { r.mutable_member()->clear_full_name(); }, "member.full_name"},
      {"blank name", [](v1::CreateMemberRequest& r) { r.mutable_member()->set_full_name("   "); }, "member.full_name"},
      {"no sex", [](v1::CreateMemberRequest& r) { r.mutable_member()->clear_sex(); }, "member.sex"},
      {"no birth date", [](v1::CreateMemberRequest& r) { r.mutable_member()->clear_birth_date(); },
       "member.birth_date"},
      {"birth date in the future",
       [](v1::CreateMemberRequest& r) { r.mutable_member()->set_birth_date(DaysFromToday(3)); }, "member.birth_date"},
      {"no occupation category", [](v1::CreateMemberRequest& r) { r.mutable_member()->clear_occupation_category(); },
       "member.occupation_category"},
      {"prospect without cell", [](v1::CreateMemberRequest& r) { r.mutable_prospect()->clear_cell(); },
       "prospect.cell"},
      {"prospect without introducing organization",
       [](v1::CreateMemberRequest& r) { r.mutable_prospect()->clear_introduced_by(); }, "prospect.introduced_by"},
      {"introduced in the future",
       [](v1::CreateMemberRequest& r) { r.mutable_prospect()->set_introduced_on(DaysFromToday(2)); },
       "prospect.introduced_on"},
      {"cell is not an organization name",
       [](v1::CreateMemberRequest& r) { r.mutable_prospect()->set_cell("cells/12"); }, "prospect.cell"},
      {"bad request id", [](v1::CreateMemberRequest& r) { r.set_request_id("not valid!"); }, "request_id"},
  };
  for (const Case& c : cases) {
    v1::CreateMemberRequest request = ProspectRequest(branch.cell_a, NewPerson());
    c.edit(request);
    v1::Member created;
    grpc::Status status = Create(request, &created);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.label << ": " << status.error_message();
    EXPECT_EQ(BadField(status), c.field) << c.label << ": " << status.error_message();
  }
  // Neither entry.
  v1::CreateMemberRequest no_entry;
  *no_entry.mutable_member() = NewPerson();
  v1::Member created;
  grpc::Status status = Create(no_entry, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(CountWrites(), before);
}

TEST_F(GrpcCreateMemberTest, TheCellMustBeAnActiveCellInTheOrganizationService) {
  const Branch branch = NewBranch();
  const int64_t dissolved_cell = CreateOrg("CHI_BO_TRUC_THUOC", branch.grassroots, "Chi bộ thôn Giải Thể");
  DissolveOrg(dissolved_cell, DaysFromToday(-100));
  const WriteCounts before = CountWrites();

  v1::Member created;
  // The grassroots organization is not a cell.
  grpc::Status status = Create(ProspectRequest(branch.grassroots, NewPerson()), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "NOT_A_CELL") << status.error_message();

  // Dissolved 100 days ago: not active on the introduction date.
  status = Create(ProspectRequest(dissolved_cell, NewPerson(), DaysFromToday(-10)), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "ORGANIZATION_NOT_ACTIVE") << status.error_message();

  // No such organization at all: NOT_FOUND, as one outside the caller's scope (issue 10).
  status = Create(ProspectRequest(987654321, NewPerson()), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_EQ(status.error_message(), "organizations/987654321 not found");

  // An existing member placed in a non-cell: the field is the existing entry's.
  status = Create(ExistingRequest(branch.grassroots, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-30)),
                  &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Reason(status), "NOT_A_CELL");

  EXPECT_EQ(CountWrites(), before) << "a refused create wrote something";

  // Before it was dissolved the cell was active: a prospect introduced then is accepted.
  status = Create(ProspectRequest(dissolved_cell, NewPerson(), DaysFromToday(-200)), &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(GrpcCreateMemberTest, OrgServiceDownMeansUnavailableAndNothingWrittenThenRecovers) {
  const Branch branch = NewBranch();
  const WriteCounts before = CountWrites();
  TakeOrgServiceDown();
  v1::Member created;
  grpc::Status status = Create(ProspectRequest(branch.cell_a, NewPerson()), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  status =
      Create(ExistingRequest(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-30)), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(CountWrites(), before) << "a create written while the org service was down";

  // Reads need no org call: the projection answers them.
  v1::SearchMembersRequest search;
  search.set_organization(OrgName(branch.grassroots));
  v1::SearchMembersResponse found;
  status = Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), search, &found);
  EXPECT_TRUE(status.ok()) << "search needs the org service? " << status.error_message();

  BringOrgServiceBack();
  // The channel reconnects on its own (with backoff); the same create then succeeds.
  const v1::CreateMemberRequest request = ProspectRequest(branch.cell_a, NewPerson());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    created.Clear();
    status = Create(request, &created);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(status.ok()) << "no recovery after the org service came back: " << status.error_message();
  EXPECT_EQ(created.status(), v1::MEMBER_STATUS_PROSPECT);
  EXPECT_EQ(CountWrites().members, before.members + 1);
}

TEST_F(GrpcCreateMemberTest, DuplicateCitizenIdExternalIdOrCardIsAlreadyExistsAndWritesNothing) {
  const Branch branch = NewBranch();
  const v1::Member first_person = NewPerson();
  const std::string card = UniqueCard();
  const v1::Member first = CreateExisting(branch.cell_a, first_person, v1::MEMBER_STATUS_OFFICIAL, "", card);
  ASSERT_FALSE(first.name().empty());
  const WriteCounts before = CountWrites();

  // Same citizen ID (another person record otherwise).
  v1::Member same_citizen = NewPerson(PersonOptions().BornOn(first_person.birth_date()).WithSex(first_person.sex()));
  same_citizen.set_citizen_id(first_person.citizen_id());
  v1::Member created;
  grpc::Status status = Create(ProspectRequest(branch.cell_b, same_citizen), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_THAT(status.error_message() + " " + BadField(status), HasSubstr("citizen_id"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(first_person.citizen_id())));

  // Same external id.
  v1::Member same_external = NewPerson();
  same_external.set_external_id(first_person.external_id());
  status = Create(ProspectRequest(branch.cell_b, same_external), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_THAT(status.error_message() + " " + BadField(status), HasSubstr("external_id"));

  // Same party card.
  v1::CreateMemberRequest same_card =
      ExistingRequest(branch.cell_b, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-30));
  same_card.set_party_card_number(card);
  status = Create(same_card, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_THAT(status.error_message() + " " + BadField(status), HasSubstr("party_card_number"));

  EXPECT_EQ(CountWrites(), before);
}

TEST_F(GrpcCreateMemberTest, RequestIdMakesARetriedCreateIdempotent) {
  const Branch branch = NewBranch();
  v1::CreateMemberRequest request = ProspectRequest(branch.cell_a, NewPerson());
  request.set_request_id(absl::StrCat("create-retry-", branch.cell_a));
  const WriteCounts before = CountWrites();

  v1::Member first;
  grpc::Status status = Create(request, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::Member second;
  status = Create(request, &second);
  ASSERT_TRUE(status.ok()) << "a retry is not an error: " << status.error_message();
  EXPECT_EQ(second.name(), first.name());
  EXPECT_EQ(second.etag(), first.etag());
  EXPECT_EQ(CountWrites().members, before.members + 1);
  EXPECT_EQ(CountWrites().events, before.events + 1);

  // The same request id with a different request is a client bug.
  v1::CreateMemberRequest changed = request;
  changed.mutable_member()->set_phone("0911000111");
  v1::Member third;
  status = Create(changed, &third);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(BadField(status), "request_id");
  EXPECT_EQ(CountWrites().members, before.members + 1);
}

// Creates of different people never conflict: each must succeed, whatever
// the interleaving (no ABORTED from lock conflicts between unrelated rows).
TEST_F(GrpcCreateMemberTest, ConcurrentCreatesOfDifferentPeopleAllSucceed) {
  const Branch branch = NewBranch();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::vector<v1::CreateMemberRequest>> requests(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      requests[static_cast<size_t>(t)].push_back(
          i % 2 == 0 ? ProspectRequest(t % 2 == 0 ? branch.cell_a : branch.cell_b, NewPerson())
                     : ExistingRequest(branch.cell_a, NewPerson(), v1::MEMBER_STATUS_OFFICIAL, MonthsFromToday(-30)));
    }
  }
  const WriteCounts before = CountWrites();
  std::atomic<int> ready{0};
  std::vector<std::vector<grpc::Status>> results(kThreads);
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      for (const v1::CreateMemberRequest& request : requests[static_cast<size_t>(t)]) {
        v1::Member created;
        results[static_cast<size_t>(t)].push_back(Create(request, &created));
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  int failed = 0;
  std::string first_failure;
  for (const auto& mine : results) {
    for (const grpc::Status& status : mine) {
      if (status.ok()) continue;
      if (++failed == 1) first_failure = absl::StrCat(status.error_code(), " ", status.error_message());
    }
  }
  EXPECT_EQ(failed, 0) << "of " << kThreads * kPerThread << " creates; first: " << first_failure;
  EXPECT_EQ(CountWrites().members, before.members + kThreads * kPerThread - failed);
}

TEST_F(GrpcCreateMemberTest, OnlyAnAdminInScopeCreates) {
  const Branch branch = NewBranch();
  const Branch other = NewBranch();
  const WriteCounts before = CountWrites();
  v1::Member created;
  for (const std::string& token :
       {SecretaryToken(branch.cell_a), InspectorToken(), PortalToken(), MemberToken(branch.cell_a, 1)}) {
    grpc::Status status = Create(ProspectRequest(branch.cell_a, NewPerson()), &created, token);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  }
  // An admin of another branch cannot place a member in this one.
  grpc::Status status = Create(ProspectRequest(branch.cell_a, NewPerson()), &created, AdminToken(other.grassroots));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  // No token at all.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  status = members().CreateMember(&context, ProspectRequest(branch.cell_a, NewPerson()), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_EQ(CountWrites(), before);

  // The branch's own admin may.
  status = Create(ProspectRequest(branch.cell_a, NewPerson()), &created, AdminToken(branch.grassroots));
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace grassroots::membership::testing
