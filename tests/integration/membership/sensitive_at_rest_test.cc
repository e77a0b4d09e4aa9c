// The citizen ID, ethnicity and religion at rest: sealed under the keyring's
// current key, bound to their member and column, sealed at start-up when they
// were plaintext, re-sealed by the background job when the current key changes.
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/crypto/keyring.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<const common::crypto::Keyring> Ring(std::map<uint32_t, std::string> keys, uint32_t current) {
  return std::make_shared<const common::crypto::Keyring>(
      common::crypto::Keyring::FromKeys(std::move(keys), current).value());
}

// The fixture's key (membership_fixture.cc) and a second one.
const std::string kFirstKey(32, 'k');
const std::string kSecondKey(32, 's');

class SensitiveAtRestTest : public MembershipFixture {
 protected:
  static int64_t Id(const v1::Member& member) { return MemberId(member.name()); }
  static int64_t KeyVersion(const v1::Member& member) {
    return MemberDbInt(absl::StrCat("SELECT key_version FROM member_sensitive WHERE member_id = ", Id(member)));
  }
  // Rows whose stored bytes equal the plaintext (none may, once sealed).
  static int64_t PlaintextMatches(int64_t member_id, const v1::Member& member) {
    return MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_sensitive WHERE member_id = ", member_id,
                                    " AND (citizen_id = '", member.citizen_id(), "' OR ethnicity = '",
                                    member.ethnicity(), "' OR religion = '", member.religion(), "')"));
  }
  static v1::Member Lookup(const std::string& citizen_id, grpc::Status* status_out = nullptr) {
    v1::LookupMemberRequest request;
    request.set_citizen_id(citizen_id);
    v1::Member out;
    grpc::Status status = Call(members(), &v1::MemberService::Stub::LookupMember, AdminToken(), request, &out);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return out;
  }
  void TearDown() override { member_context().members.ReplaceKeys(Ring({{1, kFirstKey}}, 1)); }
};

TEST_F(SensitiveAtRestTest, ValuesAreSealedUnderTheCurrentKeyAndReadBack) {
  const Branch branch = NewBranch();
  v1::Member person = NewPerson();
  person.set_religion("01");
  const v1::Member created = CreateExisting(branch.cell_a, person);
  EXPECT_EQ(KeyVersion(created), 1);
  EXPECT_EQ(PlaintextMatches(Id(created), person), 0);
  // nonce (12) + ciphertext (as long as the value) + tag (16).
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT LENGTH(citizen_id) FROM member_sensitive WHERE member_id = ",
                                     Id(created))),
            12 + 12 + 16);
  const v1::Member read = GetMember(created.name());
  EXPECT_EQ(read.citizen_id(), person.citizen_id());
  EXPECT_EQ(read.ethnicity(), "01");
  EXPECT_EQ(read.religion(), "01");
  // The blind index still finds the record.
  EXPECT_EQ(Lookup(person.citizen_id()).name(), created.name());
}

TEST_F(SensitiveAtRestTest, AValueMovedToAnotherRowDoesNotOpenAndTheErrorShowsNoValue) {
  const Branch branch = NewBranch();
  const v1::Member victim = CreateExisting(branch.cell_a, NewPerson());
  const v1::Member other = CreateExisting(branch.cell_a, NewPerson());
  // An attacker with database access copies one member's sealed citizen ID onto another row.
  MemberDbExecute(absl::StrCat("UPDATE member_sensitive o JOIN member_sensitive v ON v.member_id = ", Id(victim),
                               " SET o.citizen_id = v.citizen_id WHERE o.member_id = ", Id(other)));
  v1::GetMemberRequest request;
  request.set_name(other.name());
  v1::Member out;
  grpc::Status status = Call(members(), &v1::MemberService::Stub::GetMember, AdminToken(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(status.error_message(), Not(HasSubstr(victim.citizen_id())));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(other.citizen_id())));
  // The victim's own row still opens.
  EXPECT_EQ(GetMember(victim.name()).citizen_id(), victim.citizen_id());
}

TEST_F(SensitiveAtRestTest, PlaintextRowsAreSealedAtStartUp) {
  const Branch branch = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson());
  // The row as it stood before encryption (V0008): plaintext, key_version 0.
  MemberDbExecute(absl::StrCat("UPDATE member_sensitive SET key_version = 0, citizen_id = '", person.citizen_id(),
                               "', ethnicity = '05', religion = '02' WHERE member_id = ", Id(person)));
  ASSERT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_sensitive WHERE citizen_id = '",
                                     person.citizen_id(), "'")),
            1);

  absl::StatusOr<int64_t> sealed = member_services().SealPlaintextRows();
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_GE(*sealed, 1);
  EXPECT_EQ(KeyVersion(person), 1);
  EXPECT_EQ(CountRows("member_sensitive") - MemberDbInt("SELECT COUNT(*) FROM member_sensitive WHERE key_version = 1"),
            0);
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM member_sensitive WHERE citizen_id = '",
                                     person.citizen_id(), "' OR ethnicity = '05'")),
            0);
  const v1::Member read = GetMember(person.name());
  EXPECT_EQ(read.citizen_id(), person.citizen_id());
  EXPECT_EQ(read.ethnicity(), "05");
  EXPECT_EQ(read.religion(), "02");
  // Idempotent: nothing left to seal.
  EXPECT_EQ(member_services().SealPlaintextRows().value_or(-1), 0);
}

TEST_F(SensitiveAtRestTest, RotationReSealsEveryRowWithoutLossAndTheOldKeyCanBeRetired) {
  const Branch branch = NewBranch();
  struct Expected {
    std::string citizen_id;
    std::string ethnicity;
    std::string religion;
  };
  std::map<std::string, Expected> expected;  // by member name
  const auto create = [&](int n) {
    v1::Member person = NewPerson();
    person.set_ethnicity(absl::StrFormat("%02d", 1 + n % 54));
    person.set_religion(absl::StrFormat("%02d", n % 10));
    const v1::Member created = CreateExisting(n % 2 == 0 ? branch.cell_a : branch.cell_b, person);
    expected[created.name()] = {person.citizen_id(), person.ethnicity(), person.religion()};
    return created;
  };
  std::vector<v1::Member> before;
  for (int n = 0; n < 40; ++n) before.push_back(create(n));
  ASSERT_EQ(MemberDbInt("SELECT COUNT(*) FROM member_sensitive WHERE key_version = 1"), 40);

  // Key 2 becomes current: new writes use it at once.
  HandlerContext& ctx = member_context();
  ctx.members.ReplaceKeys(Ring({{1, kFirstKey}, {2, kSecondKey}}, 2));

  // A job stopped after one batch (7 rows) leaves the rest for the next pass.
  absl::Status first_batch = ctx.pool.RunInTransaction("test.reseal", [&](common::db::Session& session) -> absl::Status {
    absl::StatusOr<store::MemberStore::ResealBatch> batch = ctx.members.Reseal(session, 1, 0, 7);
    if (!batch.ok()) return batch.status();
    EXPECT_EQ(batch->resealed, 7);
    return absl::OkStatus();
  });
  ASSERT_TRUE(first_batch.ok()) << first_batch;
  EXPECT_EQ(MemberDbInt("SELECT COUNT(*) FROM member_sensitive WHERE key_version = 2"), 7);

  // Writes during the pass: new members, and updates of rows still under key 1.
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int n = 40; n < 50; ++n) create(n);
    for (int i = 20; i < 30; ++i) {
      v1::Member changed = GetMember(before[i].name());
      changed.set_religion("03");
      v1::UpdateMemberRequest request;
      *request.mutable_member() = changed;
      request.mutable_update_mask()->add_paths("religion");
      v1::Member out;
      grpc::Status status = Call(members(), &v1::MemberService::Stub::UpdateMember, AdminToken(), request, &out);
      EXPECT_TRUE(status.ok()) << status.error_message();
      expected[changed.name()].religion = "03";
    }
    writing = false;
  });
  int passes = 0;
  int64_t resealed = 0;
  do {
    absl::StatusOr<SealingPass> pass = member_services().sealing().ResealOldKeys();
    ASSERT_TRUE(pass.ok()) << pass.status();
    EXPECT_EQ(pass->failed, 0);
    resealed += pass->resealed;
    ++passes;
  } while (writing);
  writer.join();
  absl::StatusOr<SealingPass> last = member_services().sealing().ResealOldKeys();
  ASSERT_TRUE(last.ok()) << last.status();
  resealed += last->resealed;
  EXPECT_EQ(last->rows_per_key.count(1), 0u) << "no row is left under key 1";
  EXPECT_LE(resealed, 33) << "rows written under key 2 are not re-sealed";
  EXPECT_EQ(MemberDbInt("SELECT COUNT(*) FROM member_sensitive WHERE key_version <> 2"), 0);

  // Key 1 retired: every value, old or written during the rotation, opens and is what was written.
  ctx.members.ReplaceKeys(Ring({{2, kSecondKey}}, 2));
  ASSERT_EQ(expected.size(), 50u);
  for (const auto& [name, values] : expected) {
    const v1::Member read = GetMember(name);
    EXPECT_EQ(read.citizen_id(), values.citizen_id) << name;
    EXPECT_EQ(read.ethnicity(), values.ethnicity) << name;
    EXPECT_EQ(read.religion(), values.religion) << name;
  }
  EXPECT_EQ(Lookup(expected.begin()->second.citizen_id).name(), expected.begin()->first);
  // Without key 2 nothing opens: the values really are under key 2.
  ctx.members.ReplaceKeys(Ring({{1, kFirstKey}}, 1));
  v1::GetMemberRequest request;
  request.set_name(before[0].name());
  v1::Member out;
  EXPECT_EQ(Call(members(), &v1::MemberService::Stub::GetMember, AdminToken(), request, &out).error_code(),
            grpc::StatusCode::INTERNAL);
}

TEST_F(SensitiveAtRestTest, TheBackgroundJobFollowsTheKeyringFile) {
  const Branch branch = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson());
  // A second service over the same database whose keyring file names key 2 current.
  HandlerContext& ctx = member_context();
  std::shared_ptr<const common::crypto::Keyring> file_ring = Ring({{1, kFirstKey}, {2, kSecondKey}}, 2);
  SensitiveSealing sealing(ctx.pool, ctx.members,
                           SealingOptions{.batch_size = 3,
                                          .interval = absl::Milliseconds(50),
                                          .reload = [&]() -> absl::StatusOr<std::shared_ptr<const common::crypto::Keyring>> {
                                            return file_ring;
                                          }});
  sealing.Start();
  for (int i = 0; i < 200 && MemberDbInt("SELECT COUNT(*) FROM member_sensitive WHERE key_version = 1") > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  sealing.Stop();
  EXPECT_EQ(MemberDbInt("SELECT COUNT(*) FROM member_sensitive WHERE key_version = 1"), 0);
  EXPECT_EQ(ctx.members.keys()->current_id(), 2u);
  EXPECT_EQ(GetMember(person.name()).citizen_id(), person.citizen_id());
}

}  // namespace
}  // namespace grassroots::membership::testing
