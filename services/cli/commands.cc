#include "services/cli/commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>

#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "absl/strings/string_view.h"
#include "common/auth/auth.h"
#include "common/auth/jwks.h"
#include "common/config/config.h"
#include "grassroots/feed/v1/change_feed.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "services/cli/generic_call.h"

namespace grassroots::cli {
namespace {

namespace v1 = ::grassroots::org::v1;

int Fail(Io& io, absl::string_view message, int code = kExitUsage) {
  io.err << "error: " << message << std::endl;
  return code;
}

int RpcFail(Io& io, const grpc::Status& status) {
  io.err << DescribeStatus(status) << std::endl;
  return kExitRpcError;
}

void PrintMessage(const google::protobuf::Message& message, OutputFormat format,
                  const std::vector<std::string>& columns, bool compact_json, Io& io) {
  if (format == OutputFormat::kJson) {
    io.out << ToJson(message, !compact_json) << std::endl;
    return;
  }
  std::optional<Table> list = ListTable(message, columns);
  io.out << RenderTable(list ? *list : RecordTable(message));
}

// Writes a file that does not exist yet (or replaces it with `force`) with the given mode.
absl::Status WriteNewFile(const std::filesystem::path& path, const std::string& content, mode_t mode, bool force) {
  int flags = O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL);
  int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot create ", path.string(), ": ", std::strerror(errno),
                                                      errno == EEXIST ? " (use --force to replace it)" : ""));
  }
  ::fchmod(fd, mode);  // the umask or an existing file's mode must not widen access
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n <= 0) {
      ::close(fd);
      return absl::InternalError(absl::StrCat("cannot write ", path.string()));
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(path, " is empty or unreadable"));
  return text;
}

std::string StateText(v1::OrganizationState state) {
  return std::string(absl::StripPrefix(v1::OrganizationState_Name(state), "ORGANIZATION_STATE_"));
}

}  // namespace

int RunTokenMint(const TokenMintOptions& options, Io& io) {
  common::auth::Claims claims;
  claims.subject = options.subject;
  claims.scope_org_id = options.scope_org;
  claims.member_id = options.member_id;
  if (options.roles.empty()) return Fail(io, "--role: at least one role is required");
  for (const std::string& role_name : options.roles) {
    std::optional<common::auth::Role> role = common::auth::ParseRole(role_name);
    if (!role) {
      return Fail(io, absl::StrCat("--role: unknown role '", role_name,
                                   "' (admin, inspector, secretary, member, portal, service)"));
    }
    claims.roles.push_back(*role);
  }
  if (options.scope_org <= 0) return Fail(io, "--scope-org: must be a positive organization id");
  absl::Duration ttl;
  if (!absl::ParseDuration(options.ttl, &ttl) || ttl <= absl::ZeroDuration()) {
    return Fail(io, absl::StrCat("--ttl: expected a positive duration such as 12h or 30m, got '", options.ttl, "'"));
  }
  std::vector<std::string> audiences = options.audiences;
  if (audiences.empty()) {
    for (const char* service : {"org", "membership", "inspection", "reporting"})
      audiences.push_back(common::ServiceAudience(service));
  }
  auto signer = common::auth::TokenSigner::FromPrivateKeyFile(options.key_file, options.issuer, audiences.front());
  if (!signer.ok()) return Fail(io, absl::StrCat("--key: ", signer.status().message()));
  (*signer)->set_audiences(std::move(audiences));
  std::string key_id = options.key_id;
  if (key_id.empty()) {
    absl::StatusOr<std::string> pem = ReadTextFile(options.key_file);
    absl::StatusOr<std::string> thumbprint =
        pem.ok() ? common::auth::JwkThumbprintFromPem(*pem) : absl::StatusOr<std::string>(pem.status());
    if (!thumbprint.ok()) return Fail(io, absl::StrCat("--key: ", thumbprint.status().message()));
    key_id = *thumbprint;
  }
  (*signer)->set_key_id(std::move(key_id));
  absl::StatusOr<std::string> token = (*signer)->Mint(claims, ttl);
  if (!token.ok()) return Fail(io, token.status().message());
  io.out << *token << std::endl;
  return kExitOk;
}

int RunKeysJwks(const KeysJwksOptions& options, Io& io) {
  if (options.key_files.empty()) return Fail(io, "--key: at least one key file is required");
  if (!options.key_ids.empty() && options.key_ids.size() != options.key_files.size())
    return Fail(io, "--kid: give one per --key, or none (kid = the key's RFC 7638 thumbprint)");
  nlohmann::json keys = nlohmann::json::array();
  for (size_t i = 0; i < options.key_files.size(); ++i) {
    const std::string& file = options.key_files[i];
    absl::StatusOr<std::string> pem = ReadTextFile(file);
    if (!pem.ok()) return Fail(io, absl::StrCat("--key ", file, ": ", pem.status().message()));
    std::string key_id;
    if (options.key_ids.empty()) {
      absl::StatusOr<std::string> thumbprint = common::auth::JwkThumbprintFromPem(*pem);
      if (!thumbprint.ok()) return Fail(io, absl::StrCat("--key ", file, ": ", thumbprint.status().message()));
      key_id = *thumbprint;
    } else {
      key_id = options.key_ids[i];
    }
    absl::StatusOr<std::string> jwk = common::auth::PublicJwkFromPem(*pem, key_id);
    if (!jwk.ok()) return Fail(io, absl::StrCat("--key ", file, ": ", jwk.status().message()));
    keys.push_back(nlohmann::json::parse(*jwk));
  }
  // Public keys only: safe to publish, and what --auth-jwks-file reads.
  io.out << nlohmann::json{{"keys", keys}}.dump(2) << std::endl;
  return kExitOk;
}

int RunKeysGenerate(const KeysGenerateOptions& options, Io& io) {
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) return Fail(io, absl::StrCat("--out-dir: cannot create ", options.out_dir, ": ", error.message()));
  auto pair = common::auth::GenerateRsaKeyPairPem();
  if (!pair.ok()) return Fail(io, pair.status().message());
  const std::filesystem::path dir(options.out_dir);
  if (absl::Status s = WriteNewFile(dir / "private.pem", pair->first, 0600, options.force); !s.ok()) {
    return Fail(io, s.message());
  }
  if (absl::Status s = WriteNewFile(dir / "public.pem", pair->second, 0644, options.force); !s.ok()) {
    return Fail(io, s.message());
  }
  io.out << "wrote " << (dir / "private.pem").string() << " (0600) and " << (dir / "public.pem").string()
         << " (publish the public key: grassroots keys jwks --key public.pem > jwks.json, for --auth-jwks-file)" << std::endl;
  return kExitOk;
}

int RunMethods(Io& io) {
  for (const google::protobuf::ServiceDescriptor* service : GrassrootsServices()) {
    io.out << service->full_name() << std::endl;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      io.out << "  " << method->name() << "(" << (method->client_streaming() ? "stream " : "")
             << method->input_type()->name() << ") returns ("
             << (method->server_streaming() ? "stream " : "") << method->output_type()->name() << ")" << std::endl;
    }
  }
  return kExitOk;
}

int RunCall(const CallOptions& options, Io& io) {
  absl::StatusOr<const google::protobuf::MethodDescriptor*> method = FindMethod(options.method);
  if (!method.ok()) return Fail(io, method.status().message());
  std::string json = options.request_json;
  if (json == "-") json.assign(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
  auto request = RequestFromJson(**method, json);
  if (!request.ok()) return Fail(io, request.status().message());
  absl::StatusOr<Connection> connection =
      Connection::Open((*method)->service()->file()->package(), options.connection, io.env);
  if (!connection.ok()) return Fail(io, connection.status().message());
  const bool streaming = (*method)->server_streaming();
  grpc::Status status = CallMethod(
      *connection, **method, **request,
      [&](const google::protobuf::Message& response) {
        PrintMessage(response, options.output, options.columns, /*compact_json=*/streaming, io);
        io.out.flush();
      },
      options.follow);
  if (!status.ok()) return RpcFail(io, status);
  return kExitOk;
}

std::string RenderTree(const std::vector<TreeLine>& lines) {
  std::string out;
  std::vector<bool> last_at_depth;  // whether the open node at each depth is its parent's last child
  for (size_t i = 0; i < lines.size(); ++i) {
    const int depth = lines[i].depth;
    bool last = true;
    for (size_t j = i + 1; j < lines.size(); ++j) {
      if (lines[j].depth < depth) break;
      if (lines[j].depth == depth) {
        last = false;
        break;
      }
    }
    if (static_cast<int>(last_at_depth.size()) <= depth) last_at_depth.resize(static_cast<size_t>(depth) + 1);
    last_at_depth[static_cast<size_t>(depth)] = last;
    std::string prefix;
    for (int k = 1; k < depth; ++k) prefix += last_at_depth[static_cast<size_t>(k)] ? "    " : "│   ";
    if (depth > 0) prefix += last ? "└── " : "├── ";
    absl::StrAppend(&out, prefix, lines[i].text, "\n");
  }
  return out;
}

int RunOrgTree(const OrgTreeOptions& options, Io& io) {
  absl::StatusOr<Connection> connection = Connection::Open("grassroots.org.v1", options.connection, io.env);
  if (!connection.ok()) return Fail(io, connection.status().message());
  auto stub = v1::OrganizationService::NewStub(connection->channel());
  v1::GetSubtreeRequest request;
  request.set_name(options.root);
  request.set_as_of_date(options.as_of);
  request.set_max_depth(options.depth);
  request.set_page_size(5000);
  std::vector<TreeLine> lines;
  for (;;) {
    v1::GetSubtreeResponse response;
    grpc::ClientContext context;
    connection->Prepare(context);
    grpc::Status status = stub->GetSubtree(&context, request, &response);
    if (!status.ok()) return RpcFail(io, status);
    for (const v1::SubtreeNode& node : response.nodes()) {
      const v1::Organization& org = node.organization();
      std::string text = absl::StrCat(org.display_name(), " [", org.code(), "] ", org.type());
      if (!org.sector().empty()) absl::StrAppend(&text, " ", org.sector());
      absl::StrAppend(&text, " ", StateText(org.state()), " ", org.name());
      lines.push_back({node.depth(), std::move(text)});
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  io.out << RenderTree(lines);
  io.out << lines.size() << " organizations" << (options.as_of.empty() ? "" : absl::StrCat(" as of ", options.as_of))
         << std::endl;
  return kExitOk;
}

int RunOrgList(const OrgListOptions& options, Io& io) {
  v1::ListOrganizationsRequest request;
  request.set_parent(options.parent);
  request.set_subtree_root(options.subtree_root);
  request.set_level(options.level);
  request.set_type(options.type);
  request.set_sector(options.sector);
  request.set_as_of_date(options.as_of);
  request.set_include_ended(options.include_ended);
  request.set_page_size(options.page_size);
  if (!options.state.empty()) {
    std::string upper = absl::AsciiStrToUpper(options.state);
    v1::OrganizationState state;
    if (!v1::OrganizationState_Parse(upper, &state) &&
        !v1::OrganizationState_Parse(absl::StrCat("ORGANIZATION_STATE_", upper), &state)) {
      return Fail(io, absl::StrCat("--state: unknown state '", options.state,
                                   "' (ACTIVE, DISSOLVED, MERGED, SPLIT, HANDED_OVER)"));
    }
    request.set_state(state);
  }
  absl::StatusOr<Connection> connection = Connection::Open("grassroots.org.v1", options.connection, io.env);
  if (!connection.ok()) return Fail(io, connection.status().message());
  auto stub = v1::OrganizationService::NewStub(connection->channel());
  v1::ListOrganizationsResponse all;
  for (;;) {
    v1::ListOrganizationsResponse page;
    grpc::ClientContext context;
    connection->Prepare(context);
    grpc::Status status = stub->ListOrganizations(&context, request, &page);
    if (!status.ok()) return RpcFail(io, status);
    for (v1::Organization& org : *page.mutable_organizations()) *all.add_organizations() = std::move(org);
    all.set_next_page_token(page.next_page_token());
    if (!options.all_pages || page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (options.output == OutputFormat::kJson) {
    io.out << ToJson(all) << std::endl;
    return kExitOk;
  }
  std::vector<std::string> columns = options.columns;
  if (columns.empty()) columns = {"name", "code", "display_name", "type", "sector", "state", "established_on", "ended_on"};
  io.out << RenderTable(*ListTable(all, columns));
  if (!all.next_page_token().empty()) {
    io.err << "more results: pass --all, or call again with the page token " << all.next_page_token() << std::endl;
  }
  return kExitOk;
}

int RunOrgShow(const OrgShowOptions& options, Io& io) {
  absl::StatusOr<Connection> connection = Connection::Open("grassroots.org.v1", options.connection, io.env);
  if (!connection.ok()) return Fail(io, connection.status().message());
  auto stub = v1::OrganizationService::NewStub(connection->channel());
  v1::GetOrganizationRequest request;
  request.set_name(options.name);
  request.set_as_of_date(options.as_of);
  v1::Organization org;
  grpc::ClientContext context;
  connection->Prepare(context);
  grpc::Status status = stub->GetOrganization(&context, request, &org);
  if (!status.ok()) return RpcFail(io, status);
  PrintMessage(org, options.output, {}, /*compact_json=*/false, io);
  return kExitOk;
}

int RunFeedTail(const FeedTailOptions& options, Io& io) {
  absl::StatusOr<Connection> connection = Connection::Open("grassroots.feed.v1", options.connection, io.env);
  if (!connection.ok()) return Fail(io, connection.status().message());
  auto stub = grassroots::feed::v1::ChangeFeedService::NewStub(connection->channel());
  grassroots::feed::v1::StreamChangesRequest request;
  request.set_after_sequence(options.after);
  request.set_follow(options.follow);
  for (const std::string& type : options.resource_types) request.add_resource_types(type);
  grpc::ClientContext context;
  connection->Prepare(context, /*with_deadline=*/!options.follow);
  std::unique_ptr<grpc::ClientReader<grassroots::feed::v1::Change>> reader = stub->StreamChanges(&context, request);
  grassroots::feed::v1::Change change;
  while (reader->Read(&change)) {
    if (options.output == OutputFormat::kJson) {
      io.out << ToJson(change, /*pretty=*/false) << std::endl;
    } else {
      io.out << change.sequence() << "  " << google::protobuf::util::TimeUtil::ToString(change.commit_time()) << "  "
             << change.resource_type() << "  " << change.action() << "  " << change.resource_name() << "  "
             << change.actor() << (change.request_id().empty() ? "" : absl::StrCat("  ", change.request_id()))
             << std::endl;
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return RpcFail(io, status);
  return kExitOk;
}

}  // namespace grassroots::cli
