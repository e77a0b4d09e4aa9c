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

// A service binary of the test and the database it keeps.
struct Service : ServiceProcess {
  std::string name;
  const char* binary = nullptr;
  std::string database;
};

class InspectionProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/grassroots-inspection-system-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << std::strerror(errno);
    work_dir_ = pattern;
    absl::StatusOr<int> port = StartOwnMariadb(work_dir_ / "mariadb", work_dir_ / "mariadb.log");
    ASSERT_TRUE(port.ok()) << port.status();
    db_port_ = *port;
    const absl::Status created =
        CreateDatabases(db_port_, {"grassroots_org", "grassroots_membership", "grassroots_inspection"});
    ASSERT_TRUE(created.ok()) << created;
    WriteServiceSecrets(work_dir_, "inspection-system-test");
    const auto define = [](Service& service, const char* name, const char* binary, const char* database) {
      service.name = name;
      service.binary = binary;
      service.database = database;
      service.grpc_port = PickFreePort();
    };
    define(org_, "org", GRASSROOTS_ORG_BINARY, "grassroots_org");
    define(membership_, "membership", GRASSROOTS_MEMBERSHIP_BINARY, "grassroots_membership");
    define(inspection_, "inspection", GRASSROOTS_INSPECTION_BINARY, "grassroots_inspection");
    for (const Service* service : {&org_, &membership_, &inspection_}) ASSERT_GT(service->grpc_port, 0);
  }

  void TearDown() override {
    for (Service* service : {&inspection_, &membership_, &org_}) KillService(service, HasFailure());
    if (!work_dir_.empty()) {
      (void)StopOwnMariadb(work_dir_ / "mariadb", work_dir_ / "mariadb.log");
      std::error_code ignored;
      std::filesystem::remove_all(work_dir_, ignored);
    }
  }

  std::vector<std::string> Settings(Service& service) const {
    const ServiceBase base = {.db_port = db_port_,
                              .database = service.database,
                              .secrets_dir = work_dir_,
                              .pool_size = 4,
                              .drain_delay = milliseconds(0),
                              .shutdown_grace = milliseconds(1000),
                              .limit_caller_rate = true};
    std::vector<std::string> settings = ServiceSettings(base, &service);
    if (service.name == "membership") {
      for (std::string& setting : MembershipOwnSettings(work_dir_, org_.grpc_port, milliseconds(2000))) {
        settings.push_back(std::move(setting));
      }
    }
    if (service.name == "inspection") {
      settings.push_back(absl::StrCat("GRASSROOTS_ORG_TARGET=127.0.0.1:", org_.grpc_port));
      settings.push_back(absl::StrCat("GRASSROOTS_MEMBERSHIP_TARGET=127.0.0.1:", membership_.grpc_port));
      settings.push_back(absl::StrCat("GRASSROOTS_CALENDAR_FILE=", GRASSROOTS_CALENDAR_FILE));
      settings.push_back(
          absl::StrCat("GRASSROOTS_SERVICE_SIGNING_KEY_FILE=", grassroots::testing::TestKeys::Get().private_key_file()));
    }
    return settings;
  }

  // Starts the binary and waits until it reports SERVING.
  void StartServing(Service& service) {
    const absl::Status started = StartService(service.binary, service.name, work_dir_, Settings(service), &service);
    ASSERT_TRUE(started.ok()) << started;
    const absl::Status serving = WaitForHealthStatus(&service.pid, service.channel, kServing, seconds(120));
    ASSERT_TRUE(serving.ok()) << service.name << ": " << serving;
  }

  void Kill(Service& service) {
    ASSERT_GT(service.pid, 0) << service.name << " is not running";
    KillService(&service, false);
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
  Service org_, membership_, inspection_;
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
