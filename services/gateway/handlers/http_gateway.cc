#include "services/gateway/handlers/http_gateway.h"

#include <google/protobuf/dynamic_message.h>
#include <grpcpp/client_context.h>
#include <httplib.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/api.h"
#include "common/crypto/digest.h"
#include "common/db/read_router.h"
#include "common/log/log.h"
#include "common/rpc/generic_call.h"
#include "common/status/status.h"
#include "services/gateway/domain/transcoding.h"

namespace grassroots::gateway {
namespace pb = google::protobuf;
namespace {

constexpr char kJson[] = "application/json";
constexpr char kNdjson[] = "application/x-ndjson";
constexpr char kReadAfterHeader[] = "X-Grassroots-Read-After";
constexpr char kAllowedRequestHeaders[] = "Authorization, Content-Type, If-None-Match, X-Request-Id, X-Grassroots-Read-After";
constexpr char kExposedHeaders[] = "ETag, X-Request-Id, X-Grassroots-Read-After";

// gRPC metadata values are printable ASCII; anything else is refused before the call.
bool IsPrintableAscii(absl::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

void ReplyError(httplib::Response& response, int grpc_code, absl::string_view message,
                absl::string_view binary_details = {}) {
  response.status = HttpStatusForCode(grpc_code);
  if (grpc_code == 16) response.set_header("WWW-Authenticate", "Bearer");
  response.set_content(StatusJson(grpc_code, message, binary_details), kJson);
}

// A strong validator of the exact JSON served (RFC 9110 §8.8.3).
std::string EtagOf(absl::string_view body) {
  return absl::StrCat("\"", absl::BytesToHexString(common::crypto::Sha256({body.data(), body.size()}).substr(0, 16)), "\"");
}

// If-None-Match lists validators ("*", "\"a\"", "W/\"b\""); a weak comparison
// is what RFC 9110 asks for on GET.
bool NoneMatchHits(absl::string_view header, absl::string_view etag) {
  for (absl::string_view candidate : absl::StrSplit(header, ',')) {
    candidate = absl::StripAsciiWhitespace(candidate);
    if (candidate == "*") return true;
    absl::ConsumePrefix(&candidate, "W/");
    if (candidate == etag) return true;
  }
  return false;
}

std::string HeaderOf(const grpc::ClientContext& context, absl::string_view key) {
  for (const auto* metadata : {&context.GetServerInitialMetadata(), &context.GetServerTrailingMetadata()}) {
    auto it = metadata->find(grpc::string_ref(key.data(), key.size()));
    if (it != metadata->end()) return std::string(it->second.data(), it->second.size());
  }
  return {};
}

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor& type) {
  return std::unique_ptr<pb::Message>(pb::MessageFactory::generated_factory()->GetPrototype(&type)->New());
}

std::string JsonOfBytes(const grpc::ByteBuffer& bytes, const pb::Descriptor& type, bool* ok) {
  std::unique_ptr<pb::Message> message = NewMessage(type);
  *ok = common::rpc::FromByteBuffer(bytes, *message);
  return *ok ? PrintJsonMessage(*message) : std::string();
}

// One server stream relayed as NDJSON: {"result": {...}} per message, and
// {"error": {...}} as the last line when the stream fails after it began.
struct StreamRelay {
  grpc::ClientContext context;  // outlives the stream below
  std::unique_ptr<common::rpc::BlockingGenericStream> stream;
  const pb::MethodDescriptor* method = nullptr;
  std::string pending_line;
  bool finished = false;
};

std::string ResultLine(absl::string_view json) { return absl::StrCat("{\"result\":", json, "}\n"); }

}  // namespace

struct HttpGateway::Metrics {
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& duration;

  explicit Metrics(prometheus::Registry& registry)
      : requests(prometheus::BuildCounter()
                     .Name("http_server_requests_total")
                     .Help("HTTP requests answered by the gateway, by route template and status code")
                     .Register(registry)),
        duration(prometheus::BuildHistogram()
                     .Name("http_server_request_duration_seconds")
                     .Help("Time from a request's arrival to its response (to the stream's end for NDJSON), by "
                           "route and the kind of call behind it (grpc_type, as the services label theirs)")
                     .Register(registry)) {}

  // route is a template ("GET /v1/{name=members/*}"), never a concrete path,
  // so no identifier lands in a label. grpc_type lets the latency SLO count
  // unary calls only: an NDJSON stream lasts as long as its client reads it.
  void Record(const std::string& route, const char* grpc_type, int status,
              std::chrono::steady_clock::time_point started) {
    requests.Add({{"route", route}, {"code", std::to_string(status)}}).Increment();
    static const prometheus::Histogram::BucketBoundaries kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                      0.1,   0.25,   0.5,   1,    2.5,   10};
    duration.Add({{"route", route}, {"grpc_type", grpc_type}}, kBuckets)
        .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
};

namespace {

// The values the gRPC servers' own metrics give grpc_type.
const char* GrpcTypeOf(const pb::MethodDescriptor& method) {
  if (method.client_streaming() && method.server_streaming()) return "bidi_stream";
  if (method.client_streaming()) return "client_stream";
  if (method.server_streaming()) return "server_stream";
  return "unary";
}

}  // namespace

HttpGateway::HttpGateway(const RouteTable& routes, Backends& backends, GatewayOptions options,
                         std::shared_ptr<prometheus::Registry> registry)
    : routes_(routes), backends_(backends), options_(std::move(options)), registry_(std::move(registry)),
      metrics_(std::make_unique<Metrics>(*registry_)) {}

HttpGateway::~HttpGateway() = default;

void HttpGateway::Install(httplib::Server& server) {
  server.set_default_headers({{"X-Content-Type-Options", "nosniff"}});
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  // Ready while at least one backend serves: a pod taken out for one
  // unhealthy service would take every other service's routes with it (those
  // of the unhealthy one answer 503 on their own). The body names any that do not serve.
  server.Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    std::vector<std::string> failing = backends_.NotServing(std::chrono::milliseconds(1000));
    if (failing.empty()) {
      response.set_content("ready\n", "text/plain");
      return;
    }
    if (failing.size() == backends_.names().size()) response.status = 503;
    response.set_content(absl::StrCat(response.status == 503 ? "not ready" : "ready", "; not serving: ",
                                      absl::StrJoin(failing, ", "), "\n"),
                         "text/plain");
  });
  server.Get("/openapi.json", [this](const httplib::Request& request, httplib::Response& response) {
    AddCorsHeaders(request, response);
    if (options_.openapi_json.empty()) {
      ReplyError(response, 5, "this gateway was built without its OpenAPI document");
      return;
    }
    response.set_header("Cache-Control", "public, max-age=300");
    response.set_content(options_.openapi_json, kJson);
  });
  // What cpp-httplib refuses itself, before any handler (a request line or
  // header over its limits: 400, 414; a body over --max-body-bytes: 413), it
  // answers with no body: give it the Status JSON every other error has. And
  // close the connection: after such a request the library may not have read
  // all of it, and the rest must never be taken for the next request (with
  // keep-alive, an answer could otherwise go to the wrong request).
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&,
                                                                  httplib::Response& response) {
    if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    response.set_header("Connection", "close");
    switch (response.status) {
      case 413:
        ReplyError(response, 3, "the request body is larger than this gateway accepts (--max-body-bytes)");
        response.status = 413;
        break;
      case 414:
        ReplyError(response, 3, "the URL is longer than this gateway accepts; send large requests as a POST body");
        response.status = 414;
        break;
      default: {
        const int status = response.status;
        ReplyError(response, status == 404 ? 5 : 3,
                   status == 404 ? "no route for this path" : "the request could not be read as HTTP/1.1");
        response.status = status;
      }
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  auto handle = [this](const httplib::Request& request, httplib::Response& response) { Handle(request, response); };
  server.Get(".*", handle);
  server.Post(".*", handle);
  server.Patch(".*", handle);
  server.Put(".*", handle);
  server.Delete(".*", handle);
  server.Options(".*", [this](const httplib::Request& request, httplib::Response& response) {
    Preflight(request, response);
  });
}

bool HttpGateway::AddCorsHeaders(const httplib::Request& request, httplib::Response& response) const {
  const std::string origin = request.get_header_value("Origin");
  if (origin.empty()) return false;
  const bool any = options_.cors_allowed_origins.contains("*");
  if (!any && !options_.cors_allowed_origins.contains(origin)) return false;
  response.set_header("Access-Control-Allow-Origin", any ? "*" : origin);
  response.set_header("Vary", "Origin");
  response.set_header("Access-Control-Expose-Headers", kExposedHeaders);
  return true;
}

void HttpGateway::Preflight(const httplib::Request& request, httplib::Response& response) {
  const absl::string_view target = request.target;
  const absl::string_view path = target.substr(0, target.find('?'));
  RouteTable::Lookup lookup = routes_.Find("OPTIONS", path);
  const std::string allowed = absl::StrJoin(lookup.allowed_methods, ", ");
  if (lookup.allowed_methods.empty()) {
    ReplyError(response, 5, absl::StrCat("no route for ", path));
    return;
  }
  if (!request.get_header_value("Origin").empty() && !AddCorsHeaders(request, response)) {
    ReplyError(response, 7, "this origin may not call the gateway from a browser (--cors-allowed-origins)");
    return;
  }
  response.status = 204;
  response.set_header("Allow", allowed);
  response.set_header("Access-Control-Allow-Methods", allowed);
  response.set_header("Access-Control-Allow-Headers", kAllowedRequestHeaders);
  response.set_header("Access-Control-Max-Age", "600");
}

void HttpGateway::Handle(const httplib::Request& request, httplib::Response& response) {
  const auto started = std::chrono::steady_clock::now();
  AddCorsHeaders(request, response);
  std::string request_id = request.get_header_value("X-Request-Id");
  if (request_id.empty() || !common::api::ValidateRequestId(request_id).ok()) request_id = common::log::NewRequestId();
  response.set_header("X-Request-Id", request_id);
  common::log::RequestIdScope request_scope(request_id);

  const absl::string_view target = request.target;
  const size_t question = target.find('?');
  const absl::string_view path = target.substr(0, question);
  const absl::string_view raw_query = question == absl::string_view::npos ? "" : target.substr(question + 1);
  RouteTable::Lookup lookup = routes_.Find(request.method, path);
  if (!lookup.match) {
    if (!lookup.allowed_methods.empty()) {
      response.set_header("Allow", absl::StrJoin(lookup.allowed_methods, ", "));
      ReplyError(response, 12, absl::StrCat(path, " does not serve ", request.method, "; it serves ",
                                            absl::StrJoin(lookup.allowed_methods, ", ")));
      response.status = 405;
    } else {
      ReplyError(response, 5, absl::StrCat("no route for ", request.method, " ", path));
    }
    metrics_->Record("unmatched", "unary", response.status, started);
    return;
  }
  const Route& route = *lookup.match->route;
  const pb::MethodDescriptor& method = *route.method;
  const std::string route_label = absl::StrCat(route.http_method, " ", route.path.text());
  const char* grpc_type = GrpcTypeOf(method);
  auto finish = [&] { metrics_->Record(route_label, grpc_type, response.status, started); };

  grpc::GenericStub* stub = backends_.StubFor(method);
  if (stub == nullptr) {
    ReplyError(response, 14, absl::StrCat("the ", Backends::BackendOf(method), " service is not configured on this gateway"));
    return finish();
  }
  const bool has_body = !request.body.empty();
  if (has_body && !absl::StartsWith(absl::AsciiStrToLower(request.get_header_value("Content-Type")), kJson) &&
      !absl::StartsWith(absl::AsciiStrToLower(request.get_header_value("Content-Type")), kNdjson)) {
    ReplyError(response, 3, "the body must be JSON (Content-Type: application/json)");
    response.status = 415;
    return finish();
  }
  absl::StatusOr<QueryParameters> query = ParseQueryString(raw_query);
  if (!query.ok()) {
    ReplyError(response, 3, query.status().message());
    return finish();
  }
  // The request(s): one message, or for a client stream one per NDJSON line.
  std::vector<std::unique_ptr<pb::Message>> messages;
  if (method.client_streaming()) {
    int line_number = 0;
    for (absl::string_view line : absl::StrSplit(request.body, '\n')) {
      ++line_number;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      messages.push_back(NewMessage(*method.input_type()));
      if (absl::Status parsed = ParseJsonMessage(line, absl::StrCat("line ", line_number), *messages.back());
          !parsed.ok()) {
        ReplyError(response, 3, parsed.message());
        return finish();
      }
    }
  } else {
    messages.push_back(NewMessage(*method.input_type()));
    if (absl::Status built = BuildRequest(route, lookup.match->bindings, *query, request.body, *messages.back());
        !built.ok()) {
      ReplyError(response, 3, built.message());
      return finish();
    }
  }

  const std::string authorization = request.get_header_value("Authorization");
  const std::string read_after = request.get_header_value(kReadAfterHeader);
  if (!IsPrintableAscii(authorization) || !IsPrintableAscii(read_after)) {
    ReplyError(response, 3, "the Authorization and X-Grassroots-Read-After headers must be printable ASCII");
    return finish();
  }
  auto prepare = [&](grpc::ClientContext& context, std::chrono::milliseconds deadline) {
    context.set_deadline(std::chrono::system_clock::now() + deadline);
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    context.AddMetadata("x-request-id", request_id);
    if (!read_after.empty()) context.AddMetadata(std::string(common::db::kReadAfterMetadata), read_after);
  };
  const std::string method_path = absl::StrCat("/", method.service()->full_name(), "/", method.name());

  if (!method.client_streaming() && !method.server_streaming()) {
    grpc::ClientContext context;
    prepare(context, options_.call_deadline);
    grpc::ByteBuffer reply;
    grpc::Status status =
        common::rpc::BlockingUnaryCall(*stub, context, method_path, common::rpc::ToByteBuffer(*messages.front()), reply);
    if (std::string position = HeaderOf(context, common::ToAbsl(common::db::kReadAfterMetadata)); !position.empty()) {
      response.set_header(kReadAfterHeader, position);
    }
    if (!status.ok()) {
      ReplyError(response, status.error_code(), status.error_message(), status.error_details());
      if (response.status >= 500) {
        common::log::Warn("backend call failed", {{"route", route_label}, {"code", static_cast<int>(status.error_code())}});
      }
      return finish();
    }
    bool parsed = false;
    std::string json = JsonOfBytes(reply, *method.output_type(), &parsed);
    if (!parsed) {
      ReplyError(response, 13, absl::StrCat("the backend's reply is not a ", method.output_type()->full_name()));
      return finish();
    }
    if (request.method == "GET") {
      const std::string etag = EtagOf(json);
      response.set_header("ETag", etag);
      response.set_header("Cache-Control", "private, no-cache");
      if (NoneMatchHits(request.get_header_value("If-None-Match"), etag)) {
        response.status = 304;
        return finish();
      }
    } else {
      response.set_header("Cache-Control", "no-store");
    }
    // Set before finish() records it: cpp-httplib leaves -1 until the handler returns.
    response.status = 200;
    response.set_content(std::move(json), kJson);
    return finish();
  }

  // Streams: the first message (or the failure before it) decides the status;
  // after that the rest is relayed as it arrives.
  auto relay = std::make_shared<StreamRelay>();
  relay->method = &method;
  prepare(relay->context, options_.stream_deadline);
  relay->stream = std::make_unique<common::rpc::BlockingGenericStream>(*stub, relay->context, method_path);
  bool open = relay->stream->Start();
  for (size_t i = 0; open && i < messages.size(); ++i) open = relay->stream->Write(common::rpc::ToByteBuffer(*messages[i]));
  if (open) open = relay->stream->WritesDone();
  grpc::ByteBuffer first;
  if (!relay->stream->Read(&first)) {
    grpc::Status status = relay->stream->Finish();
    relay->finished = true;
    if (!status.ok()) {
      ReplyError(response, status.error_code(), status.error_message(), status.error_details());
    } else {
      response.set_content("", kNdjson);
    }
    return finish();
  }
  bool parsed = false;
  relay->pending_line = ResultLine(JsonOfBytes(first, *method.output_type(), &parsed));
  if (!parsed) {
    relay->context.TryCancel();
    relay->stream->Finish();
    ReplyError(response, 13, absl::StrCat("the backend's reply is not a ", method.output_type()->full_name()));
    return finish();
  }
  response.set_header("Cache-Control", "no-store");
  response.set_chunked_content_provider(
      kNdjson,
      [relay](size_t, httplib::DataSink& sink) {
        if (!relay->pending_line.empty()) {
          if (!sink.write(relay->pending_line.data(), relay->pending_line.size())) return false;
          relay->pending_line.clear();
          return true;
        }
        grpc::ByteBuffer next;
        if (relay->stream->Read(&next)) {
          bool ok = false;
          std::string json = JsonOfBytes(next, *relay->method->output_type(), &ok);
          relay->pending_line = ok ? ResultLine(json)
                                   : absl::StrCat("{\"error\":", StatusJson(13, "a streamed reply could not be read", {}), "}\n");
          if (!ok) relay->context.TryCancel();
          return true;
        }
        grpc::Status status = relay->stream->Finish();
        relay->finished = true;
        if (!status.ok()) {
          const std::string line = absl::StrCat(
              "{\"error\":", StatusJson(status.error_code(), status.error_message(), status.error_details()), "}\n");
          sink.write(line.data(), line.size());
        }
        sink.done();
        return true;
      },
      [relay, metrics = metrics_.get(), route_label, grpc_type, started](bool) {
        if (!relay->finished) {  // the client went away mid-stream
          relay->context.TryCancel();
          relay->stream->Finish();
          relay->finished = true;
        }
        metrics->Record(route_label, grpc_type, 200, started);
      });
}

}  // namespace grassroots::gateway
