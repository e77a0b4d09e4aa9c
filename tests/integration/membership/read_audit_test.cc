// Reads of a person's record on the audit chain (who, when, which record, why),
// and `grassroots audit verify` naming the first tampered entry.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/feed/audit_chain.h"
#include "common/feed/sequencer.h"
#include "services/cli/audit_commands.h"
#include "tests/integration/membership/membership_fixture.h"

namespace grassroots::membership::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCheckpointKey[] = "read-audit-test-checkpoint-key";

class ReadAuditTest : public MembershipFixture {
 protected:
  static grpc::Status GetWithPurpose(const std::string& name, const std::string& purpose, v1::Member* out) {
    grpc::ClientContext context;
    Authorize(context, AdminToken());
    if (!purpose.empty()) context.AddMetadata("x-purpose", purpose);
    v1::GetMemberRequest request;
    request.set_name(name);
    return members().GetMember(&context, request, out);
  }
  static int64_t Reads(const std::string& name, const std::string& purpose) {
    return MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE action = 'member.read' AND resource_name = '",
                                    name, "' AND purpose = '", purpose, "'"));
  }
  // Runs the CLI command against the membership database; its exit code and output.
  static std::pair<int, std::string> Verify(const std::string& key_file = "") {
    cli::AuditVerifyOptions options;
    options.db = member_context().pool.config();
    options.checkpoint_key_file = key_file;
    options.page_size = 7;  // several pages
    std::ostringstream out, err;
    std::istringstream in;
    cli::Io io{out, err, in, {}};
    const int code = cli::RunAuditVerify(options, io);
    return {code, out.str() + err.str()};
  }
  static std::string KeyFile() {
    const std::string path = absl::StrCat(::testing::TempDir(), "audit-checkpoint-key-", getpid());
    std::ofstream(path) << kCheckpointKey << "\n";
    return path;
  }
  // Writes and links the entries of the reads so far (an audited read waits
  // for neither), then signs the chain's head.
  static void Checkpoint() {
    ASSERT_TRUE(member_context().read_audit.Flush().ok());  // the reads' entries are written in the background
    ASSERT_TRUE(common::feed::SealCommitted(member_context().pool).ok());
    absl::Status written = member_context().pool.RunInTransaction("test.checkpoint", [](common::db::Session& session) {
      return common::feed::WriteAuditCheckpoint(session, "test", kCheckpointKey).status();
    });
    ASSERT_TRUE(written.ok()) << written;
  }
};

TEST_F(ReadAuditTest, EveryReadOfAPersonIsAuditedWithWhoWhichRecordAndPurpose) {
  const Branch branch = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson(PersonOptions().WithName("Lò Thị Kiểm Toán")));
  v1::Member out;
  ASSERT_TRUE(GetWithPurpose(person.name(), "case-review", &out).ok());
  EXPECT_EQ(Reads(person.name(), "case-review"), 1);
  ASSERT_TRUE(GetWithPurpose(person.name(), "", &out).ok());
  EXPECT_EQ(Reads(person.name(), "unstated"), 1);
  // The actor is the caller; details name the RPC only, never the values shown.
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE resource_name = '", person.name(),
                                     "' AND action = 'member.read' AND actor <> '' AND details LIKE '%GetMember%' "
                                     "AND details NOT LIKE '%", person.citizen_id(), "%'")),
            2);

  // A malformed purpose is refused, and nothing is shown.
  const grpc::Status refused = GetWithPurpose(person.name(), "Case Review; DROP", &out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(refused), "x-purpose");

  // Search hits that show a person: one entry per member shown.
  v1::SearchMembersRequest search;
  search.set_organization(OrgName(branch.grassroots));
  search.set_query("kiem toan");
  v1::SearchMembersResponse found;
  ASSERT_TRUE(Call(members(), &v1::MemberService::Stub::SearchMembers, AdminToken(), search, &found).ok());
  ASSERT_EQ(found.members_size(), 1);
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE resource_name = '", person.name(),
                                     "' AND action = 'member.read' AND details LIKE '%SearchMembers%'")),
            1);

  // The chain holds writes and reads alike.
  const auto [code, output] = Verify();
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("OK"));
}

TEST_F(ReadAuditTest, VerifyNamesTheFirstTamperedEntry) {
  const Branch branch = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson());
  v1::Member out;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(GetWithPurpose(person.name(), "annual-rating", &out).ok());
  Checkpoint();
  const std::string key_file = KeyFile();
  {
    const auto [code, output] = Verify(key_file);
    ASSERT_EQ(code, 0) << output;
  }
  // Someone with database access rewrites who read the record.
  const int64_t target = MemberDbInt(absl::StrCat("SELECT id FROM audit_log WHERE resource_name = '", person.name(),
                                                  "' AND action = 'member.read' ORDER BY id LIMIT 1 OFFSET 4"));
  ASSERT_GT(target, 0);
  MemberDbExecute(absl::StrCat("UPDATE audit_log SET actor = 'someone-else' WHERE id = ", target));
  {
    const auto [code, output] = Verify(key_file);
    EXPECT_EQ(code, 1) << output;
    EXPECT_THAT(output, HasSubstr(absl::StrCat("first bad entry ", target, " ")));
  }
}

TEST_F(ReadAuditTest, VerifyFindsADeletedEntryAndACutTail) {
  const Branch branch = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson());
  v1::Member out;
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(GetWithPurpose(person.name(), "case-review", &out).ok());
  Checkpoint();
  const std::string key_file = KeyFile();
  const int64_t head = MemberDbInt("SELECT MAX(id) FROM audit_log");
  // The newest entries removed: the links still hold, the checkpoint does not.
  MemberDbExecute(absl::StrCat("DELETE FROM audit_log WHERE id >= ", head - 1));
  {
    const auto [code, output] = Verify(key_file);
    EXPECT_EQ(code, 1) << output;
    EXPECT_THAT(output, HasSubstr(absl::StrCat("first bad entry ", head, " ")));
  }
  // A forged signature does not verify with the real key.
  MemberDbExecute("UPDATE audit_checkpoints SET signature = UNHEX(SHA2('forged', 256))");
  {
    const auto [code, output] = Verify(key_file);
    EXPECT_EQ(code, 1) << output;
  }
  // An entry removed from the middle breaks the link of the one after it.
  const int64_t middle = head - 3;
  MemberDbExecute(absl::StrCat("DELETE FROM audit_log WHERE id = ", middle));
  const auto [code, output] = Verify();
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, HasSubstr(absl::StrCat("first bad entry ", middle + 1, " ")));
}

TEST_F(ReadAuditTest, TheCheckpointerSignsTheChainsHeadAsItGrows) {
  const Branch branch = NewBranch();
  const v1::Member person = CreateExisting(branch.cell_a, NewPerson());
  common::feed::AuditCheckpointer checkpointer(member_context().pool, kCheckpointKey, absl::Milliseconds(50));
  checkpointer.Start();
  v1::Member out;
  ASSERT_TRUE(GetWithPurpose(person.name(), "case-review", &out).ok());
  const int64_t head = MemberDbInt("SELECT MAX(id) FROM audit_log");
  for (int i = 0; i < 100 && MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_checkpoints WHERE audit_id = ", head)) == 0;
       ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  checkpointer.Stop();
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_checkpoints WHERE audit_id = ", head,
                                     " AND key_id = '", checkpointer.key_id(), "'")),
            1);
  const auto [code, output] = Verify(KeyFile());
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, Not(HasSubstr("signatures not checked")));
}

// `grassroots retention run` by hand: audit entries go only below a signed
// checkpoint, and the chain left still verifies with its signatures.
TEST_F(ReadAuditTest, RetentionRunRemovesOnlyBelowASignedCheckpointAndVerifyStillPasses) {
  const Branch branch = NewBranch();
  CreateExisting(branch.cell_a, NewPerson());
  Checkpoint();
  const int64_t signed_id = MemberDbInt("SELECT MAX(audit_id) FROM audit_checkpoints");
  CreateExisting(branch.cell_a, NewPerson());
  const int64_t below = MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE id < ", signed_id));
  ASSERT_GT(below, 0);
  const int64_t from_signed = MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_log WHERE id >= ", signed_id));

  cli::RetentionRunOptions options;
  options.db = member_context().pool.config();
  options.policy.audit_days = 0;  // every entry is past it: only the checkpoints limit what goes
  std::ostringstream out, err;
  std::istringstream in;
  cli::Io io{out, err, in, {}};
  ASSERT_EQ(cli::RunRetention(options, io), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("audit entries"));

  const int64_t first_left = MemberDbInt("SELECT MIN(id) FROM audit_log");
  EXPECT_GE(first_left, signed_id) << "everything below the signed entry went";
  EXPECT_EQ(MemberDbInt(absl::StrCat("SELECT COUNT(*) FROM audit_checkpoints WHERE audit_id = ", first_left)), 1)
      << "the first entry left is a signed one";
  EXPECT_LE(MemberDbInt("SELECT COUNT(*) FROM audit_log"), from_signed);
  const auto [code, text] = Verify(KeyFile());
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("OK:"));
}

}  // namespace
}  // namespace grassroots::membership::testing
