#pragma once
// The CLI's commands, each a function of its parsed options. Parsing lives in
// cli_app.cc; these never touch argv, so tests call them directly.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "services/cli/connection.h"
#include "services/cli/render.h"

namespace grassroots::cli {

// Exit codes: 0 success, 1 the server answered with an error, 2 bad usage or
// local failure (unreadable file, bad JSON).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcError = 1;
inline constexpr int kExitUsage = 2;

struct Io {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
  EnvLookup env;
};

struct TokenMintOptions {
  std::string key_file;
  std::vector<std::string> roles;
  int64_t scope_org = 0;
  std::optional<int64_t> member_id;
  std::string subject = "grassroots-cli";
  std::string ttl = "12h";
  std::string issuer = "grassroots-dev";
  // Each service accepts only tokens naming it; empty: all four (an operator's token).
  std::vector<std::string> audiences;
  std::string key_id;  // the kid header; empty: the key's RFC 7638 thumbprint
};
int RunTokenMint(const TokenMintOptions& options, Io& io);

// Prints the JWKS publishing the public keys of PEM keys (private or public),
// each with kid = its RFC 7638 thumbprint unless key_ids names them (one per key).
struct KeysJwksOptions {
  std::vector<std::string> key_files;
  std::vector<std::string> key_ids;
};
int RunKeysJwks(const KeysJwksOptions& options, Io& io);

struct KeysGenerateOptions {
  std::string out_dir;
  bool force = false;
};
int RunKeysGenerate(const KeysGenerateOptions& options, Io& io);

// Lists every service and method `call` knows.
int RunMethods(Io& io);

struct CallOptions {
  ConnectionFlags connection;
  std::string method;
  std::string request_json;   // "-" reads standard input
  OutputFormat output = OutputFormat::kJson;
  std::vector<std::string> columns;
  bool follow = false;        // server streams: do not apply the deadline
};
int RunCall(const CallOptions& options, Io& io);

struct OrgTreeOptions {
  ConnectionFlags connection;
  std::string root = "organizations/1";
  std::string as_of;
  int depth = 0;              // 0: unlimited
};
int RunOrgTree(const OrgTreeOptions& options, Io& io);

struct OrgListOptions {
  ConnectionFlags connection;
  std::string parent;
  std::string subtree_root;
  std::string level;
  std::string type;
  std::string sector;
  std::string state;          // ACTIVE, DISSOLVED, ... (or the full enum name)
  std::string as_of;
  bool include_ended = false;
  int page_size = 0;
  bool all_pages = false;
  OutputFormat output = OutputFormat::kTable;
  std::vector<std::string> columns;
};
int RunOrgList(const OrgListOptions& options, Io& io);

struct OrgShowOptions {
  ConnectionFlags connection;
  std::string name;
  std::string as_of;
  OutputFormat output = OutputFormat::kJson;
};
int RunOrgShow(const OrgShowOptions& options, Io& io);

struct FeedTailOptions {
  ConnectionFlags connection;
  int64_t after = 0;
  bool follow = false;
  std::vector<std::string> resource_types;
  OutputFormat output = OutputFormat::kTable;  // kTable: one summary line per change
};
int RunFeedTail(const FeedTailOptions& options, Io& io);

// One node of an indented tree.
struct TreeLine {
  int depth = 0;
  std::string text;
};
// Draws depth-first lines with ├── / └── / │ guides.
std::string RenderTree(const std::vector<TreeLine>& lines);

}  // namespace grassroots::cli
