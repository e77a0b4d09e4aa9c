// System test of the real grassroots-inspection binary with the real org and
// membership binaries, all subprocesses configured only through GRASSROOTS_*
// variables, against a MariaDB server this test starts itself: a discipline
// decision's effect survives the inspection process being killed (SIGKILL)
// between the decision and the effect, and is applied exactly once.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/server/service_host.h"
#include "grassroots/inspection/v1/inspection.grpc.pb.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "tests/integration/system/process_support.h"
#include "tests/support/test_tokens.h"

namespace grassroots::system_test {
namespace {

namespace orgv1 = ::grassroots::org::v1;
namespace memberv1 = ::grassroots::membership::v1;
namespace insp = ::grassroots::inspection::v1;
using common::auth::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Process {
  std::string name;
  const char* binary = nullptr;
  std::string database;
  pid_t pid = -1;
  int grpc_port = 0;
  std::filesystem::path stderr_path;
  std::shared_ptr<grpc::Channel> channel;
};

class InspectionProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/grassroots-inspection-system-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << std::strerror(errno);
    work_dir_ = pattern;
    std::string output;
    ASSERT_EQ(RunMariadbScript(work_dir_ / "mariadb.log", {"start", (work_dir_ / "mariadb").string()}, &output), 0)
        << output;
    db_port_ = std::atoi(ReadFile(work_dir_ / "mariadb" / "port").c_str());
    ASSERT_GT(db_port_, 0);
    const absl::Status created =
        CreateDatabases(db_port_, {"grassroots_org", "grassroots_membership", "grassroots_inspection"});
    ASSERT_TRUE(created.ok()) << created;
    std::ofstream(work_dir_ / "page_token_secret") << "inspection-system-test-page-token-secret\n";
    std::ofstream(work_dir_ / "citizen_id_key") << "inspection-system-test-citizen-id-key\n";
    std::ofstream(work_dir_ / "sensitive_keyring") << "1 " << std::string(64, 'a') << "\ncurrent 1\n";
    org_ = {"org", GRASSROOTS_ORG_BINARY, "grassroots_org"};
    membership_ = {"membership", GRASSROOTS_MEMBERSHIP_BINARY, "grassroots_membership"};
    inspection_ = {"inspection", GRASSROOTS_INSPECTION_BINARY, "grassroots_inspection"};
    for (Process* p : {&org_, &membership_, &inspection_}) {
      p->grpc_port = PickFreePort();
      ASSERT_GT(p->grpc_port, 0);
      p->channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", p->grpc_port),
                                             grpc::InsecureChannelCredentials(), common::DefaultChannelArguments());
    }
  }

  void TearDown() override {
    for (Process* process : {&inspection_, &membership_, &org_}) {
      if (process->pid > 0) {
        ::kill(process->pid, SIGKILL);
        WaitForExit(process->pid, seconds(10));
      }
      if (HasFailure() && std::filesystem::exists(process->stderr_path)) {
        std::cerr << "---- " << process->stderr_path.filename() << " (tail) ----\n";
        const std::string text = ReadFile(process->stderr_path);
        std::cerr << text.substr(text.size() > 6000 ? text.size() - 6000 : 0) << "----\n";
      }
    }
    if (!work_dir_.empty()) {
      std::string output;
      RunMariadbScript(work_dir_ / "mariadb.log", {"stop", (work_dir_ / "mariadb").string(), "--purge"}, &output);
      std::error_code ignored;
      std::filesystem::remove_all(work_dir_, ignored);
    }
  }

  std::vector<std::string> Settings(const Process& p) const {
    std::vector<std::string> settings = {
        "GRASSROOTS_DB_HOST=127.0.0.1",
        absl::StrCat("GRASSROOTS_DB_PORT=", db_port_),
        "GRASSROOTS_DB_USER=root",
        absl::StrCat("GRASSROOTS_DB_DATABASE=", p.database),
        "GRASSROOTS_DB_POOL_SIZE=4",
        absl::StrCat("GRASSROOTS_AUTH_PUBLIC_KEY_FILE=", grassroots::testing::TestKeys::Get().public_key_file()),
        absl::StrCat("GRASSROOTS_AUTH_ISSUER=", grassroots::testing::kTestIssuer),
        absl::StrCat("GRASSROOTS_PAGE_TOKEN_SECRET_FILE=", (work_dir_ / "page_token_secret").string()),
        absl::StrCat("GRASSROOTS_GRPC_ADDRESS=127.0.0.1:", p.grpc_port),
        absl::StrCat("GRASSROOTS_METRICS_ADDRESS=127.0.0.1:", PickFreePort()),
        "GRASSROOTS_DRAIN_DELAY_MS=0",
        "GRASSROOTS_SHUTDOWN_GRACE_MS=1000",
        "GRASSROOTS_HEALTH_CHECK_INTERVAL_MS=200",
        absl::StrCat("GRASSROOTS_RULES_FILE=", GRASSROOTS_RULES_FILE),
        absl::StrCat("GRASSROOTS_CALENDAR_FILE=", GRASSROOTS_CALENDAR_FILE),
        absl::StrCat("GRASSROOTS_SERVICE_SIGNING_KEY_FILE=", grassroots::testing::TestKeys::Get().private_key_file()),
    };
    if (p.name == "membership") {
      settings.push_back(absl::StrCat("GRASSROOTS_ORG_TARGET=127.0.0.1:", org_.grpc_port));
      settings.push_back(absl::StrCat("GRASSROOTS_CITIZEN_ID_LOOKUP_KEY_FILE=", (work_dir_ / "citizen_id_key").string()));
      settings.push_back(absl::StrCat("GRASSROOTS_SENSITIVE_KEYRING_FILE=", (work_dir_ / "sensitive_keyring").string()));
      settings.push_back(absl::StrCat("GRASSROOTS_CODES_DIR=", GRASSROOTS_CODES_DIR));
    }
    if (p.name == "inspection") {
      settings.push_back(absl::StrCat("GRASSROOTS_ORG_TARGET=127.0.0.1:", org_.grpc_port));
      settings.push_back(absl::StrCat("GRASSROOTS_MEMBERSHIP_TARGET=127.0.0.1:", membership_.grpc_port));
    }
    return settings;
  }

  // Starts the binary and waits until it reports SERVING.
  void StartServing(Process& p) {
    std::vector<std::string> env = InheritedEnvironment();
    const std::vector<std::string> own = Settings(p);
    env.insert(env.end(), own.begin(), own.end());
    p.stderr_path = work_dir_ / (p.name + ".stderr");
    p.pid = Spawn({p.binary}, env, (work_dir_ / (p.name + ".stdout")).string(), p.stderr_path.string());
    ASSERT_GT(p.pid, 0) << "cannot start " << p.binary;
    absl::StatusOr<int> last = absl::UnknownError("never asked");
    const bool serving = PollUntil(seconds(120), milliseconds(100), [&] {
      int status = 0;
      if (::waitpid(p.pid, &status, WNOHANG) == p.pid) {
        p.pid = -1;
        ADD_FAILURE() << p.name << " exited: " << DescribeWaitStatus(status);
        return true;
      }
      last = HealthCheck(p.channel);
      return last.ok() && *last == kServing;
    });
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(serving) << p.name << " did not serve; last health: "
                         << (last.ok() ? std::to_string(*last) : last.status().ToString());
  }

  void Kill(Process& p) {
    ASSERT_EQ(::kill(p.pid, SIGKILL), 0);
    WaitForExit(p.pid, seconds(10));
    p.pid = -1;
  }

  static void Authorize(grpc::ClientContext& context, Role role, int64_t scope = 1) {
    context.AddMetadata("authorization", grassroots::testing::MintToken({role}, scope, std::nullopt, absl::Hours(1)));
    context.set_deadline(std::chrono::system_clock::now() + seconds(10));
  }

  std::string CreateOrg(const std::string& code, const std::string& type, const std::string& parent) {
    orgv1::CreateOrganizationRequest request;
    request.mutable_organization()->set_code(code);
    request.mutable_organization()->set_display_name(absl::StrCat("Tổ chức ", code));
    request.mutable_organization()->set_type(type);
    request.mutable_organization()->set_parent(parent);
    request.mutable_organization()->set_established_on("2005-01-01");
    grpc::ClientContext context;
    Authorize(context, Role::kAdmin);
    orgv1::Organization created;
    const grpc::Status status =
        orgv1::OrganizationService::NewStub(org_.channel)->CreateOrganization(&context, request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.name();
  }

  std::string CreateOfficialMember(const std::string& cell) {
    memberv1::CreateMemberRequest request;
    memberv1::Member* person = request.mutable_member();
    person->set_full_name("Trần Văn Thử");
    person->set_sex(memberv1::SEX_MALE);
    person->set_birth_date("1975-04-02");
    person->set_birth_place("Xã Lộc Thành, tỉnh Lâm Đồng");
    person->set_home_town("Xã Lộc An, tỉnh Lâm Đồng");
    person->set_ethnicity("01");
    person->set_religion("00");
    person->set_citizen_id("068075000123");
    person->set_occupation_category(memberv1::OCCUPATION_CATEGORY_FARMER);
    person->set_occupation("Trồng cà phê");
    person->set_general_education(memberv1::GENERAL_EDUCATION_UPPER_SECONDARY);
    person->set_political_theory_level(memberv1::POLITICAL_THEORY_LEVEL_ELEMENTARY);
    person->set_permanent_address("Thôn 3, xã Lộc Thành");
    person->set_current_address("Thôn 3, xã Lộc Thành");
    person->set_phone("0900000001");
    person->set_external_id("SYS-INSP-1");
    memberv1::ExistingMemberEntry* entry = request.mutable_existing();
    entry->set_cell(cell);
    entry->set_status(memberv1::MEMBER_STATUS_OFFICIAL);
    entry->set_admission_decision_date("2010-05-05");
    entry->set_admission_ceremony_date("2010-05-19");
    entry->set_official_date("2011-05-19");
    entry->set_joined_cell_on("2010-05-19");
    entry->mutable_decision()->set_issuing_body("Đảng ủy xã Lộc Thành");
    entry->mutable_decision()->set_number("5-QĐ/ĐU");
    entry->mutable_decision()->set_signed_on("2010-05-05");
    request.set_party_card_number("SYS-CARD-1");
    grpc::ClientContext context;
    Authorize(context, Role::kAdmin);
    memberv1::Member created;
    const grpc::Status status =
        memberv1::MemberService::NewStub(membership_.channel)->CreateMember(&context, request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.name();
  }

  insp::DisciplineDecision GetDecision(const std::string& name) {
    insp::GetDisciplineDecisionRequest request;
    request.set_name(name);
    grpc::ClientContext context;
    Authorize(context, Role::kInspector);
    insp::DisciplineDecision decision;
    inspection_status_ =
        insp::DisciplineService::NewStub(inspection_.channel)->GetDisciplineDecision(&context, request, &decision);
    return decision;
  }

  int64_t MembershipInt(const std::string& sql) {
    absl::StatusOr<int64_t> value = QueryInt(db_port_, "grassroots_membership", sql);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? *value : -1;
  }

  std::filesystem::path work_dir_;
  int db_port_ = 0;
  Process org_, membership_, inspection_;
  grpc::Status inspection_status_;
};

TEST_F(InspectionProcessTest, AnExpulsionSurvivesAKillBetweenTheDecisionAndItsEffectAndAppliesOnce) {
  ASSERT_NO_FATAL_FAILURE(StartServing(org_));
  const std::string root = CreateOrg("SYS-INSP-ROOT", "DANG_BO_TINH", "");
  const std::string commune = CreateOrg("SYS-INSP-XA", "DANG_BO_CO_SO", root);
  const std::string cell = CreateOrg("SYS-INSP-CB", "CHI_BO_TRUC_THUOC", commune);
  ASSERT_NO_FATAL_FAILURE(StartServing(membership_));
  const std::string member = CreateOfficialMember(cell);
  ASSERT_FALSE(member.empty());
  ASSERT_NO_FATAL_FAILURE(StartServing(inspection_));
  // Inspection's projections must hold the member before it can judge the decision.
  ASSERT_TRUE(PollUntil(seconds(30), milliseconds(200), [&] {
    absl::StatusOr<int64_t> n = QueryInt(db_port_, "grassroots_inspection",
                                         "SELECT COUNT(*) FROM member_period_projection");
    return n.ok() && *n > 0;
  }));

  // Membership goes away: the decision is recorded, its effect waits.
  ASSERT_NO_FATAL_FAILURE(Kill(membership_));
  insp::DecideDisciplineRequest request;
  insp::DisciplineDecision* d = request.mutable_decision();
  d->set_organization(commune);
  d->set_deciding_body(insp::CONDUCTOR_INSPECTION_COMMISSION);
  d->mutable_subject()->set_member(member);
  d->set_form(insp::DISCIPLINE_FORM_EXPULSION);
  d->mutable_decision()->set_issuing_body("Ủy ban Kiểm tra Đảng ủy xã");
  d->mutable_decision()->set_number("9-QĐ/UBKT");
  d->mutable_decision()->set_signed_on(common::api::FormatDate(common::api::Today() - 3));
  d->mutable_violation()->set_summary("Vi phạm nghiêm trọng");
  d->mutable_violation()->set_ended_on(common::api::FormatDate(common::api::Today() - 60));
  insp::DisciplineDecision decided;
  {
    grpc::ClientContext context;
    Authorize(context, Role::kInspector);
    const grpc::Status status =
        insp::DisciplineService::NewStub(inspection_.channel)->DecideDiscipline(&context, request, &decided);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ(decided.effects_size(), 1);

  // The inspection process dies with the effect pending, and comes back; so does membership.
  ASSERT_NO_FATAL_FAILURE(Kill(inspection_));
  ASSERT_NO_FATAL_FAILURE(StartServing(membership_));
  ASSERT_NO_FATAL_FAILURE(StartServing(inspection_));
  const bool applied = PollUntil(seconds(60), milliseconds(200), [&] {
    const insp::DisciplineDecision now = GetDecision(decided.name());
    return inspection_status_.ok() && now.effects_size() == 1 &&
           now.effects(0).state() == insp::EFFECT_STATE_APPLIED;
  });
  ASSERT_TRUE(applied) << GetDecision(decided.name()).ShortDebugString();
  const std::string member_id = member.substr(member.find('/') + 1);
  EXPECT_EQ(MembershipInt(absl::StrCat("SELECT COUNT(*) FROM member_events WHERE member_id = ", member_id,
                                       " AND kind = ", memberv1::EVENT_KIND_EXPELLED)),
            1);

  // Killed again after the effect: a restart applies nothing a second time.
  ASSERT_NO_FATAL_FAILURE(Kill(inspection_));
  ASSERT_NO_FATAL_FAILURE(StartServing(inspection_));
  EXPECT_EQ(GetDecision(decided.name()).effects(0).state(), insp::EFFECT_STATE_APPLIED);
  EXPECT_EQ(MembershipInt(absl::StrCat("SELECT COUNT(*) FROM member_events WHERE member_id = ", member_id,
                                       " AND kind = ", memberv1::EVENT_KIND_EXPELLED)),
            1);
}

}  // namespace
}  // namespace grassroots::system_test
