#include "services/demo/demo_members_loader.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status/status.h"
#include <grpcpp/channel.h>
#include "grassroots/membership/v1/lifecycle.grpc.pb.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "grassroots/membership/v1/yearly_records.grpc.pb.h"
#include "services/demo/demo_loader.h"
#include "services/cli/generic_call.h"
#include "services/cli/member_commands.h"
#include "services/cli/member_import.h"

namespace grassroots::demo {

using cli::Connection;
using cli::DescribeStatus;
using cli::ImportOutcome;
using cli::StreamImport;
using cli::DescribeRowError;
namespace {

void SetDecision(const Decision& from, grassroots::type::v1::Decision* to) {
  if (from.issuing_body.empty() && from.number.empty()) return;
  to->set_issuing_body(from.issuing_body);
  to->set_number(from.number);
  to->set_signed_on(from.signed_on);
}

const char* KindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kAwarenessClass: return "RecordAwarenessClass";
    case ActionKind::kDossierCompleted: return "RecordDossierCompleted";
    case ActionKind::kCellVote: return "RecordCellAdmissionVote";
    case ActionKind::kDecideAdmission: return "DecideAdmission";
    case ActionKind::kCeremony: return "RecordAdmissionCeremony";
    case ActionKind::kRecognize: return "RecognizeOfficial";
    case ActionKind::kAbandon: return "AbandonAdmission";
    case ActionKind::kStartTransfer: return "StartTransfer";
    case ActionKind::kCompleteTransfer: return "CompleteTransfer";
    case ActionKind::kEndTemporary: return "EndTemporaryTransfer";
    case ActionKind::kExempt: return "ExemptMember";
    case ActionKind::kRemove:
    case ActionKind::kLeave:
    case ActionKind::kDecease: return "EndMembership";
    case ActionKind::kRegisterResidence: return "RegisterResidence";
    case ActionKind::kResidenceFeedback: return "RecordResidenceFeedback";
    case ActionKind::kCommitment: return "RecordCommitment";
    case ActionKind::kRating: return "RateMember";
    case ActionKind::kTraining: return "RecordTraining";
  }
  return "?";
}

// What a member already has on file, for resuming an interrupted load.
struct OnFile {
  int lifecycle_events = 0;  // events after the one that opened the record
  std::set<int> ratings;
  std::set<int> feedback;
  std::set<int> commitments;
  std::set<std::string> registrations;  // registered_on
  std::set<std::string> trainings;      // course + start date
};

class MembersLoader {
 public:
  MembersLoader(const Connection& connection, const std::map<std::string, std::string>& organizations,
                const MembersPlan& plan, const MembersLoadOptions& options, std::ostream& progress)
      : connection_(connection),
        organizations_(organizations),
        plan_(plan),
        options_(options),
        progress_(progress),
        members_(mv1::MemberService::NewStub(connection.channel())),
        lifecycle_(mv1::LifecycleService::NewStub(connection.channel())),
        yearly_(mv1::YearlyRecordService::NewStub(connection.channel())),
        names_(plan.members.size()),
        fresh_(plan.members.size(), 0) {}

  absl::StatusOr<MembersLoadReport> Run();

 private:
  absl::StatusOr<bool> AlreadyLoaded();
  absl::Status Import();
  absl::Status ImportRange(size_t begin, size_t end, bool& retry);
  absl::Status LoadMember(size_t index);
  absl::StatusOr<std::string> CreateProspect(const PlannedMember& member);
  absl::StatusOr<OnFile> ReadOnFile(const std::string& name);
  absl::Status Send(const PlannedMember& member, const std::string& name, const Action& action);
  absl::StatusOr<std::string> Org(const std::string& code) const {
    auto found = organizations_.find(code);
    if (found == organizations_.end()) {
      return absl::FailedPreconditionError(absl::StrCat("organization ", code, " is not in the demo tree"));
    }
    return found->second;
  }
  absl::StatusOr<std::optional<std::string>> Lookup(const std::string& citizen_id);
  void Prepare(grpc::ClientContext& context) const { connection_.Prepare(context); }

  const Connection& connection_;
  const std::map<std::string, std::string>& organizations_;
  const MembersPlan& plan_;
  MembersLoadOptions options_;
  std::ostream& progress_;
  std::unique_ptr<mv1::MemberService::Stub> members_;
  std::unique_ptr<mv1::LifecycleService::Stub> lifecycle_;
  std::unique_ptr<mv1::YearlyRecordService::Stub> yearly_;

  std::vector<std::string> names_;  // plan index -> "members/N"
  std::vector<char> fresh_;         // created by this run: nothing to resume (char: written by several import threads)
  std::mutex mutex_;
  MembersLoadReport report_;
  std::atomic<int> calls_{0};
};

absl::StatusOr<std::optional<std::string>> MembersLoader::Lookup(const std::string& citizen_id) {
  mv1::LookupMemberRequest request;
  request.set_citizen_id(citizen_id);
  mv1::Member member;
  grpc::Status status = WithRetry([&] {
    grpc::ClientContext context;
    Prepare(context);
    return members_->LookupMember(&context, request, &member);
  });
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<std::string>();
  if (!status.ok()) return CallError("looking up a demo member by citizen ID", status);
  return std::optional<std::string>(member.name());
}

absl::StatusOr<bool> MembersLoader::AlreadyLoaded() {
  const PlannedMember& marker = plan_.members[plan_.marker_member];
  absl::StatusOr<std::optional<std::string>> name = Lookup(marker.person.citizen_id);
  if (!name.ok()) return name.status();
  if (!*name) return false;
  mv1::ListYearlyRecordsRequest request;
  request.set_member(**name);
  request.set_year(plan_.members[plan_.marker_member].actions[plan_.marker_action].year);
  request.set_page_size(100);
  mv1::ListYearlyRecordsResponse response;
  grpc::Status status = WithRetry([&] {
    grpc::ClientContext context;
    Prepare(context);
    return yearly_->ListYearlyRecords(&context, request, &response);
  });
  if (!status.ok()) return CallError("reading the demo's last record", status);
  for (const mv1::YearlyRecord& record : response.records()) {
    if (record.has_rating()) return true;
  }
  return false;
}

absl::Status MembersLoader::ImportRange(size_t begin, size_t end, bool& retry) {
  std::istringstream csv(ImportCsv(plan_, begin, end));
  std::vector<size_t> rows;  // line 2 + k -> plan index
  for (size_t i = begin; i < end; ++i) {
    if (plan_.members[i].imported) rows.push_back(i);
  }
  absl::Status first_error;
  bool waiting_for_cells = false;
  bool transient = false;
  ImportOutcome outcome = StreamImport(
      connection_, absl::StrCat("demo-members-", begin, ".csv"), /*dry_run=*/false, csv,
      [&](const mv1::ImportProgress& progress) {
        for (const mv1::RowResult& row : progress.rows()) {
          const size_t k = static_cast<size_t>(row.line() - 2);
          if (k >= rows.size()) continue;
          switch (row.outcome()) {
            case mv1::ROW_OUTCOME_CREATED:
              names_[rows[k]] = row.member();
              fresh_[rows[k]] = 1;
              break;
            case mv1::ROW_OUTCOME_UNCHANGED:
              names_[rows[k]] = row.member();
              break;
            default:
              // The membership service learns the tree from the org service's
              // feed: cells created moments ago may not have reached it yet.
              if (row.column() == "cell" && row.code() == "INVALID_ARGUMENT") {
                waiting_for_cells = true;
              } else if (row.code() == "ABORTED" || row.code() == "UNAVAILABLE" ||
                         row.code() == "DEADLINE_EXCEEDED") {
                transient = true;  // a conflict or an outage: the same rows again will do
              } else if (first_error.ok()) {
                first_error = absl::InternalError(absl::StrCat(
                    "the demo import refused ", plan_.members[rows[k]].person.external_id, ": ", DescribeRowError(row)));
              }
          }
        }
      });
  // RESOURCE_EXHAUSTED: the service runs a bounded number of imports at once
  // (IMPORT_BUSY), or the caller's rate limit; the part goes in the next round,
  // where rows already saved come back UNCHANGED.
  if (outcome.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    retry = true;
    return absl::OkStatus();
  }
  if (!outcome.status.ok()) return CallError("importing the demo's 2020 member list", outcome.status);
  if (!first_error.ok()) return first_error;
  retry = waiting_for_cells || transient;
  return absl::OkStatus();
}

absl::Status MembersLoader::Import() {
  size_t imported = 0;
  while (imported < plan_.members.size() && plan_.members[imported].imported) ++imported;
  const size_t streams = static_cast<size_t>(std::max(1, options_.import_streams));
  const size_t per_stream = (imported + streams - 1) / streams;
  const absl::Time give_up = absl::Now() + options_.projection_wait;
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::pair<size_t, size_t>> pending;
  for (size_t begin = 0; begin < imported; begin += per_stream) {
    pending.push_back({begin, std::min(imported, begin + per_stream)});
  }
  while (!pending.empty()) {
    std::vector<absl::Status> results(pending.size());
    std::vector<char> retry(pending.size(), 0);
    std::vector<std::thread> threads;
    for (size_t s = 0; s < pending.size(); ++s) {
      threads.emplace_back([&, s] {
        bool again = false;
        results[s] = ImportRange(pending[s].first, pending[s].second, again);
        retry[s] = again ? 1 : 0;
      });
    }
    for (std::thread& thread : threads) thread.join();
    std::vector<std::pair<size_t, size_t>> again;
    for (size_t s = 0; s < pending.size(); ++s) {
      if (!results[s].ok()) return results[s];
      if (retry[s]) again.push_back(pending[s]);
    }
    if (again.empty()) break;
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          "the membership service still does not know some demo cells: is it following the organization "
          "service's change feed?");
    }
    progress_ << "    " << again.size() << " part(s) of the list to send again (cells the membership service has not "
              << "learnt from the org feed yet, or write conflicts); retrying in 2 s" << std::endl;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    pending = std::move(again);
  }
  for (size_t i = 0; i < imported; ++i) ++(fresh_[i] ? report_.imported_created : report_.imported_unchanged);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  progress_ << "  import of the 2020 list: " << report_.imported_created << " created, " << report_.imported_unchanged
            << " already on file, in " << absl::StrFormat("%.1f", seconds) << " s" << std::endl;
  return absl::OkStatus();
}

absl::StatusOr<std::string> MembersLoader::CreateProspect(const PlannedMember& member) {
  const Person& p = member.person;
  mv1::CreateMemberRequest request;
  mv1::Member* out = request.mutable_member();
  out->set_external_id(p.external_id);
  out->set_full_name(p.full_name);
  out->set_sex(p.sex);
  out->set_birth_date(p.birth_date);
  out->set_birth_place(p.birth_place);
  out->set_home_town(p.home_town);
  out->set_ethnicity(p.ethnicity_code);
  out->set_religion(p.religion_code);
  out->set_citizen_id(p.citizen_id);
  out->set_occupation_category(p.category);
  out->set_occupation(p.occupation);
  out->set_general_education(p.education);
  out->set_professional_qualification(p.qualification);
  out->set_political_theory_level(p.theory);
  out->set_permanent_address(p.permanent_address);
  out->set_current_address(p.current_address);
  out->set_phone(p.phone);
  out->set_email(p.email);
  GR_ASSIGN_OR_RETURN(const std::string cell, Org(member.cell_code));
  request.mutable_prospect()->set_cell(cell);
  request.mutable_prospect()->set_introduced_by(member.introduced_by);
  request.mutable_prospect()->set_introduced_on(member.introduced_on);
  request.set_request_id(RequestId("mbr", p.external_id));
  mv1::Member created;
  grpc::Status status = WithRetry([&] {
    grpc::ClientContext context;
    Prepare(context);
    return members_->CreateMember(&context, request, &created);
  });
  if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    // Opened by an earlier run under another token: find it by its citizen ID.
    GR_ASSIGN_OR_RETURN(std::optional<std::string> name, Lookup(p.citizen_id));
    if (name) return *name;
  }
  if (!status.ok()) return CallError(absl::StrCat("creating the prospect ", p.external_id), status);
  return created.name();
}

absl::StatusOr<OnFile> MembersLoader::ReadOnFile(const std::string& name) {
  OnFile on_file;
  mv1::ListMemberEventsRequest events;
  events.set_member(name);
  events.set_page_size(1000);
  for (;;) {
    mv1::ListMemberEventsResponse response;
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return lifecycle_->ListMemberEvents(&context, events, &response);
    });
    if (!status.ok()) return CallError(absl::StrCat("reading the events of ", name), status);
    for (const mv1::MemberEvent& event : response.events()) {
      const bool opening =
          event.kind() == mv1::EVENT_KIND_PROSPECT_INTRODUCED || event.kind() == mv1::EVENT_KIND_RECORD_OPENED ||
          event.kind() == mv1::EVENT_KIND_TRANSFERRED_IN;
      if (opening) continue;
      ++on_file.lifecycle_events;
    }
    if (response.next_page_token().empty()) break;
    events.set_page_token(response.next_page_token());
  }
  mv1::ListYearlyRecordsRequest records;
  records.set_member(name);
  records.set_page_size(1000);
  for (;;) {
    mv1::ListYearlyRecordsResponse response;
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return yearly_->ListYearlyRecords(&context, records, &response);
    });
    if (!status.ok()) return CallError(absl::StrCat("reading the yearly records of ", name), status);
    for (const mv1::YearlyRecord& record : response.records()) {
      if (record.has_rating()) on_file.ratings.insert(record.rating().year());
      if (record.has_residence_feedback()) on_file.feedback.insert(record.residence_feedback().year());
      if (record.has_commitment()) on_file.commitments.insert(record.commitment().year());
      if (record.has_residence_registration()) {
        on_file.registrations.insert(record.residence_registration().registered_on());
      }
      if (record.has_training()) {
        on_file.trainings.insert(absl::StrCat(record.training().course(), "|", record.training().start_date()));
      }
    }
    if (response.next_page_token().empty()) break;
    records.set_page_token(response.next_page_token());
  }
  return on_file;
}

absl::Status MembersLoader::Send(const PlannedMember& member, const std::string& name, const Action& action) {
  const std::string& id = member.person.external_id;
  grpc::Status status;
  auto call = [&](auto&& rpc) {
    status = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return rpc(context);
    });
  };
  switch (action.kind) {
    case ActionKind::kAwarenessClass: {
      mv1::RecordAwarenessClassRequest request;
      request.set_member(name);
      request.set_completed_on(action.date);
      request.set_certificate_number(action.text);
      SetDecision(action.decision, request.mutable_certificate());
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->RecordAwarenessClass(&c, request, &response); });
      break;
    }
    case ActionKind::kDossierCompleted: {
      mv1::RecordDossierCompletedRequest request;
      request.set_member(name);
      request.set_completed_on(action.date);
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->RecordDossierCompleted(&c, request, &response); });
      break;
    }
    case ActionKind::kCellVote: {
      mv1::RecordCellAdmissionVoteRequest request;
      request.set_member(name);
      request.set_voted_on(action.date);
      request.mutable_vote()->set_in_favour(action.in_favour);
      request.mutable_vote()->set_eligible(action.eligible);
      request.mutable_vote()->set_resolution_number(action.text);
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->RecordCellAdmissionVote(&c, request, &response); });
      break;
    }
    case ActionKind::kDecideAdmission: {
      mv1::DecideAdmissionRequest request;
      request.set_member(name);
      SetDecision(action.decision, request.mutable_decision());
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->DecideAdmission(&c, request, &response); });
      break;
    }
    case ActionKind::kCeremony: {
      mv1::RecordAdmissionCeremonyRequest request;
      request.set_member(name);
      request.set_held_on(action.date);
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->RecordAdmissionCeremony(&c, request, &response); });
      break;
    }
    case ActionKind::kRecognize: {
      mv1::RecognizeOfficialRequest request;
      request.set_member(name);
      request.mutable_vote()->set_in_favour(action.in_favour);
      request.mutable_vote()->set_eligible(action.eligible);
      SetDecision(action.decision, request.mutable_decision());
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->RecognizeOfficial(&c, request, &response); });
      break;
    }
    case ActionKind::kAbandon: {
      mv1::AbandonAdmissionRequest request;
      request.set_member(name);
      request.set_effective_date(action.date);
      request.set_reason(action.text);
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->AbandonAdmission(&c, request, &response); });
      break;
    }
    case ActionKind::kStartTransfer: {
      mv1::StartTransferRequest request;
      request.set_member(name);
      mv1::Transfer* transfer = request.mutable_transfer();
      transfer->set_kind(static_cast<mv1::TransferKind>(action.number));
      if (!action.cell_code.empty()) {
        GR_ASSIGN_OR_RETURN(*transfer->mutable_destination_cell(), Org(action.cell_code));
      } else {
        transfer->set_destination_name(action.text);
      }
      transfer->set_introduced_on(action.date);
      transfer->set_planned_end(action.end_date);
      transfer->set_reason(action.text2);
      SetDecision(action.decision, request.mutable_decision());
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->StartTransfer(&c, request, &response); });
      break;
    }
    case ActionKind::kCompleteTransfer: {
      mv1::CompleteTransferRequest request;
      request.set_member(name);
      request.set_presented_on(action.date);
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->CompleteTransfer(&c, request, &response); });
      break;
    }
    case ActionKind::kEndTemporary: {
      mv1::EndTemporaryTransferRequest request;
      request.set_member(name);
      request.set_ended_on(action.date);
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->EndTemporaryTransfer(&c, request, &response); });
      break;
    }
    case ActionKind::kExempt: {
      mv1::ExemptMemberRequest request;
      request.set_member(name);
      request.set_effective_date(action.date);
      request.set_reason(action.text);
      SetDecision(action.decision, request.mutable_decision());
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->ExemptMember(&c, request, &response); });
      break;
    }
    case ActionKind::kRemove:
    case ActionKind::kLeave:
    case ActionKind::kDecease: {
      mv1::EndMembershipRequest request;
      request.set_member(name);
      request.set_kind(action.kind == ActionKind::kRemove  ? mv1::END_KIND_REMOVED
                       : action.kind == ActionKind::kLeave ? mv1::END_KIND_LEFT
                                                           : mv1::END_KIND_DECEASED);
      request.set_effective_date(action.date);
      if (action.kind == ActionKind::kRemove) {
        request.set_removal_trigger(static_cast<mv1::RemovalTrigger>(action.number));
      }
      SetDecision(action.decision, request.mutable_decision());
      request.set_note(action.text);
      mv1::Member response;
      call([&](grpc::ClientContext& c) { return lifecycle_->EndMembership(&c, request, &response); });
      break;
    }
    case ActionKind::kRegisterResidence: {
      mv1::RegisterResidenceRequest request;
      mv1::ResidenceRegistration* registration = request.mutable_registration();
      registration->set_member(name);
      GR_ASSIGN_OR_RETURN(*registration->mutable_residence_cell(), Org(action.cell_code));
      registration->set_residence_address(action.text);
      registration->set_registered_on(action.date);
      registration->set_letter_issued_on(action.end_date);
      registration->set_exemption(static_cast<mv1::ResidenceExemption>(action.number));
      registration->set_exemption_reason(action.text2);
      request.set_request_id(RequestId("res", absl::StrCat(member.person.external_id, "-", action.date)));
      mv1::ResidenceRegistration response;
      call([&](grpc::ClientContext& c) { return yearly_->RegisterResidence(&c, request, &response); });
      break;
    }
    case ActionKind::kResidenceFeedback: {
      mv1::RecordResidenceFeedbackRequest request;
      mv1::ResidenceFeedback* feedback = request.mutable_feedback();
      feedback->set_member(name);
      feedback->set_year(action.year);
      GR_ASSIGN_OR_RETURN(*feedback->mutable_residence_cell(), Org(action.cell_code));
      feedback->set_assessment(static_cast<mv1::FeedbackAssessment>(action.number));
      feedback->set_opinion(action.text);
      feedback->set_signed_by(action.text2);
      feedback->set_given_on(action.date);
      mv1::ResidenceFeedback response;
      call([&](grpc::ClientContext& c) { return yearly_->RecordResidenceFeedback(&c, request, &response); });
      break;
    }
    case ActionKind::kCommitment: {
      mv1::RecordCommitmentRequest request;
      mv1::Commitment* commitment = request.mutable_commitment();
      commitment->set_member(name);
      commitment->set_year(action.year);
      commitment->set_registered_on(action.date);
      commitment->set_content(action.text);
      mv1::Commitment response;
      call([&](grpc::ClientContext& c) { return yearly_->RecordCommitment(&c, request, &response); });
      break;
    }
    case ActionKind::kRating: {
      mv1::RateMemberRequest request;
      mv1::Rating* rating = request.mutable_rating();
      rating->set_member(name);
      rating->set_year(action.year);
      rating->set_score(action.score);
      GR_ASSIGN_OR_RETURN(*rating->mutable_cell(), Org(action.cell_code));
      SetDecision(action.decision, rating->mutable_decision());
      mv1::RateMemberResponse response;
      call([&](grpc::ClientContext& c) { return yearly_->RateMember(&c, request, &response); });
      break;
    }
    case ActionKind::kTraining: {
      mv1::RecordTrainingRequest request;
      mv1::Training* training = request.mutable_training();
      training->set_member(name);
      training->set_course(action.text);
      training->set_kind(action.text2);
      training->set_start_date(action.date);
      training->set_end_date(action.end_date);
      training->set_certificate_number(action.certificate);
      training->set_provider(action.provider);
      request.set_request_id(RequestId("trn", absl::StrCat(member.person.external_id, "-", action.date)));
      mv1::Training response;
      call([&](grpc::ClientContext& c) { return yearly_->RecordTraining(&c, request, &response); });
      break;
    }
  }
  ++calls_;
  if (!status.ok()) {
    return CallError(absl::StrCat(KindName(action.kind), " of ", id, " (", name, ") on ", action.date), status);
  }
  return absl::OkStatus();
}

absl::Status MembersLoader::LoadMember(size_t index) {
  const PlannedMember& member = plan_.members[index];
  std::string name = names_[index];
  if (!member.imported) {
    GR_ASSIGN_OR_RETURN(name, CreateProspect(member));
    names_[index] = name;
    std::lock_guard<std::mutex> lock(mutex_);
    ++report_.prospects;
  }
  if (name.empty()) {
    return absl::InternalError(absl::StrCat("the import did not report ", member.person.external_id));
  }
  OnFile on_file;
  // A member this run created has nothing on file yet; any other may have
  // part of its history from an interrupted run.
  const bool fresh = member.imported ? bool(fresh_[index]) : !report_.resumed;
  if (!fresh) {
    GR_ASSIGN_OR_RETURN(on_file, ReadOnFile(name));
  }
  int lifecycle_to_skip = on_file.lifecycle_events;
  for (size_t a = 0; a < member.actions.size(); ++a) {
    if (index == plan_.marker_member && a == plan_.marker_action) continue;  // sent last of all
    const Action& action = member.actions[a];
    if (action.IsLifecycle()) {
      if (lifecycle_to_skip > 0) {
        --lifecycle_to_skip;
        continue;
      }
    } else if (!fresh) {
      const bool done =
          (action.kind == ActionKind::kRating && on_file.ratings.count(action.year)) ||
          (action.kind == ActionKind::kResidenceFeedback && on_file.feedback.count(action.year)) ||
          (action.kind == ActionKind::kCommitment && on_file.commitments.count(action.year)) ||
          (action.kind == ActionKind::kRegisterResidence && on_file.registrations.count(action.date)) ||
          (action.kind == ActionKind::kTraining &&
           on_file.trainings.count(absl::StrCat(action.text, "|", action.date)));
      if (done) continue;
    }
    GR_RETURN_IF_ERROR(Send(member, name, action));
  }
  return absl::OkStatus();
}

absl::StatusOr<MembersLoadReport> MembersLoader::Run() {
  if (!connection_.channel()->WaitForConnected(absl::ToChronoTime(absl::Now() + options_.connect_wait))) {
    report_.unreachable = true;
    progress_ << "The membership service does not answer at " << connection_.target()
              << "; the demo's members are not loaded (start it and run `grassroots-demo load` again)." << std::endl;
    return report_;
  }
  GR_ASSIGN_OR_RETURN(const bool loaded, AlreadyLoaded());
  if (loaded) {
    report_.already_loaded = true;
    progress_ << "The demo's members are already loaded; nothing to do." << std::endl;
    return report_;
  }
  const MembersCounts counts = CountMembers(plan_);
  progress_ << "Loading the demo's members: " << counts.imported << " on file in 2020 (CSV import), "
            << counts.prospects << " prospects through the admission pipeline, " << counts.calls - counts.members
            << " lifecycle and yearly-record calls" << std::endl;
  progress_ << "[members 1/2] import of the 2020 list" << std::endl;
  GR_RETURN_IF_ERROR(Import());
  report_.resumed = report_.imported_unchanged > 0;
  if (report_.resumed) {
    progress_ << "  found members of an unfinished load: resuming each from its records" << std::endl;
  }

  if (options_.import_only) {
    progress_ << "[members 2/2] skipped: the 2020 list only (admissions and 2020-2025 history left out)" << std::endl;
    return report_;
  }
  progress_ << "[members 2/2] admissions and 2020-2025 history" << std::endl;
  const auto started = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::atomic<bool> failed{false};
  absl::Mutex error_mutex;
  absl::Status first_error;
  const size_t total = plan_.members.size();
  size_t reported_tenths = 0;
  auto worker = [&] {
    while (!failed.load()) {
      const size_t i = next.fetch_add(1);
      if (i >= total) return;
      absl::Status status = LoadMember(i);
      if (!status.ok()) {
        absl::MutexLock lock(&error_mutex);
        if (first_error.ok()) first_error = status;
        failed.store(true);
        return;
      }
      const size_t finished = done.fetch_add(1) + 1;
      std::lock_guard<std::mutex> lock(mutex_);
      const size_t tenths = finished * 10 / total;
      if (tenths > reported_tenths && finished < total) {
        reported_tenths = tenths;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        progress_ << "    members: " << finished << "/" << total << " (" << calls_.load() << " calls, "
                  << absl::StrFormat("%.0f", calls_.load() / std::max(seconds, 0.001)) << " calls/s)" << std::endl;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options_.parallelism); ++t) threads.emplace_back(worker);
  for (std::thread& thread : threads) thread.join();
  if (!first_error.ok()) return first_error;

  // Last of all, the marker: its presence tells the next run that everything is here.
  const PlannedMember& marker = plan_.members[plan_.marker_member];
  GR_RETURN_IF_ERROR(Send(marker, names_[plan_.marker_member], marker.actions[plan_.marker_action]));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report_.calls = calls_.load();
  progress_ << "  history: " << report_.calls << " calls in " << absl::StrFormat("%.1f", seconds) << " s" << std::endl;
  return report_;
}

}  // namespace

absl::StatusOr<MembersLoadReport> LoadMembers(const Connection& membership,
                                              const std::map<std::string, std::string>& organizations,
                                              const MembersPlan& plan, const MembersLoadOptions& options,
                                              std::ostream& progress) {
  MembersLoader loader(membership, organizations, plan, options, progress);
  return loader.Run();
}

}  // namespace grassroots::demo
