#include "services/demo/demo_app.h"

#include <ostream>

#include <CLI/CLI.hpp>

#include "services/cli/connection_flags.h"
#include "services/demo/demo_facts.h"
#include "services/demo/demo_dues.h"
#include "services/demo/demo_dues_loader.h"
#include "services/demo/demo_facts_loader.h"
#include "services/demo/demo_inspection.h"
#include "services/demo/demo_inspection_loader.h"
#include "services/demo/demo_loader.h"
#include "services/demo/demo_members.h"
#include "services/demo/demo_members_loader.h"
#include "services/demo/demo_plan.h"

namespace grassroots::demo {
namespace {

using cli::Connection;
using cli::ConnectionFlags;
using cli::Io;
using cli::kExitOk;
using cli::kExitRpcError;
using cli::kExitUsage;

int Fail(Io& io, absl::string_view message) {
  io.err << "error: " << message << std::endl;
  return kExitUsage;
}

// The inspection caseload names members and the merged cell: it comes after the facts.
int LoadInspectionCaseload(const DemoLoadOptions& options, Io& io,
                           const std::map<std::string, std::string>& organizations, const Connection& membership,
                           const Plan& org_plan, const MembersPlan& members_plan, const FactsPlan& facts_plan) {
  // Inspection's writes are an inspector's: --token (the admin's) is not used for them.
  ConnectionFlags flags = options.connection;
  flags.target = options.inspection_target;
  flags.token = options.inspector_token;
  flags.token_file = options.inspector_token_file;
  if (flags.token.empty() && flags.token_file.empty()) flags.token = io.env("GRASSROOTS_INSPECTOR_TOKEN").value_or("");
  if (flags.token.empty() && flags.token_file.empty()) {
    io.out << "No inspector token (--inspector-token, --inspector-token-file or GRASSROOTS_INSPECTOR_TOKEN): the "
              "inspection caseload is not loaded."
           << std::endl;
    return kExitOk;
  }
  absl::StatusOr<Connection> inspection = Connection::Open("grassroots.inspection.v1", flags, io.env);
  if (!inspection.ok()) return Fail(io, inspection.status().message());
  const InspectionPlan plan = BuildInspectionPlan(org_plan, members_plan, facts_plan);
  InspectionLoadOptions load_options;
  load_options.parallelism = options.parallelism;
  absl::StatusOr<InspectionLoadReport> loaded =
      LoadInspection(*inspection, membership, organizations, plan, facts_plan.merge, load_options, io.out);
  if (!loaded.ok()) {
    io.err << "demo inspection load failed: " << loaded.status().message() << std::endl;
    return kExitRpcError;
  }
  if (!loaded->unreachable && !loaded->already_loaded) {
    io.out << "inspection: " << loaded->programs_created << " programs, " << loaded->cases_opened << " cases opened ("
           << loaded->case_steps << " workflow steps), " << loaded->decisions_made << " discipline decisions, "
           << loaded->appeal_steps << " appeal steps, " << loaded->petitions_received << " petitions ("
           << loaded->petition_steps << " handling steps)" << std::endl;
  }
  return kExitOk;
}

}  // namespace

int RunDemoLoad(const DemoLoadOptions& options, Io& io) {
  const Plan plan = BuildPlan();
  const PlanCounts counts = Count(plan);
  if (options.plan_only) {
    io.out << "organizations " << counts.organizations << "\ngrassroots " << counts.grassroots << "\ncells "
           << counts.cells << "\nparty_groups " << counts.party_groups << "\nresidential_units " << counts.units
           << "\nuncovered_units " << counts.uncovered_units << "\ncommittee_terms " << plan.terms.size()
           << "\nworking_regulations " << plan.regulations.size() << "\nmeetings " << plan.meetings.size()
           << "\nnew_models " << plan.new_models.size() << "\nfour_good " << plan.four_good.size() << "\nratings "
           << plan.ratings.size() << "\nrestructuring_steps " << plan.restructuring.size() << std::endl;
    if (!options.skip_members) {
      const MembersCounts members = CountMembers(BuildMembersPlan(plan));
      io.out << "members " << members.members << "\nmembers_imported_2020 " << members.imported
             << "\nprospects " << members.prospects << "\nadmitted " << members.admitted << "\nadmissions_by_year";
      for (const auto& [year, admitted] : members.admissions_by_year) io.out << " " << year << ":" << admitted;
      io.out << "\nabandoned " << members.abandoned << "\nrecognized " << members.recognized << "\ntransfers "
             << members.transfers << "\ntransfers_out " << members.transfers_out << "\nexempted " << members.exempted
             << "\nremoved " << members.removed << "\nleft " << members.left << "\ndeceased " << members.deceased
             << "\nmember_ratings " << members.ratings << "\nresidence_registrations " << members.registrations
             << "\nresidence_feedback " << members.feedback << "\ncommitments " << members.commitments
             << "\ntrainings " << members.trainings << "\nmember_calls " << members.calls << std::endl;
      const FactsPlan facts = BuildFactsPlan(plan, BuildMembersPlan(plan));
      int member_heads = 0;
      for (const HeadSuccession& head : facts.heads) member_heads += head.member_external_id.empty() ? 0 : 1;
      io.out << "head_successions " << facts.heads.size() << "\nmember_heads " << member_heads
             << "\ncommittee_post_trainings " << facts.post_trainings.size() << "\ncell_merge "
             << facts.merge.source_code << " -> " << facts.merge.target_code << " " << facts.merge.effective_date
             << std::endl;
      const InspectionPlan inspection = BuildInspectionPlan(plan, BuildMembersPlan(plan), facts);
      io.out << "inspection_programs " << inspection.programs.size() << "\nwithout_program "
             << inspection.without_program.size() << "\ninspection_cases " << inspection.cases.size()
             << "\ndiscipline_decisions " << inspection.decisions.size() << "\npetitions "
             << inspection.petitions.size() << std::endl;
    }
    return kExitOk;
  }
  absl::StatusOr<Connection> connection = Connection::Open("grassroots.org.v1", options.connection, io.env);
  if (!connection.ok()) return Fail(io, connection.status().message());
  if (connection->token().empty()) {
    return Fail(io, "a token is required (--token, --token-file or GRASSROOTS_TOKEN): mint an admin token for the root scope");
  }
  LoadOptions load_options;
  load_options.parallelism = options.parallelism;
  load_options.with_meetings = !options.skip_meetings;
  absl::StatusOr<LoadReport> report = Load(*connection, plan, load_options, io.out);
  if (!report.ok()) {
    io.err << "demo load failed: " << report.status().message() << std::endl;
    return kExitRpcError;
  }
  if (!report->already_loaded) {
    io.out << "created: " << report->organizations_created << " organizations, " << report->units_created
           << " residential units, " << report->terms_created << " committee terms, " << report->regulations_created
           << " working regulations, " << report->meetings_created << " meetings, " << report->new_models_created
           << " new models, " << report->four_good_created << " four-good designations, " << report->ratings_created
           << " ratings; " << report->restructuring_steps_applied << " restructuring steps" << std::endl;
  }
  if (options.skip_members) return kExitOk;

  ConnectionFlags membership_flags = options.connection;
  membership_flags.target = options.membership_target;
  absl::StatusOr<Connection> membership = Connection::Open("grassroots.membership.v1", membership_flags, io.env);
  if (!membership.ok()) return Fail(io, membership.status().message());
  const MembersPlan members_plan = BuildMembersPlan(plan);
  MembersLoadOptions members_options;
  members_options.parallelism = options.parallelism;
  members_options.import_only = options.members_2020_only;
  absl::StatusOr<MembersLoadReport> members =
      LoadMembers(*membership, report->organization_names, members_plan, members_options, io.out);
  if (!members.ok()) {
    io.err << "demo members load failed: " << members.status().message() << std::endl;
    return kExitRpcError;
  }
  if (members->unreachable) return kExitOk;
  if (!members->already_loaded) {
    io.out << "members: " << members->imported_created << " imported, " << members->prospects
           << " prospects through the admission pipeline, " << members->calls << " lifecycle and yearly-record calls"
           << std::endl;
  }

  if (options.members_2020_only) return kExitOk;

  // The facts the scorecard needs: they name members, so they follow the members.
  io.out << "heads, training for posts and the " << kCellMergeDate << " cell merge" << std::endl;
  const FactsPlan facts_plan = BuildFactsPlan(plan, members_plan);
  absl::StatusOr<FactsLoadReport> facts =
      LoadFacts(*connection, *membership, report->organization_names, facts_plan, io.out);
  if (!facts.ok()) {
    io.err << "demo facts load failed: " << facts.status().message() << std::endl;
    return kExitRpcError;
  }
  if (!facts->already_recorded) {
    io.out << "facts: " << facts->heads_assigned << " head successions (" << facts->member_heads
           << " members), " << facts->head_trainings << " head trainings, " << facts->post_trainings
           << " post trainings, " << facts->coverings_assigned << " coverings, cell merge "
           << (facts->merged ? "recorded" : "not recorded") << std::endl;
  }
  // Dues read the members' cells and categories: after the members and the merge.
  absl::StatusOr<DuesLoadReport> dues =
      LoadDues(*membership, report->organization_names, plan, options.parallelism, io.out);
  if (!dues.ok()) {
    io.err << "demo dues load failed: " << dues.status().message() << std::endl;
    return kExitRpcError;
  }
  if (!dues->already_recorded) {
    io.out << "dues: " << dues->bases << " bases, " << dues->reliefs << " relief decisions, " << dues->collections
           << " monthly cell collections (" << dues->payments << " payments) from "
           << absl::FormatCivilTime(kDuesFirstMonth) << ", " << dues->remittances << " remittances up the tree"
           << std::endl;
  }
  if (options.skip_inspection) return kExitOk;
  return LoadInspectionCaseload(options, io, report->organization_names, *membership, plan, members_plan, facts_plan);
}

int RunDemo(int argc, char** argv, std::ostream& out, std::ostream& err, std::istream& in, cli::EnvLookup env) {
  Io io{out, err, in, std::move(env)};
  CLI::App app("Demonstration data for the Grassroots services: never part of a production deployment.",
               "grassroots-demo");
  app.require_subcommand(1);
  int exit_code = kExitOk;
  DemoLoadOptions options;
  CLI::App* load = app.add_subcommand(
      "load", "load the fictional Lâm Viên province committee through the API (idempotent; refuses a tree that "
              "holds anything but the demo)");
  load->add_option("--parallel", options.parallelism, "concurrent calls")->capture_default_str();
  load->add_flag("--skip-meetings", options.skip_meetings, "leave out the ~6,000 meeting records");
  load->add_flag("--plan-only", options.plan_only, "print what would be loaded; make no calls");
  load->add_flag("--skip-members", options.skip_members,
                 "leave out the ~3,500 members and their 2020-2025 history (membership service)");
  load->add_flag("--members-2020-only", options.members_2020_only,
                 "load only the ~3,000 members on file in 2020 (one CSV import): not their 2020-2025 history, nor "
                 "the facts and the inspection caseload that name them (seconds instead of minutes)");
  load->add_option("--membership-target", options.membership_target,
                   "host:port of the membership service (default GRASSROOTS_MEMBERSHIP_TARGET, else "
                   "localhost:50052); skipped with a notice when it does not answer");
  load->add_option("--inspection-target", options.inspection_target,
                   "host:port of the inspection service (default GRASSROOTS_INSPECTION_TARGET, else localhost:50053); "
                   "skipped with a notice when it does not answer");
  load->add_option("--inspector-token", options.inspector_token,
                   "bearer token of role inspector (root scope) for the inspection caseload (default "
                   "GRASSROOTS_INSPECTOR_TOKEN)");
  load->add_option("--inspector-token-file", options.inspector_token_file, "file holding that token");
  load->add_flag("--skip-inspection", options.skip_inspection,
                 "leave out the 2020-2025 inspection caseload (inspection service)");
  cli::AddConnectionFlags(*load, options.connection);
  load->callback([&] { exit_code = RunDemoLoad(options, io); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help to the first stream and errors to the second.
    int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

}  // namespace grassroots::demo
