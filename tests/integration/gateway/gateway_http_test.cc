// The HTTP gateway as a portal uses it: real org and membership services over a
// real MariaDB (MembershipFixture), the gateway on 127.0.0.1:0, an HTTP client.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/server/http_listener.h"
#include "services/gateway/domain/transcoding.h"
#include "services/gateway/handlers/http_gateway.h"
#include "tests/integration/membership/membership_fixture.h"
#include "tests/support/eventually.h"

namespace grassroots::gateway {
namespace {

using json = nlohmann::json;

class GatewayHttpTest : public membership::testing::MembershipFixture {
 public:
  static void SetUpTestSuite() {
    MembershipFixture::SetUpTestSuite();
    absl::StatusOr<RouteTable> routes = RouteTable::Build(LinkedServices("grassroots."));
    ASSERT_TRUE(routes.ok()) << routes.status();
    routes_ = new RouteTable(*std::move(routes));
    backends_ = new Backends();
    backends_->Add("org", BackendChannel(absl::StrCat("127.0.0.1:", org_port())));
    backends_->Add("membership", BackendChannel(absl::StrCat("127.0.0.1:", membership_port())));
    // Nobody listens here: the inspection service is down.
    backends_->Add("inspection", BackendChannel("127.0.0.1:1"));
    registry_ = std::make_shared<prometheus::Registry>();
    gateway_ = new HttpGateway(*routes_, *backends_,
                               {.cors_allowed_origins = {"https://portal.example.vn"},
                                .call_deadline = std::chrono::seconds(5),
                                .openapi_json = R"({"openapi":"3.1.0"})"},
                               registry_);
    absl::StatusOr<std::unique_ptr<common::HttpListener>> listener = common::HttpListener::Start(
        {.name = "http", .address = "127.0.0.1:0", .threads = 8, .max_body_bytes = 64 * 1024},
        [](httplib::Server& server) { gateway_->Install(server); }, registry_);
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = listener->release();
  }
  static void TearDownTestSuite() {
    delete listener_;
    delete gateway_;
    delete backends_;
    delete routes_;
    MembershipFixture::TearDownTestSuite();
  }

 protected:
  static httplib::Client Client() {
    httplib::Client client("127.0.0.1", listener_->port());
    client.set_read_timeout(20, 0);
    return client;
  }
  static httplib::Headers Auth(const std::string& token) {
    return {{"Authorization", token.rfind("Bearer ", 0) == 0 ? token : absl::StrCat("Bearer ", token)}};
  }
  static json Body(const httplib::Result& result) { return json::parse(result->body, nullptr, false); }

  // The grpc_type label of `route`'s latency histogram ("" when not recorded).
  static std::string LatencyGrpcTypeOf(const std::string& route) {
    for (const auto& family : registry_->Collect()) {
      if (family.name != "http_server_request_duration_seconds") continue;
      for (const auto& metric : family.metric) {
        std::string seen_route, grpc_type;
        for (const auto& label : metric.label) {
          if (label.name == "route") seen_route = label.value;
          if (label.name == "grpc_type") grpc_type = label.value;
        }
        if (seen_route == route) return grpc_type;
      }
    }
    return "";
  }

  static RouteTable* routes_;
  static Backends* backends_;
  static std::shared_ptr<prometheus::Registry> registry_;
  static HttpGateway* gateway_;
  static common::HttpListener* listener_;
};
RouteTable* GatewayHttpTest::routes_ = nullptr;
Backends* GatewayHttpTest::backends_ = nullptr;
std::shared_ptr<prometheus::Registry> GatewayHttpTest::registry_;
HttpGateway* GatewayHttpTest::gateway_ = nullptr;
common::HttpListener* GatewayHttpTest::listener_ = nullptr;

TEST_F(GatewayHttpTest, ReadsAnOrganizationWithAnEtagAndRevalidates) {
  httplib::Client client = Client();
  httplib::Headers headers = Auth(AdminToken());
  headers.emplace("X-Request-Id", "portal-req-1");
  httplib::Result got = client.Get(absl::StrCat("/v1/organizations/", RootId()), headers);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body;
  EXPECT_EQ(got->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(got->get_header_value("X-Request-Id"), "portal-req-1");
  json organization = Body(got);
  EXPECT_EQ(organization["name"], OrgName(RootId()));
  EXPECT_TRUE(organization.contains("displayName")) << got->body;  // lowerCamelCase, the canonical mapping
  const std::string etag = got->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());

  headers.emplace("If-None-Match", etag);
  httplib::Result again = client.Get(absl::StrCat("/v1/organizations/", RootId()), headers);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
}

TEST_F(GatewayHttpTest, ErrorsAreGoogleRpcStatusWithTheMappedHttpCode) {
  httplib::Client client = Client();
  httplib::Result anonymous = client.Get(absl::StrCat("/v1/organizations/", RootId()));
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Body(anonymous)["code"], 16) << anonymous->body;

  httplib::Result missing = client.Get("/v1/organizations/999999999", Auth(AdminToken()));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404) << missing->body;
  EXPECT_EQ(Body(missing)["code"], 5);

  // The service's own field violation reaches the portal as a BadRequest detail.
  httplib::Result invalid = client.Post("/v1/organizations", Auth(AdminToken()),
                                        R"({"organization": {"displayName": "x", "type": "CHI_BO_CO_SO"}})",
                                        "application/json");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400) << invalid->body;
  json status = Body(invalid);
  EXPECT_EQ(status["code"], 3);
  ASSERT_TRUE(status["details"].is_array()) << invalid->body;
  bool names_the_field = false;
  for (const json& detail : status["details"]) {
    names_the_field |= detail["@type"] == "type.googleapis.com/google.rpc.BadRequest" &&
                       detail["fieldViolations"][0]["field"].get<std::string>().rfind("organization.", 0) == 0;
  }
  EXPECT_TRUE(names_the_field) << invalid->body;

  // Refused by the gateway before any call: the request does not fit.
  httplib::Result unknown_field = client.Post("/v1/organizations", Auth(AdminToken()), R"({"colour": "red"})",
                                              "application/json");
  ASSERT_TRUE(unknown_field);
  EXPECT_EQ(unknown_field->status, 400);
  EXPECT_NE(Body(unknown_field)["message"].get<std::string>().find("colour"), std::string::npos) << unknown_field->body;
  httplib::Result not_json = client.Post("/v1/organizations", Auth(AdminToken()), "name=x", "text/plain");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 415);

  httplib::Result no_route = client.Get("/v1/nowhere", Auth(AdminToken()));
  ASSERT_TRUE(no_route);
  EXPECT_EQ(no_route->status, 404);
  httplib::Result wrong_method = client.Delete(absl::StrCat("/v1/organizations/", RootId()), Auth(AdminToken()));
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "GET, PATCH");

  httplib::Result down = client.Get("/v1/cases/1", Auth(AdminToken()));
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503) << down->body;
  httplib::Result unconfigured = client.Get("/v1/plans/1", Auth(AdminToken()));
  ASSERT_TRUE(unconfigured);
  EXPECT_EQ(unconfigured->status, 503);
  EXPECT_NE(unconfigured->body.find("reporting service is not configured"), std::string::npos);

  httplib::Result too_big = client.Post("/v1/organizations", Auth(AdminToken()), std::string(100 * 1024, ' '),
                                        "application/json");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
}

TEST_F(GatewayHttpTest, CreatesFindsAndChangesAMemberOverHttp) {
  const membership::testing::Branch branch = NewBranch();
  membership::v1::CreateMemberRequest create =
      ExistingMemberRequest(branch.cell_a, NewPerson(), membership::v1::MEMBER_STATUS_OFFICIAL, DaysFromToday(-2000),
                            UniqueCard());
  httplib::Client client = Client();
  httplib::Result created =
      client.Post("/v1/members", Auth(AdminToken()), PrintJsonMessage(create), "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(created->get_header_value("Cache-Control"), "no-store");
  const std::string name = Body(created)["name"];
  ASSERT_EQ(name.rfind("members/", 0), 0u) << created->body;

  httplib::Result got = client.Get(absl::StrCat("/v1/", name), Auth(SecretaryToken(branch.cell_a)));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body;
  EXPECT_EQ(Body(got)["fullName"], create.member().full_name());

  // Out of scope: a secretary of the other cell learns nothing, not even that the member exists.
  httplib::Result other = client.Get(absl::StrCat("/v1/", name), Auth(SecretaryToken(branch.cell_b)));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404) << other->body;

  httplib::Result found = client.Get(
      absl::StrCat("/v1/members:search?organization=organizations%2F", branch.grassroots, "&pageSize=10"),
      Auth(AdminToken()));
  ASSERT_TRUE(found);
  ASSERT_EQ(found->status, 200) << found->body;
  ASSERT_EQ(Body(found)["members"].size(), 1u) << found->body;
  EXPECT_EQ(Body(found)["members"][0]["name"], name);

  // An illegal transition: a member who is not suspended cannot end a suspension.
  httplib::Result illegal = client.Post(
      absl::StrCat("/v1/", name, ":endSuspension"), Auth(AdminToken()),
      absl::StrCat(R"({"decision": )", PrintJsonMessage(SomeDecision(Today())), "}"), "application/json");
  ASSERT_TRUE(illegal);
  EXPECT_EQ(illegal->status, 400) << illegal->body;
  EXPECT_EQ(Body(illegal)["code"], 9) << illegal->body;  // FAILED_PRECONDITION
}

TEST_F(GatewayHttpTest, ImportStreamsNdjsonBothWays) {
  // Every required column, and a row without a name.
  const std::string csv =
      "external_id,full_name,sex,birth_date,ethnicity,religion,citizen_id,party_card_number,occupation_category,"
      "cell,status,admission_decision_date,admission_ceremony_date,official_date,joined_cell_on,current_address,phone\r\n"
      "GW-1,,Nam,01/01/1980,Kinh,Không,,,Nông dân,organizations/1,Chính thức,01/01/2010,01/02/2010,01/02/2011,"
      "01/02/2010,Thôn 1,\r\n";
  const std::string chunk = absl::StrCat(R"({"fileName": "gw.csv", "dryRun": true, "data": ")",
                                         absl::Base64Escape(csv), "\"}\n");
  httplib::Client client = Client();
  const int64_t members_before = CountRows("members");
  httplib::Result imported = client.Post("/v1/members:import", Auth(AdminToken()), chunk, "application/x-ndjson");
  ASSERT_TRUE(imported);
  ASSERT_EQ(imported->status, 200) << imported->body;
  EXPECT_EQ(imported->get_header_value("Content-Type"), "application/x-ndjson");
  std::vector<json> lines;
  for (absl::string_view line : absl::StrSplit(imported->body, '\n', absl::SkipEmpty())) {
    lines.push_back(json::parse(std::string(line), nullptr, false));
    ASSERT_FALSE(lines.back().is_discarded()) << line;
  }
  ASSERT_FALSE(lines.empty());
  bool any_error_row = false;
  for (const json& line : lines) {
    ASSERT_TRUE(line.contains("result")) << line.dump();
    for (const json& row : line["result"].value("rows", json::array())) {
      any_error_row |= row.value("outcome", "") == "ROW_OUTCOME_ERROR";
    }
  }
  EXPECT_TRUE(any_error_row) << imported->body;
  EXPECT_EQ(lines.back()["result"].value("done", false), true) << imported->body;
  EXPECT_EQ(CountRows("members"), members_before);  // a dry run writes nothing
  // A stream's latency is labelled as one, so the latency SLO (unary calls) leaves it out.
  EXPECT_TRUE(grassroots::testing::Eventually(
      [&] { return LatencyGrpcTypeOf("POST /v1/members:import") == "bidi_stream"; }))
      << LatencyGrpcTypeOf("POST /v1/members:import");
}

// What the HTTP library refuses before any handler still answers a Status, and
// the connection closes, so nothing left of the request is read as the next one.
TEST_F(GatewayHttpTest, OversizedRequestsAnswerAStatusAndCloseTheConnection) {
  httplib::Client client = Client();
  httplib::Headers headers = Auth(AdminToken());
  headers.emplace("If-None-Match", std::string(20000, 'y'));
  httplib::Result huge_header = client.Get("/v1/sectors", headers);
  ASSERT_TRUE(huge_header);
  EXPECT_EQ(huge_header->status, 400);
  EXPECT_EQ(huge_header->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Body(huge_header)["code"], 3) << huge_header->body;

  httplib::Result long_url = client.Get(absl::StrCat("/v1/rules?idPrefix=", std::string(10000, 'y')), Auth(AdminToken()));
  ASSERT_TRUE(long_url);
  EXPECT_EQ(long_url->status, 414);
  EXPECT_EQ(Body(long_url)["code"], 3) << long_url->body;

  // A value the service rejects and quotes back, as long as a URL allows:
  // its own INVALID_ARGUMENT, not a metadata limit of the gateway's channel.
  httplib::Result long_value = client.Get(
      absl::StrCat("/v1/organizations/", RootId(), ":checkRules?asOfDate=", std::string(2500, 'y')), Auth(AdminToken()));
  ASSERT_TRUE(long_value);
  EXPECT_EQ(long_value->status, 400) << long_value->body.substr(0, 300);

  // cpp-httplib 0.11 (Debian 12) reads past a header line over its limit as a
  // new request, so on a keep-alive connection one oversized request gets two
  // answers and the next request's answer comes one late. A proxy in front
  // (the chart's ingress: nginx refuses header lines over 8 KiB itself) never
  // forwards such a request; without one, --keep-alive-max-requests 1 closes
  // every connection after its answer, which this checks on a raw connection.
  absl::StatusOr<std::unique_ptr<common::HttpListener>> closing = common::HttpListener::Start(
      {.name = "http", .address = "127.0.0.1:0", .threads = 2, .keep_alive_max_requests = 1},
      [](httplib::Server& server) { gateway_->Install(server); }, std::make_shared<prometheus::Registry>());
  ASSERT_TRUE(closing.ok()) << closing.status();
  const std::string token = AdminToken();
  const std::string bearer = token.rfind("Bearer ", 0) == 0 ? token : absl::StrCat("Bearer ", token);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>((*closing)->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string requests = absl::StrCat(
      "GET /v1/sectors HTTP/1.1\r\nHost: x\r\nIf-None-Match: ", std::string(20000, 'y'), "\r\nAuthorization: ",
      bearer, "\r\n\r\nGET /v1/sectors HTTP/1.1\r\nHost: x\r\nAuthorization: ", bearer, "\r\n\r\n");
  ASSERT_EQ(send(fd, requests.data(), requests.size(), MSG_NOSIGNAL), static_cast<ssize_t>(requests.size()));
  std::string received;
  char buffer[4096];
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) received.append(buffer, static_cast<size_t>(n));
  close(fd);
  int answers = 0;
  for (size_t at = received.find("HTTP/1.1 "); at != std::string::npos; at = received.find("HTTP/1.1 ", at + 1)) ++answers;
  EXPECT_EQ(answers, 1) << received.substr(0, 600);
  EXPECT_EQ(received.rfind("HTTP/1.1 400", 0), 0u) << received.substr(0, 200);
}

TEST_F(GatewayHttpTest, CorsForConfiguredPortalsOnly) {
  httplib::Client client = Client();
  httplib::Result preflight = client.Options(
      "/v1/members:search", {{"Origin", "https://portal.example.vn"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"), "https://portal.example.vn");
  EXPECT_NE(preflight->get_header_value("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Methods"), "GET");

  httplib::Result stranger = client.Options(
      "/v1/members:search", {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 403);
  EXPECT_FALSE(stranger->has_header("Access-Control-Allow-Origin"));

  httplib::Headers headers = Auth(AdminToken());
  headers.emplace("Origin", "https://portal.example.vn");
  httplib::Result read = client.Get(absl::StrCat("/v1/organizations/", RootId()), headers);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->get_header_value("Access-Control-Allow-Origin"), "https://portal.example.vn");
  EXPECT_NE(read->get_header_value("Access-Control-Expose-Headers").find("ETag"), std::string::npos);
}

TEST_F(GatewayHttpTest, CompressesLargeJsonWhenAsked) {
  httplib::Client client = Client();
  client.set_decompress(false);
  httplib::Headers headers = Auth(AdminToken());
  headers.emplace("Accept-Encoding", "gzip");
  httplib::Result rules = client.Get("/v1/rules", headers);
  ASSERT_TRUE(rules);
  ASSERT_EQ(rules->status, 200) << rules->body.substr(0, 200);
  EXPECT_EQ(rules->get_header_value("Content-Encoding"), "gzip");
}

TEST_F(GatewayHttpTest, HealthOpenApiAndMetrics) {
  httplib::Client client = Client();
  httplib::Result live = client.Get("/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  // inspection is down: the gateway stays ready for the others, and says which one
  // (membership serves once its org-tree projection has caught up).
  std::string readiness;
  EXPECT_TRUE(grassroots::testing::Eventually([&] {
    httplib::Result ready = client.Get("/readyz");
    readiness = ready ? absl::StrCat(ready->status, " ", ready->body) : "no answer";
    return readiness == "200 ready; not serving: inspection\n";
  })) << readiness;
  httplib::Result openapi = client.Get("/openapi.json");
  ASSERT_TRUE(openapi);
  EXPECT_EQ(openapi->status, 200);
  EXPECT_EQ(Body(openapi)["openapi"], "3.1.0");

  client.Get(absl::StrCat("/v1/organizations/", RootId()), Auth(AdminToken()));
  bool counted = false;
  for (const auto& family : registry_->Collect()) {
    if (family.name != "http_server_requests_total") continue;
    for (const auto& metric : family.metric) {
      std::string route, code;
      for (const auto& label : metric.label) {
        // A template, never the id itself.
        EXPECT_EQ(label.value.find(absl::StrCat("organizations/", RootId())), std::string::npos) << label.value;
        if (label.name == "route") route = label.value;
        if (label.name == "code") code = label.value;
      }
      // The status the client saw, never the HTTP library's unset -1.
      EXPECT_NE(code, "-1") << route;
      counted |= route == "GET /v1/{name=organizations/*}" && code == "200";
    }
  }
  EXPECT_TRUE(counted);
  EXPECT_EQ(LatencyGrpcTypeOf("GET /v1/{name=organizations/*}"), "unary");
}

}  // namespace
}  // namespace grassroots::gateway
