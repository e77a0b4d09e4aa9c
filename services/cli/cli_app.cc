#include "services/cli/cli_app.h"

#include "services/cli/audit_commands.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "services/cli/commands.h"
#include "services/cli/connection_flags.h"
#include "services/cli/member_commands.h"
#include "services/cli/report_commands.h"

namespace grassroots::cli {
namespace {

void AddOutputFlag(CLI::App& command, OutputFormat& output) {
  static const std::map<std::string, OutputFormat> kFormats = {{"json", OutputFormat::kJson},
                                                               {"table", OutputFormat::kTable}};
  command.add_option("-o,--output", output, "json or table")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case));
}

}  // namespace

void AddConnectionFlags(CLI::App& command, ConnectionFlags& flags) {
  command.add_option("--target", flags.target,
                     "host:port of the service (default: GRASSROOTS_<SERVICE>_TARGET, else localhost and the "
                     "service's port: org 50051, membership 50052, inspection 50053, reporting 50054)");
  command.add_option("--token", flags.token, "bearer token (JWT); default: --token-file or GRASSROOTS_TOKEN");
  command.add_option("--token-file", flags.token_file, "file whose first line is the bearer token");
  command.add_option("--deadline", flags.deadline, "per-call deadline, e.g. 10s or 500ms")->capture_default_str();
  command.add_option("--request-id", flags.request_id, "sent as x-request-id metadata for tracing");
  command.add_flag("--tls", flags.tls, "use TLS (system roots unless --ca-file)");
  command.add_option("--ca-file", flags.ca_file, "PEM roots for --tls");
  command.add_option("--cert-file", flags.cert_file, "PEM client certificate for --tls (mutual TLS)");
  command.add_option("--key-file", flags.key_file, "PEM key of --cert-file");
}

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err, std::istream& in, EnvLookup env) {
  Io io{out, err, in, std::move(env)};
  CLI::App app("Operator command line for the Grassroots services (party organization structure, members, "
               "inspection, reporting).",
               "grassroots");
  app.require_subcommand(1);
  int exit_code = kExitOk;

  // ---- token / keys ----
  TokenMintOptions mint;
  CLI::App* token = app.add_subcommand("token", "signed JWTs for development and operations");
  token->require_subcommand(1);
  CLI::App* token_mint =
      token->add_subcommand("mint", "print a token signed with a private key (RSA: RS256, EC P-256: ES256)");
  token_mint->add_option("--key", mint.key_file, "PEM private key")->required()->check(CLI::ExistingFile);
  token_mint->add_option("--role", mint.roles, "admin, inspector, secretary, member, portal or service (repeatable)")
      ->required();
  token_mint->add_option("--scope-org", mint.scope_org, "organization id the token acts within (its subtree)")
      ->required();
  token_mint->add_option_function<int64_t>(
      "--member-id", [&](const int64_t& id) { mint.member_id = id; }, "the caller's own member record id");
  token_mint->add_option("--subject", mint.subject, "sub claim")->capture_default_str();
  token_mint->add_option("--ttl", mint.ttl, "lifetime, e.g. 12h or 30m")->capture_default_str();
  token_mint->add_option("--issuer", mint.issuer, "iss claim")->envname("GRASSROOTS_AUTH_ISSUER")->capture_default_str();
  token_mint->add_option("--audience", mint.audiences,
                         "aud claim, repeatable: grassroots.org, grassroots.membership, grassroots.inspection, "
                         "grassroots.reporting (default: all four)");
  token_mint->add_option("--kid", mint.key_id, "kid header naming the key in the JWKS (default: its RFC 7638 thumbprint)");
  token_mint->callback([&] { exit_code = RunTokenMint(mint, io); });

  KeysGenerateOptions keys_options;
  CLI::App* keys = app.add_subcommand("keys", "signing keys");
  keys->require_subcommand(1);
  CLI::App* keys_generate = keys->add_subcommand("generate", "write an RSA-2048 key pair (private.pem 0600, public.pem)");
  keys_generate->add_option("--out-dir", keys_options.out_dir, "directory for the key files")->required();
  keys_generate->add_flag("--force", keys_options.force, "replace existing files");
  keys_generate->callback([&] { exit_code = RunKeysGenerate(keys_options, io); });
  KeysJwksOptions jwks_options;
  CLI::App* keys_jwks = keys->add_subcommand(
      "jwks", "print the JWKS publishing PEM keys' public halves (for --auth-jwks-file); kid = RFC 7638 thumbprint");
  keys_jwks->add_option("--key", jwks_options.key_files, "PEM key, private or public (repeatable: one entry each)")
      ->required()
      ->check(CLI::ExistingFile);
  keys_jwks->add_option("--kid", jwks_options.key_ids, "kid for each --key, in order (default: thumbprints)");
  keys_jwks->callback([&] { exit_code = RunKeysJwks(jwks_options, io); });

  // ---- generic call ----
  CallOptions call_options;
  CLI::App* call = app.add_subcommand("call", "call any method: grassroots call OrganizationService.GetOrganization "
                                              "'{\"name\": \"organizations/1\"}'");
  call->add_option("method", call_options.method, "<Service>.<Method> (short or fully qualified)")->required();
  call->add_option("request", call_options.request_json, "request as JSON; '-' reads standard input; empty: {}");
  AddConnectionFlags(*call, call_options.connection);
  AddOutputFlag(*call, call_options.output);
  call->add_option("--columns", call_options.columns, "table columns (dotted field paths)")->delimiter(',');
  call->add_flag("--follow", call_options.follow, "server streams: keep reading past the deadline");
  call->callback([&] { exit_code = RunCall(call_options, io); });

  CLI::App* methods = app.add_subcommand("methods", "list the services and methods `call` knows");
  methods->callback([&] { exit_code = RunMethods(io); });

  // ---- org ----
  CLI::App* org = app.add_subcommand("org", "the organization tree");
  org->require_subcommand(1);
  OrgTreeOptions tree_options;
  CLI::App* tree = org->add_subcommand("tree", "print the tree under an organization");
  tree->add_option("--root", tree_options.root, "organization resource name")->capture_default_str();
  tree->add_option("--as-of", tree_options.as_of, "YYYY-MM-DD; default today");
  tree->add_option("--depth", tree_options.depth, "levels below the root; 0 for all")->capture_default_str();
  AddConnectionFlags(*tree, tree_options.connection);
  tree->callback([&] { exit_code = RunOrgTree(tree_options, io); });

  OrgListOptions list_options;
  CLI::App* list = org->add_subcommand("list", "list organizations");
  list->add_option("--parent", list_options.parent, "direct children of this organization");
  list->add_option("--subtree-root", list_options.subtree_root, "everything below this organization");
  list->add_option("--level", list_options.level, "level code, e.g. GRASSROOTS");
  list->add_option("--type", list_options.type, "type code, e.g. CHI_BO_CO_SO");
  list->add_option("--sector", list_options.sector, "sector code, e.g. COMMUNE");
  list->add_option("--state", list_options.state, "ACTIVE, DISSOLVED, MERGED, SPLIT, HANDED_OVER");
  list->add_option("--as-of", list_options.as_of, "YYYY-MM-DD; default today");
  list->add_flag("--include-ended", list_options.include_ended, "also organizations that ended by the as-of date");
  list->add_option("--page-size", list_options.page_size, "results per page (server default 100, max 1000)");
  list->add_flag("--all", list_options.all_pages, "follow page tokens to the end");
  list->add_option("--columns", list_options.columns, "table columns")->delimiter(',');
  AddOutputFlag(*list, list_options.output);
  AddConnectionFlags(*list, list_options.connection);
  list->callback([&] { exit_code = RunOrgList(list_options, io); });

  OrgShowOptions show_options;
  CLI::App* show = org->add_subcommand("show", "one organization");
  show->add_option("name", show_options.name, "organizations/N")->required();
  show->add_option("--as-of", show_options.as_of, "YYYY-MM-DD; default today");
  AddOutputFlag(*show, show_options.output);
  AddConnectionFlags(*show, show_options.connection);
  show->callback([&] { exit_code = RunOrgShow(show_options, io); });

  // ---- member ----
  CLI::App* member = app.add_subcommand("member", "party members (the membership service)");
  member->require_subcommand(1);
  MemberImportOptions import_options;
  CLI::App* member_import = member->add_subcommand(
      "import", "import a committee's member spreadsheet (CSV UTF-8, columns in docs/member-import.md)");
  member_import->add_option("file", import_options.file, "the CSV file; '-' reads standard input")->required();
  member_import->add_flag("--dry-run", import_options.dry_run, "check every row and write nothing");
  AddConnectionFlags(*member_import, import_options.connection);
  member_import->callback([&] { exit_code = RunMemberImport(import_options, io); });

  MemberSearchOptions search_options;
  CLI::App* search = member->add_subcommand(
      "search", "find members by name, ignoring case and diacritics (\"nguyen van an\" finds Nguyễn Văn An)");
  search->add_option("query", search_options.query, "name words (each matches a name word by prefix); may be empty");
  search->add_option("--org", search_options.organization, "only members of cells under organizations/N");
  search->add_option("--status", search_options.statuses,
                     "PROBATIONARY, OFFICIAL, PROSPECT, REMOVED, ... (repeatable; default: probationary and official)");
  search->add_option("--category", search_options.categories,
                     "occupation category: CIVIL_SERVICE, ARMED_FORCES, FARMER, ... (repeatable)");
  search->add_option("--as-of", search_options.as_of, "YYYY-MM-DD; default today");
  search->add_option("--page-size", search_options.page_size, "results per page (server default 50, max 500)");
  search->add_flag("--all", search_options.all_pages, "follow page tokens to the end");
  search->add_option("--columns", search_options.columns, "table columns")->delimiter(',');
  AddOutputFlag(*search, search_options.output);
  AddConnectionFlags(*search, search_options.connection);
  search->callback([&] { exit_code = RunMemberSearch(search_options, io); });

  MemberShowOptions member_show_options;
  CLI::App* member_show = member->add_subcommand("show", "one member record");
  member_show->add_option("name", member_show_options.name, "members/N")->required();
  member_show->add_option("--as-of", member_show_options.as_of, "YYYY-MM-DD; default today");
  AddOutputFlag(*member_show, member_show_options.output);
  AddConnectionFlags(*member_show, member_show_options.connection);
  member_show->callback([&] { exit_code = RunMemberShow(member_show_options, io); });

  // ---- report ----
  CLI::App* report = app.add_subcommand("report", "figures of the reporting service");
  report->require_subcommand(1);
  ReportScorecardOptions scorecard_options;
  CLI::App* scorecard = report->add_subcommand("scorecard", "the Resolution-21 scorecard (S1-S16) of a subtree");
  scorecard->add_option("--org", scorecard_options.organization, "organization resource name")->capture_default_str();
  scorecard->add_option("--year", scorecard_options.year, "the year (31 December, or today for the current year)");
  scorecard->add_option("--as-of", scorecard_options.as_of, "YYYY-MM-DD: evaluate on that day instead");
  scorecard->add_option("--plan", scorecard_options.plan, "plans/{id} whose targets apply; default the seed plan");
  AddOutputFlag(*scorecard, scorecard_options.output);
  AddConnectionFlags(*scorecard, scorecard_options.connection);
  scorecard->callback([&] { exit_code = RunReportScorecard(scorecard_options, io); });
  ReportExportOptions export_options;
  CLI::App* export_command = report->add_subcommand(
      "export", "the scorecard's parts (or --statistics) as a CSV or XLSX file, written to --out");
  export_command->add_option("--org", export_options.organization, "organization resource name")->capture_default_str();
  export_command->add_option("--year", export_options.year, "the year (31 December, or today for the current year)");
  export_command->add_option("--as-of", export_options.as_of, "YYYY-MM-DD: evaluate on that day instead");
  export_command->add_option("--plan", export_options.plan, "plans/{id} whose targets apply; default the seed plan");
  export_command->add_option("--closed-report", export_options.closed_report,
                             "organizations/{o}/closedReports/{r}: its frozen figures instead");
  export_command->add_flag("--statistics", export_options.statistics, "the statistics instead of the scorecard");
  export_command->add_option("--format", export_options.format, "xlsx or csv")->capture_default_str();
  export_command->add_option("--part", export_options.parts,
                             "scorecard | breakdown | shortfalls:S13 (with --statistics: members | organizations | "
                             "movements); repeatable; csv takes exactly one, xlsx defaults to all");
  export_command->add_option("--out", export_options.out, "the file to write")->required();
  AddConnectionFlags(*export_command, export_options.connection);
  export_command->callback([&] { exit_code = RunReportExport(export_options, io); });

  // ---- feed ----
  CLI::App* feed = app.add_subcommand("feed", "a service's change feed");
  feed->require_subcommand(1);
  FeedTailOptions tail_options;
  CLI::App* tail = feed->add_subcommand(
      "tail", "print changes after a sequence number (needs a token with the service role, e.g. "
              ".grassroots/secrets/membership-service.token)");
  tail->add_option("--after", tail_options.after, "last sequence already seen (0: from the start)")->capture_default_str();
  tail->add_flag("-f,--follow", tail_options.follow, "keep the stream open for new changes");
  tail->add_option("--resource-type", tail_options.resource_types, "only these resource types (repeatable)");
  AddOutputFlag(*tail, tail_options.output);
  AddConnectionFlags(*tail, tail_options.connection);
  tail->callback([&] { exit_code = RunFeedTail(tail_options, io); });

  // ---- audit ----
  CLI::App* audit = app.add_subcommand("audit", "a service's audit log");
  audit->require_subcommand(1);
  AuditVerifyOptions verify_options;
  CLI::App* verify = audit->add_subcommand(
      "verify", "verify the audit log's hash chain and signed checkpoints; names the first tampered entry");
  AddDatabaseFlags(*verify, verify_options.db);
  verify->add_option("--checkpoint-key-file", verify_options.checkpoint_key_file,
                     "HMAC key that signed the checkpoints (GRASSROOTS_AUDIT_CHECKPOINT_KEY_FILE of the service)")
      ->envname("GRASSROOTS_AUDIT_CHECKPOINT_KEY_FILE");
  verify->add_option("--page-size", verify_options.page_size, "entries read per query")->capture_default_str();
  verify->callback([&] { exit_code = RunAuditVerify(verify_options, io); });

  // ---- retention ----
  CLI::App* retention = app.add_subcommand("retention", "a service's retention (docs/retention.md)");
  retention->require_subcommand(1);
  RetentionRunOptions retention_options;
  CLI::App* retention_run = retention->add_subcommand(
      "run", "apply the retention once: old idempotency keys, feed compaction, old audit entries below a checkpoint");
  AddDatabaseFlags(*retention_run, retention_options.db);
  retention_run->add_option("--idempotency-key-retention-days", retention_options.policy.idempotency_key_days,
                            "days a create's request id is remembered")
      ->envname("GRASSROOTS_IDEMPOTENCY_KEY_RETENTION_DAYS")->check(CLI::Range(1, 3650))->capture_default_str();
  retention_run->add_option("--feed-retention-days", retention_options.policy.feed_days,
                            "days after which the feed keeps only the newest entry of each resource")
      ->envname("GRASSROOTS_FEED_RETENTION_DAYS")->check(CLI::Range(1, 36500))->capture_default_str();
  retention_run->add_option("--audit-retention-days", retention_options.policy.audit_days,
                            "days the audit log is kept (older entries go only below a signed checkpoint)")
      ->envname("GRASSROOTS_AUDIT_RETENTION_DAYS")->check(CLI::Range(1, 36500))->capture_default_str();
  retention_run->add_option("--batch-size", retention_options.policy.batch_size, "rows removed per statement")
      ->envname("GRASSROOTS_RETENTION_BATCH_SIZE")->check(CLI::Range(1, 100000))->capture_default_str();
  retention_run->add_flag("--org-schema", retention_options.keep_organizations_whole,
                          "the schema is org's: its organization entries are never compacted (as the org service does)");
  retention_run->callback([&] { exit_code = RunRetention(retention_options, io); });

  // ---- demo ----
  // The demo generator is its own binary, left out of the production image.
  CLI::App* demo = app.add_subcommand("demo", "moved: the demo committee is loaded by `grassroots-demo load`");
  demo->allow_extras();
  demo->callback([&] {
    io.err << "the demo moved to its own program: run `grassroots-demo load` (same options)" << std::endl;
    exit_code = kExitUsage;
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help to the first stream and errors to the second.
    int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

}  // namespace grassroots::cli
