#include "services/demo/demo_inspection_loader.h"

#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "common/status/status.h"
#include "grassroots/inspection/v1/inspection.grpc.pb.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "services/demo/demo_loader.h"

namespace grassroots::demo {
namespace {

constexpr int kPageSize = 500;  // the inspection service's largest page

void SetDecision(const Decision& from, grassroots::type::v1::Decision* to) {
  to->set_issuing_body(from.issuing_body);
  to->set_number(from.number);
  to->set_signed_on(from.signed_on);
}

// Inspection knows organizations and members from the org and membership feeds it
// follows: right after they were written it may not know them yet.
bool ProjectionMayLag(const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return true;
  if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) return false;
  const std::string reason = common::ReasonOf(common::FromGrpcStatus(status));
  return reason == "MEMBER_NOT_IN_PARTY" || reason == "ORGANIZATION_NOT_ACTIVE";
}

class InspectionLoader {
 public:
  InspectionLoader(const cli::Connection& inspection, const cli::Connection& membership,
                   const std::map<std::string, std::string>& organizations, const InspectionPlan& plan,
                   const CellMerge& merge, const InspectionLoadOptions& options, std::ostream& progress)
      : inspection_(inspection),
        membership_(membership),
        organizations_(organizations),
        plan_(plan),
        merge_(merge),
        options_(options),
        progress_(progress),
        programs_(iv1::ProgramService::NewStub(inspection.channel())),
        cases_(iv1::CaseService::NewStub(inspection.channel())),
        discipline_(iv1::DisciplineService::NewStub(inspection.channel())),
        petitions_(iv1::PetitionService::NewStub(inspection.channel())),
        members_(mv1::MemberService::NewStub(membership.channel())) {}

  absl::StatusOr<InspectionLoadReport> Run() {
    if (!inspection_.channel()->WaitForConnected(absl::ToChronoTime(absl::Now() + options_.connect_wait))) {
      report_.unreachable = true;
      progress_ << "The inspection service does not answer at " << inspection_.target()
                << "; the demo's inspection caseload is not loaded (start it and run `grassroots-demo load` again)."
                << std::endl;
      return report_;
    }
    GR_ASSIGN_OR_RETURN(root_, Organization(kRootCode));
    give_up_ = absl::Now() + options_.projection_wait;
    GR_RETURN_IF_ERROR(WaitForTree());
    GR_RETURN_IF_ERROR(IndexPrograms());
    GR_RETURN_IF_ERROR(IndexCases());
    GR_RETURN_IF_ERROR(IndexDecisions());
    GR_RETURN_IF_ERROR(IndexPetitions());
    if (AllOnFile()) {
      report_.already_loaded = true;
      progress_ << "The demo's inspection caseload is already loaded; nothing to do." << std::endl;
      return report_;
    }
    progress_ << "Loading the demo's inspection caseload: " << plan_.programs.size() << " programs, "
              << plan_.cases.size() << " cases, " << plan_.decisions.size() << " discipline decisions, "
              << plan_.petitions.size() << " petitions" << std::endl;
    GR_RETURN_IF_ERROR(CreatePrograms());
    for (const PlannedCase& c : plan_.cases) GR_RETURN_IF_ERROR(LoadCase(c));
    progress_ << "  cases: " << report_.cases_opened << " opened, " << report_.case_steps << " workflow steps"
              << std::endl;
    for (const PlannedDiscipline& d : plan_.decisions) GR_RETURN_IF_ERROR(LoadDecision(d));
    progress_ << "  discipline: " << report_.decisions_made << " decisions, " << report_.appeal_steps
              << " appeal steps" << std::endl;
    for (const PlannedPetition& p : plan_.petitions) GR_RETURN_IF_ERROR(LoadPetition(p));
    progress_ << "  petitions: " << report_.petitions_received << " received, " << report_.petition_steps
              << " handling steps" << std::endl;
    return report_;
  }

 private:
  // One call with the transient retries; with `tolerate_lag`, also while the service's
  // projections may not hold the organization or member yet.
  absl::Status Call(const std::string& what, const std::function<grpc::Status(grpc::ClientContext&)>& call,
                    const cli::Connection& connection, bool tolerate_lag = false) {
    for (;;) {
      grpc::Status status = WithRetry([&] {
        grpc::ClientContext context;
        connection.Prepare(context);
        return call(context);
      });
      if (status.ok()) return absl::OkStatus();
      if (!tolerate_lag || !ProjectionMayLag(status) || absl::Now() > give_up_) return CallError(what, status);
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  absl::Status Write(const std::string& what, const std::function<grpc::Status(grpc::ClientContext&)>& call) {
    return Call(what, call, inspection_, /*tolerate_lag=*/true);
  }

  absl::StatusOr<std::string> Organization(const std::string& code) const {
    auto it = organizations_.find(code);
    if (it == organizations_.end()) {
      return absl::FailedPreconditionError(absl::StrCat("organization ", code, " was not created"));
    }
    return it->second;
  }

  absl::StatusOr<std::string> Member(const MemberRef& ref) {
    if (ref.empty()) return absl::InternalError("the inspection plan names no member here");
    auto cached = member_names_.find(ref.citizen_id);
    if (cached != member_names_.end()) return cached->second;
    mv1::LookupMemberRequest request;
    request.set_citizen_id(ref.citizen_id);
    mv1::Member member;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("finding the demo member ", ref.external_id),
                            [&](grpc::ClientContext& c) { return members_->LookupMember(&c, request, &member); },
                            membership_));
    member_names_[ref.citizen_id] = member.name();
    return member.name();
  }

  // Inspection follows org's feed in order: once it has the demo's last org change (the
  // 2026 cell merge), it has the whole tree.
  absl::Status WaitForTree() {
    GR_ASSIGN_OR_RETURN(const std::string cell, Organization(merge_.source_code));
    const absl::CivilDay merged_on = [&] {
      absl::CivilDay day;
      absl::ParseCivilTime(merge_.effective_date, &day);
      return day;
    }();
    auto required_on = [&](absl::CivilDay day) -> absl::StatusOr<int> {
      iv1::ListOrganizationsWithoutProgramRequest request;
      request.set_organization(cell);
      request.set_year(static_cast<int>(day.year()));
      request.set_as_of_date(absl::FormatCivilTime(day));
      iv1::ListOrganizationsWithoutProgramResponse response;
      GR_RETURN_IF_ERROR(Call("asking the inspection service about the demo tree", [&](grpc::ClientContext& c) {
        return programs_->ListOrganizationsWithoutProgram(&c, request, &response);
      }, inspection_));
      return response.required_count();
    };
    bool told = false;
    for (;;) {
      GR_ASSIGN_OR_RETURN(const int before, required_on(merged_on - 1));
      GR_ASSIGN_OR_RETURN(const int after, required_on(merged_on));
      if (before == 1 && after == 0) return absl::OkStatus();
      if (absl::Now() > give_up_) {
        return absl::DeadlineExceededError(
            "the inspection service still does not know the demo's organizations: is it following the organization "
            "service's change feed?");
      }
      if (!told) progress_ << "  waiting for the inspection service to follow the org feed" << std::endl;
      told = true;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  // ---- what is on file ----------------------------------------------------------------

  // Every page of a list of the demo tree's work: `on_page` takes each response.
  template <typename Stub, typename Request, typename Response, typename OnPage>
  absl::Status ListAll(const std::string& what, Stub& stub,
                       grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*), Request request,
                       const OnPage& on_page) {
    request.set_organization(root_);
    request.set_page_size(kPageSize);
    for (;;) {
      Response response;
      GR_RETURN_IF_ERROR(Call(what, [&](grpc::ClientContext& c) { return (stub.*method)(&c, request, &response); },
                              inspection_));
      on_page(response);
      if (response.next_page_token().empty()) return absl::OkStatus();
      request.set_page_token(response.next_page_token());
    }
  }

  absl::Status IndexPrograms() {
    for (int year = kInspectionFirstYear; year <= kInspectionLastYear; ++year) {
      iv1::ListProgramsRequest request;
      request.set_year(year);
      GR_RETURN_IF_ERROR(ListAll(
          "listing the programs on file", *programs_, &iv1::ProgramService::Stub::ListPrograms, request,
          [&](const iv1::ListProgramsResponse& response) {
            absl::MutexLock lock(&mutex_);
            for (const iv1::Program& program : response.programs()) {
              programs_on_file_[{program.organization(), program.year()}] = program;
            }
          }));
    }
    return absl::OkStatus();
  }

  absl::Status IndexCases() {
    return ListAll(
        "listing the cases on file", *cases_, &iv1::CaseService::Stub::ListCases, {},
        [&](const iv1::ListCasesResponse& response) {
          for (const iv1::Case& c : response.cases()) cases_on_file_[c.opening_decision().number()] = c;
        });
  }

  absl::Status IndexDecisions() {
    GR_RETURN_IF_ERROR(
        ListAll(
            "listing the discipline decisions on file", *discipline_,
            &iv1::DisciplineService::Stub::ListDisciplineDecisions, {},
            [&](const iv1::ListDisciplineDecisionsResponse& response) {
              for (const iv1::DisciplineDecision& d : response.decisions()) {
                decisions_on_file_[d.decision().number()] = d;
              }
            }));
    // Appeals filed and not resolved yet (a resolved one shows on its decision).
    return ListAll(
        "listing the open appeals", *discipline_, &iv1::DisciplineService::Stub::ListAppeals, {},
        [&](const iv1::ListAppealsResponse& response) {
          for (const iv1::Appeal& appeal : response.appeals()) {
            open_appeals_[appeal.name().substr(0, appeal.name().find("/appeals/"))] = appeal;
          }
        });
  }

  absl::Status IndexPetitions() {
    return ListAll(
        "listing the petitions on file", *petitions_, &iv1::PetitionService::Stub::ListPetitions, {},
        [&](const iv1::ListPetitionsResponse& response) {
          for (const iv1::Petition& p : response.petitions()) petitions_on_file_[p.summary()] = p;
        });
  }

  // Everything planned is on file in its final state (the last writes of a load are
  // the petitions' handling, so a finished load shows in them, but each kind is checked).
  bool AllOnFile() {
    {
      absl::MutexLock lock(&mutex_);
      for (const PlannedProgram& p : plan_.programs) {
        if (programs_on_file_.count({organizations_.at(p.org_code), p.year}) == 0) return false;
      }
    }
    for (const PlannedCase& c : plan_.cases) {
      auto found = cases_on_file_.find(c.opening.number);
      if (found == cases_on_file_.end() || found->second.status() != c.final_status) return false;
      for (int r = 0; r < found->second.recommendations_size(); ++r) {
        if (found->second.recommendations(r).status() != c.recommendations[static_cast<size_t>(r)].outcome) return false;
      }
    }
    for (const PlannedDiscipline& d : plan_.decisions) {
      auto found = decisions_on_file_.find(d.decision.number);
      if (found == decisions_on_file_.end()) return false;
      if (d.appealed && found->second.appeal_outcome() != d.appeal.outcome) return false;
    }
    for (const PlannedPetition& p : plan_.petitions) {
      auto found = petitions_on_file_.find(p.summary);
      if (found == petitions_on_file_.end() || found->second.status() != p.final_status) return false;
    }
    return true;
  }

  // ---- programs -------------------------------------------------------------------------

  absl::Status CreateProgram(const PlannedProgram& planned) {
    GR_ASSIGN_OR_RETURN(const std::string org, Organization(planned.org_code));
    {
      absl::MutexLock lock(&mutex_);
      if (programs_on_file_.count({org, planned.year}) > 0) return absl::OkStatus();
    }
    iv1::CreateProgramRequest request;
    iv1::Program* program = request.mutable_program();
    program->set_organization(org);
    program->set_year(planned.year);
    program->set_adopted_on(planned.adopted_on);
    SetDecision(planned.decision, program->mutable_decision());
    for (const PlannedProgramItem& planned_item : planned.items) {
      iv1::ProgramItem* item = program->add_items();
      item->set_topic(planned_item.topic);
      item->set_kind(planned_item.kind);
      item->set_basis(planned_item.basis);
      item->set_quarter(planned_item.quarter);
      item->set_lead(planned_item.lead);
    }
    request.set_request_id(RequestId("prog", absl::StrCat(planned.org_code, "-", planned.year)));
    iv1::Program created;
    grpc::Status status;
    absl::Status written = Write(absl::StrCat("creating the ", planned.year, " program of ", planned.org_code),
                                 [&](grpc::ClientContext& c) {
                                   status = programs_->CreateProgram(&c, request, &created);
                                   // One program per organization and year: an earlier run's is the one.
                                   return status.error_code() == grpc::StatusCode::ALREADY_EXISTS ? grpc::Status::OK
                                                                                                  : status;
                                 });
    GR_RETURN_IF_ERROR(written);
    absl::MutexLock lock(&mutex_);
    if (status.ok()) {
      programs_on_file_[{org, planned.year}] = created;
      ++report_.programs_created;
    } else {
      reindex_programs_ = true;
    }
    return absl::OkStatus();
  }

  absl::Status CreatePrograms() {
    const auto started = std::chrono::steady_clock::now();
    std::atomic<size_t> next{0};
    absl::Mutex error_mutex;
    absl::Status first_error;
    auto worker = [&] {
      for (;;) {
        {
          absl::MutexLock lock(&error_mutex);
          if (!first_error.ok()) return;
        }
        const size_t i = next.fetch_add(1);
        if (i >= plan_.programs.size()) return;
        absl::Status status = CreateProgram(plan_.programs[i]);
        if (!status.ok()) {
          absl::MutexLock lock(&error_mutex);
          if (first_error.ok()) first_error = status;
        }
      }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < std::max(1, options_.parallelism); ++t) threads.emplace_back(worker);
    for (std::thread& thread : threads) thread.join();
    GR_RETURN_IF_ERROR(first_error);
    bool reindex = false;
    {
      absl::MutexLock lock(&mutex_);
      reindex = reindex_programs_;
    }
    if (reindex) GR_RETURN_IF_ERROR(IndexPrograms());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress_ << "  programs: " << report_.programs_created << " created in " << absl::StrFormat("%.1f", seconds)
              << " s" << std::endl;
    return absl::OkStatus();
  }

  // ---- cases ------------------------------------------------------------------------------

  absl::StatusOr<iv1::Case> OpenCase(const PlannedCase& planned) {
    iv1::OpenCaseRequest request;
    iv1::Case* c = request.mutable_case_();
    GR_ASSIGN_OR_RETURN(*c->mutable_organization(), Organization(planned.org_code));
    c->set_conductor(planned.conductor);
    c->set_kind(planned.kind);
    c->set_basis(planned.basis);
    if (planned.subject_org_code.empty()) {
      GR_ASSIGN_OR_RETURN(*c->mutable_subject()->mutable_member(), Member(planned.subject_member));
    } else {
      GR_ASSIGN_OR_RETURN(*c->mutable_subject()->mutable_organization(), Organization(planned.subject_org_code));
    }
    c->set_topic(planned.topic);
    SetDecision(planned.opening, c->mutable_opening_decision());
    c->set_period_start(planned.period_start);
    c->set_period_end(planned.period_end);
    if (planned.program_item >= 0) {
      const int year = std::stoi(planned.period_start.substr(0, 4));
      absl::MutexLock lock(&mutex_);
      auto program = programs_on_file_.find({c->organization(), year});
      if (program != programs_on_file_.end() && planned.program_item < program->second.items_size()) {
        c->set_program_item(program->second.items(planned.program_item).name());
      }
    }
    request.set_request_id(RequestId("case", planned.key));
    iv1::Case opened;
    GR_RETURN_IF_ERROR(Write(absl::StrCat("opening case ", planned.key),
                             [&](grpc::ClientContext& ctx) { return cases_->OpenCase(&ctx, request, &opened); }));
    ++report_.cases_opened;
    return opened;
  }

  // One step of a workflow: `current` becomes what the service answers.
  template <typename Resource>
  absl::Status Advance(const std::string& what, const std::function<grpc::Status(grpc::ClientContext&, Resource*)>& call,
                       Resource& current, int& steps) {
    Resource next;
    GR_RETURN_IF_ERROR(Write(what, [&](grpc::ClientContext& ctx) { return call(ctx, &next); }));
    current = std::move(next);
    ++steps;
    return absl::OkStatus();
  }

  absl::Status Step(const PlannedCase& planned, const std::string& step,
                    const std::function<grpc::Status(grpc::ClientContext&, iv1::Case*)>& call, iv1::Case& current) {
    return Advance<iv1::Case>(absl::StrCat(step, " case ", planned.key), call, current, report_.case_steps);
  }

  absl::Status Conclude(const PlannedCase& planned, iv1::Case& current) {
    iv1::ConcludeCaseRequest request;
    request.set_name(current.name());
    request.set_concluded_on(planned.concluded_on);
    request.set_findings(planned.findings);
    request.set_conclusion(planned.conclusion);
    if (planned.finance) {
      iv1::FinanceFindings* f = request.mutable_finance_findings();
      f->set_period_start("2024-01-01");
      f->set_period_end("2025-06-30");
      f->set_dues_due(planned.finance_findings.dues_due);
      f->set_dues_collected(planned.finance_findings.dues_collected);
      f->set_dues_remitted(planned.finance_findings.dues_remitted);
      f->set_remittance_shortfall(planned.finance_findings.remittance_shortfall);
      f->set_late_payers(planned.finance_findings.late_payers);
      f->set_notes(planned.finance_findings.notes);
    }
    for (const PlannedRecommendation& planned_rec : planned.recommendations) {
      iv1::Recommendation* rec = request.add_recommendations();
      rec->set_text(planned_rec.text);
      if (!planned_rec.responsible_code.empty()) {
        GR_ASSIGN_OR_RETURN(*rec->mutable_responsible()->mutable_organization(),
                            Organization(planned_rec.responsible_code));
      }
      rec->set_deadline(planned_rec.deadline);
    }
    return Step(planned, "concluding", [&](grpc::ClientContext& ctx, iv1::Case* out) {
      return cases_->ConcludeCase(&ctx, request, out);
    }, current);
  }

  // Takes a case from the status it has on file to the one planned.
  absl::Status LoadCase(const PlannedCase& planned) {
    iv1::Case current;
    auto found = cases_on_file_.find(planned.opening.number);
    if (found != cases_on_file_.end()) {
      current = found->second;
    } else {
      GR_ASSIGN_OR_RETURN(current, OpenCase(planned));
    }
    case_names_[planned.key] = current.name();
    const iv1::CaseStatus target = planned.final_status;
    if (current.status() == iv1::CASE_STATUS_OPENED && !planned.started_on.empty()) {
      iv1::StartCaseRequest request;
      request.set_name(current.name());
      request.set_started_on(planned.started_on);
      GR_RETURN_IF_ERROR(Step(planned, "starting", [&](grpc::ClientContext& ctx, iv1::Case* out) {
        return cases_->StartCase(&ctx, request, out);
      }, current));
    }
    if (current.status() == iv1::CASE_STATUS_IN_PROGRESS && target == iv1::CASE_STATUS_CANCELLED) {
      iv1::CancelCaseRequest request;
      request.set_name(current.name());
      request.set_reason(planned.cancel_reason);
      GR_RETURN_IF_ERROR(Step(planned, "cancelling", [&](grpc::ClientContext& ctx, iv1::Case* out) {
        return cases_->CancelCase(&ctx, request, out);
      }, current));
    }
    if (current.status() == iv1::CASE_STATUS_IN_PROGRESS &&
        (target == iv1::CASE_STATUS_CONCLUDED || target == iv1::CASE_STATUS_CLOSED)) {
      GR_RETURN_IF_ERROR(Conclude(planned, current));
    }
    if (current.status() != iv1::CASE_STATUS_CONCLUDED) return absl::OkStatus();
    for (int r = 0; r < current.recommendations_size(); ++r) {
      const PlannedRecommendation& planned_rec = planned.recommendations[static_cast<size_t>(r)];
      if (planned_rec.outcome == iv1::RECOMMENDATION_STATUS_OPEN ||
          current.recommendations(r).status() != iv1::RECOMMENDATION_STATUS_OPEN) {
        continue;
      }
      iv1::RecordRecommendationFollowUpRequest request;
      request.set_name(current.recommendations(r).name());
      request.set_status(planned_rec.outcome);
      request.set_followed_up_on(planned_rec.settled_on);
      request.set_note(planned_rec.note);
      GR_RETURN_IF_ERROR(Step(planned, "following up a recommendation of", [&](grpc::ClientContext& ctx, iv1::Case* out) {
        return cases_->RecordRecommendationFollowUp(&ctx, request, out);
      }, current));
    }
    if (target != iv1::CASE_STATUS_CLOSED) return absl::OkStatus();
    iv1::CloseCaseRequest request;
    request.set_name(current.name());
    request.set_closed_on(planned.closed_on);
    return Step(planned, "closing", [&](grpc::ClientContext& ctx, iv1::Case* out) {
      return cases_->CloseCase(&ctx, request, out);
    }, current);
  }

  // ---- discipline -------------------------------------------------------------------------

  absl::StatusOr<iv1::DisciplineDecision> Decide(const PlannedDiscipline& planned) {
    iv1::DecideDisciplineRequest request;
    iv1::DisciplineDecision* d = request.mutable_decision();
    GR_ASSIGN_OR_RETURN(*d->mutable_organization(), Organization(planned.org_code));
    d->set_deciding_body(planned.deciding_body);
    GR_ASSIGN_OR_RETURN(*d->mutable_subject()->mutable_member(), Member(planned.member));
    d->set_form(planned.form);
    SetDecision(planned.decision, d->mutable_decision());
    iv1::Violation* violation = d->mutable_violation();
    violation->set_summary(planned.violation);
    violation->set_category(iv1::VIOLATION_CATEGORY_ORDINARY);
    violation->set_started_on(planned.violation_started_on);
    violation->set_ended_on(planned.violation_ended_on);
    if (!planned.case_key.empty()) d->set_case_(case_names_.at(planned.case_key));
    request.set_request_id(RequestId("disc", planned.key));
    iv1::DisciplineDecision decided;
    GR_RETURN_IF_ERROR(Write(absl::StrCat("deciding discipline ", planned.key), [&](grpc::ClientContext& ctx) {
      return discipline_->DecideDiscipline(&ctx, request, &decided);
    }));
    ++report_.decisions_made;
    return decided;
  }

  absl::Status LoadDecision(const PlannedDiscipline& planned) {
    iv1::DisciplineDecision decision;
    auto found = decisions_on_file_.find(planned.decision.number);
    if (found != decisions_on_file_.end()) {
      decision = found->second;
    } else {
      GR_ASSIGN_OR_RETURN(decision, Decide(planned));
    }
    if (!planned.appealed || decision.appeal_outcome() != iv1::APPEAL_OUTCOME_UNSPECIFIED) return absl::OkStatus();
    iv1::Appeal appeal;
    auto open = open_appeals_.find(decision.name());
    if (open != open_appeals_.end()) {
      appeal = open->second;
    } else {
      iv1::FileAppealRequest request;
      request.set_decision(decision.name());
      iv1::Appeal* filed = request.mutable_appeal();
      filed->set_decision_received_on(planned.appeal.decision_received_on);
      filed->set_filed_on(planned.appeal.filed_on);
      GR_ASSIGN_OR_RETURN(*filed->mutable_resolving_organization(), Organization(planned.appeal.resolving_code));
      filed->set_resolving_body(planned.appeal.resolving_body);
      request.set_request_id(RequestId("appeal", planned.key));
      GR_RETURN_IF_ERROR(Write(absl::StrCat("filing the appeal against ", planned.key), [&](grpc::ClientContext& ctx) {
        return discipline_->FileAppeal(&ctx, request, &appeal);
      }));
      ++report_.appeal_steps;
    }
    iv1::ResolveAppealRequest request;
    request.set_name(appeal.name());
    request.set_outcome(planned.appeal.outcome);
    request.set_new_form(planned.appeal.new_form);
    request.set_resolved_on(planned.appeal.resolved_on);
    SetDecision(planned.appeal.resolution, request.mutable_resolution());
    iv1::Appeal resolved;
    GR_RETURN_IF_ERROR(Write(absl::StrCat("resolving the appeal against ", planned.key), [&](grpc::ClientContext& ctx) {
      return discipline_->ResolveAppeal(&ctx, request, &resolved);
    }));
    ++report_.appeal_steps;
    return absl::OkStatus();
  }

  // ---- petitions --------------------------------------------------------------------------

  absl::StatusOr<iv1::Petition> Receive(const PlannedPetition& planned) {
    iv1::ReceivePetitionRequest request;
    iv1::Petition* p = request.mutable_petition();
    p->set_kind(planned.kind);
    p->set_source(planned.source);
    GR_ASSIGN_OR_RETURN(*p->mutable_organization(), Organization(planned.org_code));
    if (!planned.about_org_code.empty()) {
      GR_ASSIGN_OR_RETURN(*p->mutable_about()->mutable_organization(), Organization(planned.about_org_code));
    } else if (!planned.about_member.empty()) {
      GR_ASSIGN_OR_RETURN(*p->mutable_about()->mutable_member(), Member(planned.about_member));
    }
    p->set_received_on(planned.received_on);
    p->set_summary(planned.summary);
    p->set_anonymous(planned.anonymous);
    p->set_content_specific(planned.content_specific);
    if (!planned.anonymous) {
      p->mutable_filer()->set_full_name(planned.filer_name);
      p->mutable_filer()->set_address(planned.filer_address);
      p->mutable_filer()->set_phone(planned.filer_phone);
    }
    request.set_request_id(RequestId("pet", planned.key));
    iv1::Petition received;
    GR_RETURN_IF_ERROR(Write(absl::StrCat("receiving petition ", planned.key), [&](grpc::ClientContext& ctx) {
      return petitions_->ReceivePetition(&ctx, request, &received);
    }));
    ++report_.petitions_received;
    return received;
  }

  absl::Status PetitionStep(const PlannedPetition& planned, const std::string& step,
                            const std::function<grpc::Status(grpc::ClientContext&, iv1::Petition*)>& call,
                            iv1::Petition& current) {
    return Advance<iv1::Petition>(absl::StrCat(step, " petition ", planned.key), call, current,
                                  report_.petition_steps);
  }

  absl::Status LoadPetition(const PlannedPetition& planned) {
    iv1::Petition current;
    auto found = petitions_on_file_.find(planned.summary);
    if (found != petitions_on_file_.end()) {
      current = found->second;
    } else {
      GR_ASSIGN_OR_RETURN(current, Receive(planned));
    }
    if (current.status() == iv1::PETITION_STATUS_RECEIVED && planned.final_status == iv1::PETITION_STATUS_CLOSED) {
      iv1::ClosePetitionRequest request;
      request.set_name(current.name());
      request.set_reason(planned.close_reason);
      request.set_closed_on(planned.closed_on);
      return PetitionStep(planned, "closing", [&](grpc::ClientContext& ctx, iv1::Petition* out) {
        return petitions_->ClosePetition(&ctx, request, out);
      }, current);
    }
    if (current.status() == iv1::PETITION_STATUS_RECEIVED) {
      iv1::AssignPetitionRequest request;
      request.set_name(current.name());
      GR_ASSIGN_OR_RETURN(*request.mutable_assignee(), Member(planned.assignee));
      request.set_assigned_on(planned.assigned_on);
      request.set_answer_by(planned.answer_by);
      GR_RETURN_IF_ERROR(PetitionStep(planned, "assigning", [&](grpc::ClientContext& ctx, iv1::Petition* out) {
        return petitions_->AssignPetition(&ctx, request, out);
      }, current));
    }
    if (current.status() != iv1::PETITION_STATUS_ASSIGNED || planned.final_status != iv1::PETITION_STATUS_ANSWERED) {
      return absl::OkStatus();
    }
    iv1::AnswerPetitionRequest request;
    request.set_name(current.name());
    request.set_answer(planned.answer);
    request.set_answered_on(planned.answered_on);
    return PetitionStep(planned, "answering", [&](grpc::ClientContext& ctx, iv1::Petition* out) {
      return petitions_->AnswerPetition(&ctx, request, out);
    }, current);
  }

  const cli::Connection& inspection_;
  const cli::Connection& membership_;
  const std::map<std::string, std::string>& organizations_;
  const InspectionPlan& plan_;
  const CellMerge& merge_;
  InspectionLoadOptions options_;
  std::ostream& progress_;
  std::unique_ptr<iv1::ProgramService::Stub> programs_;
  std::unique_ptr<iv1::CaseService::Stub> cases_;
  std::unique_ptr<iv1::DisciplineService::Stub> discipline_;
  std::unique_ptr<iv1::PetitionService::Stub> petitions_;
  std::unique_ptr<mv1::MemberService::Stub> members_;

  std::string root_;
  absl::Time give_up_;
  absl::Mutex mutex_;  // the program workers share the index and the report
  std::map<std::pair<std::string, int>, iv1::Program> programs_on_file_ ABSL_GUARDED_BY(mutex_);
  bool reindex_programs_ ABSL_GUARDED_BY(mutex_) = false;
  std::map<std::string, iv1::Case> cases_on_file_;                  // by opening decision number
  std::map<std::string, iv1::DisciplineDecision> decisions_on_file_;  // by decision number
  std::map<std::string, iv1::Appeal> open_appeals_;                 // by decision name
  std::map<std::string, iv1::Petition> petitions_on_file_;          // by summary
  std::map<std::string, std::string> case_names_;                   // plan key -> "cases/N"
  std::map<std::string, std::string> member_names_;                 // citizen ID -> "members/N"
  InspectionLoadReport report_;
};

}  // namespace

absl::StatusOr<InspectionLoadReport> LoadInspection(const cli::Connection& inspection,
                                                    const cli::Connection& membership,
                                                    const std::map<std::string, std::string>& organizations,
                                                    const InspectionPlan& plan, const CellMerge& merge,
                                                    const InspectionLoadOptions& options, std::ostream& progress) {
  return InspectionLoader(inspection, membership, organizations, plan, merge, options, progress).Run();
}

}  // namespace grassroots::demo
