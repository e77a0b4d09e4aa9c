// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) and,
// when missing, the fuzz-only key set (tests/fuzz/keys). Run by hand after a
// format change: `build/fuzz/tests/fuzz/make_fuzz_corpus`; the output is committed.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/auth/auth.h"
#include "common/auth/jwks.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/handlers/member_validation.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

namespace fs = std::filesystem;
namespace v1 = grassroots::membership::v1;
namespace auth = grassroots::common::auth;

const fs::path kFuzzDir = GRASSROOTS_FUZZ_DIR;

template <typename T>
T OrDie(absl::StatusOr<T> value, const char* what) {
  if (!value.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, std::string(value.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(value);
}

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

void Seed(const std::string& target, const std::string& name, const std::string& bytes) {
  Write(kFuzzDir / "corpus" / target / name, bytes);
}

// ---- keys and tokens ------------------------------------------------------------

struct Keys {
  std::string ec_private;
  std::string rsa_private;
};

Keys LoadOrMakeKeys() {
  const fs::path dir = grassroots::fuzz::KeysDir();
  if (!fs::exists(dir / "ec_private.pem")) {
    auto ec = OrDie(auth::GenerateEcKeyPairPem(), "EC key");
    auto rsa = OrDie(auth::GenerateRsaKeyPairPem(), "RSA key");
    Write(dir / "ec_private.pem", ec.first);
    Write(dir / "rsa_private.pem", rsa.first);
    const std::string jwks = absl::StrCat("{\"keys\": [", OrDie(auth::PublicJwkFromPem(ec.first, "fuzz-ec"), "EC JWK"),
                                          ", ", OrDie(auth::PublicJwkFromPem(rsa.first, "fuzz-rsa"), "RSA JWK"),
                                          "]}\n");
    Write(dir / "jwks.json", jwks);
  }
  return {grassroots::fuzz::ReadFileOrDie(dir / "ec_private.pem"),
          grassroots::fuzz::ReadFileOrDie(dir / "rsa_private.pem")};
}

std::string Mint(const std::string& pem, const std::string& kid, const auth::Claims& claims, absl::Duration ttl,
                 absl::Time now, const std::string& audience = "grassroots-membership") {
  auto signer = OrDie(auth::TokenSigner::FromPrivateKeyPem(pem, "grassroots-fuzz", audience), "signer");
  signer->set_key_id(kid);
  return OrDie(signer->Mint(claims, ttl, now), "mint");
}

void TokenSeeds(const Keys& keys) {
  const absl::Time now = grassroots::fuzz::FixedNow();
  auth::Claims secretary{"secretary-1", {auth::Role::kSecretary}, 42, std::nullopt};
  auth::Claims member{"member-7", {auth::Role::kMember}, 3, 7};
  auth::Claims service{"svc-reporting", {auth::Role::kService, auth::Role::kInspector}, 1, std::nullopt};
  const std::string es = Mint(keys.ec_private, "fuzz-ec", secretary, absl::Hours(1), now);
  const std::string rs = Mint(keys.rsa_private, "fuzz-rsa", member, absl::Hours(8), now);
  const std::string svc = Mint(keys.ec_private, "fuzz-ec", service, absl::Minutes(30), now);
  // The valid seeds must verify as the target checks them, or the fuzzer starts
  // outside the interesting paths.
  auto verifier = OrDie(auth::TokenVerifier::FromJwks(
                            grassroots::fuzz::ReadFileOrDie(grassroots::fuzz::KeysDir() + "/jwks.json"),
                            grassroots::fuzz::FuzzAuthConfig()),
                        "verifier");
  for (const std::string* token : {&es, &rs, &svc}) OrDie(verifier->Verify(*token, now), "a valid seed token");
  Seed("token", "es256_valid", es);
  Seed("token", "rs256_valid", rs);
  Seed("token", "service_valid", svc);
  Seed("token", "bearer_header", "Bearer " + es);
  Seed("token", "expired", Mint(keys.ec_private, "fuzz-ec", secretary, absl::Hours(1), now - absl::Hours(3)));
  Seed("token", "not_yet_valid", Mint(keys.ec_private, "fuzz-ec", secretary, absl::Hours(1), now + absl::Hours(3)));
  Seed("token", "too_long_lived", Mint(keys.ec_private, "fuzz-ec", secretary, absl::Hours(48), now));
  Seed("token", "wrong_audience", Mint(keys.ec_private, "fuzz-ec", secretary, absl::Hours(1), now, "grassroots-org"));
  Seed("token", "wrong_kid", Mint(keys.ec_private, "fuzz-rsa", secretary, absl::Hours(1), now));
  Seed("token", "unknown_kid", Mint(keys.ec_private, "nobody", secretary, absl::Hours(1), now));
  // alg "none" with the claims of a valid token and no signature.
  const std::string payload = es.substr(es.find('.') + 1, es.rfind('.') - es.find('.') - 1);
  Seed("token", "alg_none", absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT","kid":"fuzz-ec"})") + "." +
                                payload + ".");
  Seed("token", "three_dots", "a.b.c");
  Seed("token", "empty_parts", "..");
  Seed("token", "jwks", grassroots::fuzz::ReadFileOrDie(grassroots::fuzz::KeysDir() + "/jwks.json"));
}

// ---- page tokens ------------------------------------------------------------------

void PageTokenSeeds() {
  const grassroots::common::api::PageTokenCodec codec(grassroots::fuzz::kPageTokenSecret);
  grassroots::common::api::PageCursor cursor;
  cursor.query_fingerprint = 0x0123456789abcdefULL;  // the target's expected fingerprint
  cursor.last_id = 1234;
  cursor.last_key = "nguyen van an";
  Seed("page_token", "token_valid", std::string(1, '\0') + codec.Encode(cursor));
  cursor.last_key = "";
  Seed("page_token", "token_empty_key", std::string(1, '\0') + codec.Encode(cursor));
  cursor.query_fingerprint = 7;
  Seed("page_token", "token_other_query", std::string(1, '\0') + codec.Encode(cursor));
  Seed("page_token", "token_garbage", std::string(1, '\0') + "not-a-token!");
  // Payloads the target signs: version, fingerprint, id, varint length, key.
  std::string payload(1, '\x01');
  for (int i = 0; i < 8; ++i) payload.push_back(static_cast<char>((0x0123456789abcdefULL >> (8 * i)) & 0xff));
  payload.append(std::string("\x07\0\0\0\0\0\0\0", 8));
  payload.push_back('\x03');
  payload.append("abc");
  Seed("page_token", "payload_valid", "\x01" + payload);
  std::string long_varint = payload.substr(0, 17) + std::string(10, '\xff') + "abc";
  Seed("page_token", "payload_long_varint", "\x01" + long_varint);
  Seed("page_token", "payload_bad_version", "\x01" + std::string(1, '\x02') + payload.substr(1));
  Seed("page_token", "cursor", "\x02" + std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\0\0\0\0\0\0\0", 16) +
                                   "tran thi binh");
}

// ---- member requests -----------------------------------------------------------

v1::Member Person() {
  v1::Member person;
  person.set_full_name("Nguyễn Văn An");
  person.set_sex(v1::SEX_MALE);
  person.set_birth_date("1985-03-12");
  person.set_birth_place("Xã Lộc Thành, huyện Bảo Lâm, tỉnh Lâm Đồng");
  person.set_home_town("Xã Lộc An, huyện Bảo Lâm, tỉnh Lâm Đồng");
  person.set_ethnicity("01");
  person.set_religion("00");
  person.set_citizen_id("068085001234");
  person.set_occupation_category(v1::OCCUPATION_CATEGORY_FARMER);
  person.set_occupation("Trồng cà phê");
  person.set_political_theory_level(v1::POLITICAL_THEORY_LEVEL_ELEMENTARY);
  person.set_permanent_address("Thôn 3, xã Lộc Thành");
  person.set_current_address("Thôn 3, xã Lộc Thành");
  person.set_phone("0912345678");
  person.set_email("an@example.org");
  person.set_external_id("BN-000001");
  return person;
}

void MemberSeeds() {
  // The first byte picks the message: even CreateMemberRequest, odd UpdateMemberRequest.
  auto codes = OrDie(grassroots::membership::domain::CodeLists::LoadDir(
                        grassroots::membership::domain::CodeLists::DefaultDir()), "code lists");
  auto rules = OrDie(grassroots::common::RulesRegistry::LoadFile(grassroots::common::RulesRegistry::DefaultPath()),
                     "rules");
  auto calendar = OrDie(
      grassroots::common::WorkingCalendar::LoadFile(grassroots::common::WorkingCalendar::DefaultPath()), "calendar");
  // Seeds named create_existing_* or create_prospect must pass the validation.
  auto create = [&](const std::string& name, const v1::CreateMemberRequest& request) {
    if (name == "create_prospect" || name.rfind("create_existing_", 0) == 0) {
      OrDie(grassroots::membership::ValidateCreateMember(
                grassroots::membership::MemberValidation{codes, rules, calendar}, request),
            name.c_str());
    }
    Seed("validate_member", name, std::string(1, '\0') + request.SerializeAsString());
  };
  v1::CreateMemberRequest prospect;
  *prospect.mutable_member() = Person();
  prospect.mutable_prospect()->set_cell("organizations/12");
  prospect.mutable_prospect()->set_introduced_by("Đoàn TNCS Hồ Chí Minh xã Lộc Thành");
  prospect.mutable_prospect()->set_introduced_on("2024-06-01");
  prospect.set_request_id("req-1");
  create("create_prospect", prospect);

  v1::CreateMemberRequest official;
  *official.mutable_member() = Person();
  v1::ExistingMemberEntry* entry = official.mutable_existing();
  entry->set_cell("organizations/12");
  entry->set_status(v1::MEMBER_STATUS_OFFICIAL);
  entry->set_admission_decision_date("2010-05-02");
  entry->set_admission_ceremony_date("2010-05-19");
  entry->set_official_date("2011-05-19");
  entry->set_joined_cell_on("2015-01-01");
  entry->mutable_decision()->set_issuing_body("Đảng ủy xã Lộc Thành");
  entry->mutable_decision()->set_number("12-QĐ/ĐU");
  entry->mutable_decision()->set_signed_on("2010-05-02");
  official.set_party_card_number("TD-000123");
  create("create_existing_official", official);

  v1::CreateMemberRequest probationary = official;
  probationary.mutable_member()->set_sex(v1::SEX_FEMALE);
  probationary.mutable_member()->set_birth_date("1999-07-30");
  probationary.mutable_member()->set_citizen_id("068199004567");
  // Still in probation: admitted a few months before the corpus was made.
  const absl::CivilDay today = grassroots::common::api::Today();
  probationary.mutable_existing()->set_status(v1::MEMBER_STATUS_PROBATIONARY);
  probationary.mutable_existing()->clear_official_date();
  probationary.mutable_existing()->set_admission_decision_date(grassroots::common::api::FormatDate(today - 100));
  probationary.mutable_existing()->set_admission_ceremony_date(grassroots::common::api::FormatDate(today - 90));
  probationary.mutable_existing()->set_joined_cell_on(grassroots::common::api::FormatDate(today - 90));
  probationary.mutable_existing()->mutable_decision()->set_signed_on(grassroots::common::api::FormatDate(today - 100));
  probationary.mutable_existing()->set_transferred_from("Đảng bộ xã Lộc An");
  create("create_existing_probationary", probationary);

  v1::CreateMemberRequest mismatch = prospect;
  mismatch.mutable_member()->set_sex(v1::SEX_FEMALE);  // the citizen ID says male
  create("create_cid_mismatch", mismatch);
  create("create_empty", v1::CreateMemberRequest());

  v1::UpdateMemberRequest update;
  *update.mutable_member() = Person();
  update.mutable_member()->set_name("members/7");
  update.mutable_member()->set_etag("3");
  update.mutable_update_mask()->add_paths("full_name");
  update.mutable_update_mask()->add_paths("citizen_id");
  update.set_effective_date("2025-01-01");
  Seed("validate_member", "update_name", std::string(1, '\x01') + update.SerializeAsString());
  update.mutable_update_mask()->add_paths("not_a_field");
  Seed("validate_member", "update_bad_mask", std::string(1, '\x01') + update.SerializeAsString());
}

// ---- CSV files ----------------------------------------------------------------

void CsvSeeds() {
  // The first byte picks the chunk size the target feeds the rest in.
  const std::string vietnamese =
      "Mã,Họ và tên,Giới tính,Ngày sinh,Số CCCD,Nhóm nghề nghiệp,Chi bộ,Trạng thái,Ngày quyết định kết nạp,"
      "Ngày vào Đảng,Ngày chính thức,Ngày sinh hoạt tại chi bộ\r\n"
      "BN-000001,Nguyễn Văn An,Nam,12/03/1985,068085001234,\"Cán bộ, công chức, viên chức\",DEMO-LV.BN.X01.CQ,"
      "chính thức,02/05/2010,19/05/2010,19/05/2011,01/01/2015\r\n"
      "BN-000002,Ka Thoa,Nữ,1999-07-30,068199004567,Nông dân,DEMO-LV.BN.X04.C03,dự bị,20/11/2019,10/12/2019,,"
      "10/12/2019\r\n";
  Seed("member_csv", "vietnamese_header", "\x03" + vietnamese);
  Seed("member_csv", "bom_lf", "\x07\xEF\xBB\xBF" +
                                   std::string("external_id,full_name,sex,birth_date,citizen_id,occupation_category,"
                                               "cell,status,admission_decision_date,admission_ceremony_date,"
                                               "official_date,joined_cell_on\n"
                                               "X1,Trần Thị Bình,Nữ,1990-01-02,068190000001,Nông dân,organizations/12,"
                                               "official,2015-01-01,2015-01-15,2016-01-15,2016-02-01\n"
                                               ",,,,,,,,,,,\n"));
  Seed("member_csv", "quoted_multiline",
       std::string("\x01") + "external_id,full_name,citizen_id,cell\n\"X\"\"2\",\"Lê\nVăn\rC\",068085001235,C01\r");
  Seed("member_csv", "unclosed_quote", std::string("\x02") + "external_id,full_name\n\"X3,abc\n");
  Seed("member_csv", "stray_quote", std::string("\x05") + "a,b\"c,d\r\ne,f\n");
  Seed("member_csv", "lone_cr", std::string("\x00", 1) + "a\rb\r\rc\r\n\r\n");
  Seed("member_csv", "optional_columns",
       std::string("\x0f") +
           "external_id,full_name,birth_name,sex,birth_date,birth_place,home_town,ethnicity,religion,citizen_id,"
           "party_card_number,occupation_category,occupation,general_education,professional_qualification,"
           "political_theory_level,permanent_address,current_address,phone,email,cell,status,"
           "admission_decision_date,admission_ceremony_date,official_date,joined_cell_on,"
           "professional_qualification_level,transferred_from\n"
           "E9,Phạm Minh Đức,,nam,1.2.1970,Huế,Huế,Kinh,Không,068070000009,TD-1,Hưu trí,Giáo viên,12/12,Cử nhân Luật,"
           "trung cấp,Thôn 1,Thôn 1,0900000000,duc@example.org,organizations/3,chinh thuc,01-01-1995,15-01-1995,"
           "15-01-1996,01/02/2000,đại học,Đảng bộ huyện Bảo Lâm\n");
}

// ---- JSON CLI input -------------------------------------------------------------

void CliSeeds() {
  Seed("cli_json", "get_organization", "OrganizationService.GetOrganization\n{\"name\": \"organizations/1\"}");
  Seed("cli_json", "create_member_camel",
       "grassroots.membership.v1.MemberService.CreateMember\n"
       "{\"member\": {\"fullName\": \"Nguyễn Văn An\", \"sex\": \"SEX_MALE\", \"birthDate\": \"1985-03-12\"},"
       " \"prospect\": {\"cell\": \"organizations/12\", \"introducedOn\": \"2024-06-01\"}}");
  Seed("cli_json", "list_members_path",
       "/grassroots.membership.v1.MemberService/ListMembers\n"
       "{\"page_size\": 50, \"page_token\": \"abc\", \"filter\": \"status=OFFICIAL\"}");
  Seed("cli_json", "update_mask",
       "MemberService.UpdateMember\n{\"member\": {\"name\": \"members/7\", \"phone\": \"0912\"},"
       " \"updateMask\": \"phone,email\"}");
  Seed("cli_json", "empty_request", "OrganizationService.ListOrganizations\n");
  Seed("cli_json", "unknown_field", "OrganizationService.GetOrganization\n{\"nme\": 1}");
  Seed("cli_json", "ambiguous", "Get\n{}");
  Seed("cli_json", "int64_string", "MemberService.GetMember\n{\"name\": \"members/9223372036854775807\"}");
}

}  // namespace

int main() {
  const Keys keys = LoadOrMakeKeys();
  TokenSeeds(keys);
  PageTokenSeeds();
  MemberSeeds();
  CsvSeeds();
  CliSeeds();
  std::printf("corpora written under %s/corpus\n", kFuzzDir.c_str());
  return 0;
}
