#include "services/demo/demo_loader.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <ostream>
#include <thread>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "grassroots/org/v1/committee.grpc.pb.h"
#include "grassroots/org/v1/meeting.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "grassroots/org/v1/recognition.grpc.pb.h"
#include "grassroots/org/v1/residential_unit.grpc.pb.h"
#include "services/cli/generic_call.h"

namespace grassroots::demo {

using cli::Connection;
using cli::DescribeStatus;
namespace {

namespace v1 = ::grassroots::org::v1;

void SetDecision(const Decision& from, grassroots::type::v1::Decision* to) {
  to->set_issuing_body(from.issuing_body);
  to->set_number(from.number);
  to->set_signed_on(from.signed_on);
}

google::protobuf::Timestamp LocalTime(const std::string& day_text, int hour, int minutes_after) {
  absl::CivilDay day;
  absl::ParseCivilTime(day_text, &day);
  absl::Time t = absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), hour, 0) + minutes_after,
                                 absl::FixedTimeZone(7 * 3600));
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(t));
}

class Loader {
 public:
  Loader(const Connection& connection, const Plan& plan, const LoadOptions& options, std::ostream& progress)
      : connection_(connection),
        plan_(plan),
        options_(options),
        progress_(progress),
        orgs_(v1::OrganizationService::NewStub(connection.channel())),
        committees_(v1::CommitteeService::NewStub(connection.channel())),
        units_(v1::ResidentialUnitService::NewStub(connection.channel())),
        meetings_(v1::MeetingService::NewStub(connection.channel())),
        recognition_(v1::RecognitionService::NewStub(connection.channel())) {}

  absl::StatusOr<LoadReport> Run();

 private:
  // ---- lookups ----
  absl::StatusOr<std::string> FindRoot();
  absl::Status RequireOnlyDemo();
  absl::Status IndexExisting(const std::string& root_name);
  std::string NameOf(const std::string& code) {
    absl::MutexLock lock(&names_mutex_);
    auto it = names_.find(code);
    return it == names_.end() ? "" : it->second;
  }
  void Remember(const std::string& code, const std::string& name) {
    absl::MutexLock lock(&names_mutex_);
    names_[code] = name;
  }
  absl::StatusOr<std::string> Require(const std::string& code) {
    std::string name = NameOf(code);
    if (name.empty()) return absl::FailedPreconditionError(absl::StrCat("organization ", code, " was not created"));
    return name;
  }
  absl::StatusOr<v1::Organization> Get(const std::string& name, const std::string& as_of = "");

  // ---- phases ----
  absl::Status CreateOrganizations(const std::vector<Org>& orgs, int& created);
  absl::Status CreateOrganization(const Org& org, int& created);
  absl::Status CreateUnits();
  absl::Status CreateTerms(const std::vector<CommitteeTerm>& terms);
  absl::Status AdoptRegulations(const std::vector<Regulation>& regulations);
  absl::Status CreateMeetings();
  absl::Status RecordRecognition();
  absl::Status Restructure();

  // Runs fn(i) for i in [0, count) on `parallelism` threads; stops at the first error.
  absl::Status ForEach(const std::string& label, size_t count, const std::function<absl::Status(size_t)>& fn);

  void Prepare(grpc::ClientContext& context) const { connection_.Prepare(context); }

  const Connection& connection_;
  const Plan& plan_;
  LoadOptions options_;
  std::ostream& progress_;
  std::unique_ptr<v1::OrganizationService::Stub> orgs_;
  std::unique_ptr<v1::CommitteeService::Stub> committees_;
  std::unique_ptr<v1::ResidentialUnitService::Stub> units_;
  std::unique_ptr<v1::MeetingService::Stub> meetings_;
  std::unique_ptr<v1::RecognitionService::Stub> recognition_;

  absl::Mutex names_mutex_;
  std::map<std::string, std::string> names_;  // org code -> resource name
  std::mutex progress_mutex_;
  LoadReport report_;
};

absl::Status Loader::ForEach(const std::string& label, size_t count, const std::function<absl::Status(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::atomic<bool> failed{false};
  absl::Mutex error_mutex;
  absl::Status first_error;
  const auto started = std::chrono::steady_clock::now();
  size_t reported_tenths = 0;
  auto worker = [&]() {
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= count) return;
      absl::Status status = fn(i);
      if (!status.ok()) {
        absl::MutexLock lock(&error_mutex);
        if (first_error.ok()) first_error = status;
        failed.store(true);
        return;
      }
      size_t finished = done.fetch_add(1) + 1;
      size_t tenths = count == 0 ? 10 : finished * 10 / count;
      std::lock_guard<std::mutex> lock(progress_mutex_);
      if (count >= 200 && tenths > reported_tenths && finished < count) {
        reported_tenths = tenths;
        progress_ << "    " << label << ": " << finished << "/" << count << std::endl;
      }
    }
  };
  std::vector<std::thread> threads;
  const int parallelism = std::max(1, std::min<int>(options_.parallelism, static_cast<int>(count)));
  for (int t = 0; t < parallelism; ++t) threads.emplace_back(worker);
  for (std::thread& thread : threads) thread.join();
  if (!first_error.ok()) return first_error;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  progress_ << "  " << label << ": " << count << " done in " << absl::StrFormat("%.1f", seconds) << " s" << std::endl;
  return absl::OkStatus();
}

absl::StatusOr<v1::Organization> Loader::Get(const std::string& name, const std::string& as_of) {
  v1::GetOrganizationRequest request;
  request.set_name(name);
  request.set_as_of_date(as_of);
  v1::Organization organization;
  grpc::Status status = WithRetry([&] {
    grpc::ClientContext context;
    Prepare(context);
    return orgs_->GetOrganization(&context, request, &organization);
  });
  if (!status.ok()) return CallError(absl::StrCat("reading ", name), status);
  return organization;
}

absl::StatusOr<std::string> Loader::FindRoot() {
  v1::ListOrganizationsRequest request;
  request.set_type(plan_.organizations.front().type);
  request.set_include_ended(true);
  request.set_page_size(1000);
  for (;;) {
    v1::ListOrganizationsResponse response;
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return orgs_->ListOrganizations(&context, request, &response);
    });
    if (!status.ok()) return CallError("looking for an existing demo root", status);
    for (const v1::Organization& org : response.organizations()) {
      if (org.code() == kRootCode) return org.name();
    }
    if (response.next_page_token().empty()) return std::string();
    request.set_page_token(response.next_page_token());
  }
}

// The demo is fictional: it goes only into a tree that is empty or holds the demo alone,
// never next to real organizations. The tree is what the token's scope shows.
absl::Status Loader::RequireOnlyDemo() {
  std::set<std::string> demo_codes;
  for (const Org& org : plan_.organizations) demo_codes.insert(org.code);
  for (const Org& org : plan_.new_organizations) demo_codes.insert(org.code);
  v1::ListOrganizationsRequest request;
  request.set_include_ended(true);
  request.set_page_size(1000);
  int foreign = 0;
  std::string example;
  for (;;) {
    v1::ListOrganizationsResponse response;
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return orgs_->ListOrganizations(&context, request, &response);
    });
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) break;  // the scope's root does not exist yet
    if (!status.ok()) return CallError("reading the tree before loading the demo", status);
    for (const v1::Organization& org : response.organizations()) {
      if (demo_codes.count(org.code()) > 0) continue;
      if (foreign++ == 0) example = absl::StrCat(org.code(), " (", org.name(), ")");
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (foreign == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to load the demo: the tree holds ", foreign, " organization(s) that are not the demo's, e.g. ", example,
      ". The demo loads only into an empty tree or one that holds the demo alone; nothing was written."));
}

absl::Status Loader::IndexExisting(const std::string& root_name) {
  Remember(kRootCode, root_name);
  // Organizations moved out or handed over are only under the root on some
  // dates, so the subtree is read as it stood before and after restructuring.
  for (const char* as_of : {"2024-12-31", "2025-06-30", ""}) {
    v1::ListOrganizationsRequest request;
    request.set_subtree_root(root_name);
    request.set_include_ended(true);
    request.set_as_of_date(as_of);
    request.set_page_size(1000);
    for (;;) {
      v1::ListOrganizationsResponse response;
      grpc::Status status = WithRetry([&] {
        grpc::ClientContext context;
        Prepare(context);
        return orgs_->ListOrganizations(&context, request, &response);
      });
      if (!status.ok()) return CallError("listing the existing demo organizations", status);
      for (const v1::Organization& org : response.organizations()) Remember(org.code(), org.name());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
  }
  return absl::OkStatus();
}

absl::Status Loader::CreateOrganization(const Org& org, int& created) {
  if (!NameOf(org.code).empty()) return absl::OkStatus();
  v1::CreateOrganizationRequest request;
  v1::Organization* organization = request.mutable_organization();
  organization->set_code(org.code);
  organization->set_display_name(org.display_name);
  organization->set_type(org.type);
  organization->set_sector(org.sector);
  organization->set_is_commune_military_cell(org.commune_military_cell);
  organization->set_established_on(org.established_on);
  if (!org.parent_code.empty()) {
    absl::StatusOr<std::string> parent = Require(org.parent_code);
    if (!parent.ok()) return parent.status();
    organization->set_parent(*parent);
  }
  request.set_effective_date(org.established_on);
  SetDecision(org.decision, request.mutable_decision());
  request.set_request_id(RequestId("org", org.code));
  v1::Organization response;
  grpc::Status status = WithRetry([&] {
    grpc::ClientContext context;
    Prepare(context);
    return orgs_->CreateOrganization(&context, request, &response);
  });
  if (!status.ok()) return CallError(absl::StrCat("creating organization ", org.code), status);
  Remember(org.code, response.name());
  std::lock_guard<std::mutex> lock(progress_mutex_);
  ++created;
  return absl::OkStatus();
}

absl::Status Loader::CreateOrganizations(const std::vector<Org>& orgs, int& created) {
  // Parents first: group by depth in the plan, create each depth in parallel.
  std::map<std::string, int> depth_of;
  std::map<int, std::vector<const Org*>> by_depth;
  for (const Org& org : orgs) {
    auto parent = depth_of.find(org.parent_code);
    int depth = org.parent_code.empty() || parent == depth_of.end() ? 0 : parent->second + 1;
    depth_of[org.code] = depth;
    by_depth[depth].push_back(&org);
  }
  for (const auto& entry : by_depth) {
    // Not a structured binding: clang 14 cannot capture one in the lambda.
    const auto& level = entry.second;
    absl::Status status = ForEach(absl::StrCat("organizations at depth ", entry.first), level.size(),
                                  [&](size_t i) { return CreateOrganization(*level[i], created); });
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status Loader::CreateUnits() {
  return ForEach("residential units", plan_.units.size(), [&](size_t i) -> absl::Status {
    const ResidentialUnit& unit = plan_.units[i];
    v1::CreateResidentialUnitRequest request;
    v1::ResidentialUnit* out = request.mutable_unit();
    out->set_code(unit.code);
    out->set_display_name(unit.display_name);
    out->set_kind(static_cast<v1::ResidentialUnitKind>(unit.kind));
    absl::StatusOr<std::string> commune = Require(unit.commune_code);
    if (!commune.ok()) return commune.status();
    out->set_commune_organization(*commune);
    if (!unit.covering_cell_code.empty()) {
      absl::StatusOr<std::string> cell = Require(unit.covering_cell_code);
      if (!cell.ok()) return cell.status();
      out->set_covering_cell(*cell);
    }
    out->mutable_head()->set_display_name(unit.head_name);
    out->mutable_front_work_committee_head()->set_display_name(unit.front_head_name);
    out->set_established_on(unit.established_on);
    out->set_households(unit.households);
    request.set_request_id(RequestId("unit", unit.code));
    v1::ResidentialUnit response;
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return units_->CreateResidentialUnit(&context, request, &response);
    });
    if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) return absl::OkStatus();  // an earlier run
    if (!status.ok()) return CallError(absl::StrCat("creating residential unit ", unit.code), status);
    std::lock_guard<std::mutex> lock(progress_mutex_);
    ++report_.units_created;
    return absl::OkStatus();
  });
}

absl::Status Loader::CreateTerms(const std::vector<CommitteeTerm>& terms) {
  return ForEach("committee terms", terms.size(), [&](size_t i) -> absl::Status {
    const CommitteeTerm& term = terms[i];
    absl::StatusOr<std::string> parent = Require(term.org_code);
    if (!parent.ok()) return parent.status();
    v1::CreateCommitteeTermRequest request;
    request.set_parent(*parent);
    v1::CommitteeTerm* out = request.mutable_term();
    out->set_label(term.label);
    out->set_starts_on(term.starts_on);
    out->set_ends_on(term.ends_on);
    out->set_elected_committee(term.elected_committee);
    out->set_seats(term.seats);
    SetDecision(term.decision, out->mutable_decision());
    request.set_request_id(RequestId("term", absl::StrCat(term.org_code, "-", term.starts_on)));
    v1::CommitteeTerm response;
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return committees_->CreateCommitteeTerm(&context, request, &response);
    });
    if (!status.ok()) return CallError(absl::StrCat("creating term ", term.label, " of ", term.org_code), status);
    std::lock_guard<std::mutex> lock(progress_mutex_);
    ++report_.terms_created;
    return absl::OkStatus();
  });
}

absl::Status Loader::AdoptRegulations(const std::vector<Regulation>& regulations) {
  // Versions of one organization must be adopted in order: group them so one
  // worker handles all versions of an organization.
  std::map<std::string, std::vector<const Regulation*>> by_org;
  for (const Regulation& regulation : regulations) by_org[regulation.org_code].push_back(&regulation);
  std::vector<std::vector<const Regulation*>> groups;
  for (auto& [code, list] : by_org) groups.push_back(list);
  return ForEach("working regulations", groups.size(), [&](size_t g) -> absl::Status {
    for (const Regulation* regulation : groups[g]) {
      absl::StatusOr<std::string> parent = Require(regulation->org_code);
      if (!parent.ok()) return parent.status();
      v1::AdoptWorkingRegulationRequest request;
      request.set_parent(*parent);
      v1::WorkingRegulation* out = request.mutable_regulation();
      out->set_version(regulation->version);
      out->set_adopted_on(regulation->adopted_on);
      out->set_title(regulation->title);
      SetDecision(regulation->decision, out->mutable_decision());
      request.set_request_id(RequestId("reg", absl::StrCat(regulation->org_code, "-v", regulation->version)));
      v1::WorkingRegulation response;
      grpc::Status status = WithRetry([&] {
        grpc::ClientContext context;
        Prepare(context);
        return orgs_->AdoptWorkingRegulation(&context, request, &response);
      });
      if (!status.ok()) {
        return CallError(absl::StrCat("adopting regulation v", regulation->version, " of ", regulation->org_code), status);
      }
      std::lock_guard<std::mutex> lock(progress_mutex_);
      ++report_.regulations_created;
    }
    return absl::OkStatus();
  });
}

absl::Status Loader::CreateMeetings() {
  const absl::Time now = absl::Now();
  return ForEach("meetings", plan_.meetings.size(), [&](size_t i) -> absl::Status {
    const Meeting& meeting = plan_.meetings[i];
    absl::StatusOr<std::string> parent = Require(meeting.org_code);
    if (!parent.ok()) return parent.status();
    v1::CreateMeetingRequest request;
    request.set_parent(*parent);
    v1::Meeting* out = request.mutable_meeting();
    out->set_kind(static_cast<v1::MeetingKind>(meeting.kind));
    out->set_mode(static_cast<v1::MeetingMode>(meeting.mode));
    out->set_online_reason(meeting.online_reason);
    out->set_topic(meeting.topic);
    *out->mutable_planned_start() = LocalTime(meeting.date, meeting.start_hour, 0);
    *out->mutable_planned_end() = LocalTime(meeting.date, meeting.start_hour, meeting.duration_minutes);
    if (google::protobuf::util::TimeUtil::TimestampToTimeT(out->planned_end()) < absl::ToTimeT(now)) {
      *out->mutable_actual_start() = LocalTime(meeting.date, meeting.start_hour, 5);
      *out->mutable_actual_end() = LocalTime(meeting.date, meeting.start_hour, 5 + meeting.duration_minutes);
      out->set_present_count(meeting.present);
      out->set_excused_count(meeting.excused);
    }
    out->set_invited_count(meeting.invited);
    request.set_request_id(RequestId("mtg", absl::StrCat(meeting.org_code, "-", meeting.request_key)));
    v1::Meeting response;
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return meetings_->CreateMeeting(&context, request, &response);
    });
    if (!status.ok()) return CallError(absl::StrCat("creating meeting ", meeting.date, " of ", meeting.org_code), status);
    std::lock_guard<std::mutex> lock(progress_mutex_);
    ++report_.meetings_created;
    return absl::OkStatus();
  });
}

absl::Status Loader::RecordRecognition() {
  absl::Status status = ForEach("new models", plan_.new_models.size(), [&](size_t i) -> absl::Status {
    const NewModel& model = plan_.new_models[i];
    absl::StatusOr<std::string> parent = Require(model.org_code);
    if (!parent.ok()) return parent.status();
    v1::RecordNewModelRequest request;
    request.set_parent(*parent);
    request.mutable_model()->set_year(model.year);
    request.mutable_model()->set_title(model.title);
    request.mutable_model()->set_description(model.description);
    SetDecision(model.recognition, request.mutable_model()->mutable_recognition());
    request.set_request_id(RequestId("model", absl::StrCat(model.org_code, "-", model.year)));
    v1::NewModel response;
    grpc::Status call = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return recognition_->RecordNewModel(&context, request, &response);
    });
    if (!call.ok()) return CallError(absl::StrCat("recording a new model of ", model.org_code), call);
    std::lock_guard<std::mutex> lock(progress_mutex_);
    ++report_.new_models_created;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;

  status = ForEach("four-good designations", plan_.four_good.size(), [&](size_t i) -> absl::Status {
    const FourGood& designation = plan_.four_good[i];
    absl::StatusOr<std::string> parent = Require(designation.org_code);
    if (!parent.ok()) return parent.status();
    v1::RecordFourGoodDesignationRequest request;
    request.set_parent(*parent);
    request.mutable_designation()->set_year(designation.year);
    request.mutable_designation()->set_kind(static_cast<v1::FourGoodKind>(designation.kind));
    SetDecision(designation.decision, request.mutable_designation()->mutable_decision());
    v1::FourGoodDesignation response;
    grpc::Status call = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return recognition_->RecordFourGoodDesignation(&context, request, &response);
    });
    if (call.error_code() == grpc::StatusCode::ALREADY_EXISTS) return absl::OkStatus();  // one per year
    if (!call.ok()) return CallError(absl::StrCat("recording four-good ", designation.year, " of ", designation.org_code), call);
    std::lock_guard<std::mutex> lock(progress_mutex_);
    ++report_.four_good_created;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;

  return ForEach("ratings", plan_.ratings.size(), [&](size_t i) -> absl::Status {
    const Rating& rating = plan_.ratings[i];
    absl::StatusOr<std::string> parent = Require(rating.org_code);
    if (!parent.ok()) return parent.status();
    v1::RateOrganizationRequest request;
    request.set_parent(*parent);
    v1::OrganizationRating* out = request.mutable_rating();
    out->set_year(rating.year);
    out->set_score(rating.score);
    out->set_disqualified(rating.disqualified);
    out->set_disqualification_reason(rating.disqualification_reason);
    SetDecision(rating.decision, out->mutable_decision());
    v1::OrganizationRating response;
    grpc::Status call = WithRetry([&] {
      grpc::ClientContext context;
      Prepare(context);
      return recognition_->RateOrganization(&context, request, &response);
    });
    // A rating recorded by an earlier run can only be replaced with its etag.
    if (call.error_code() == grpc::StatusCode::ALREADY_EXISTS) return absl::OkStatus();
    if (!call.ok()) return CallError(absl::StrCat("rating ", rating.org_code, " for ", rating.year), call);
    std::lock_guard<std::mutex> lock(progress_mutex_);
    ++report_.ratings_created;
    return absl::OkStatus();
  });
}

absl::Status Loader::Restructure() {
  absl::Status status = CreateOrganizations(plan_.new_organizations, report_.organizations_created);
  if (!status.ok()) return status;
  int applied = 0;
  for (const RestructuringStep& step : plan_.restructuring) {
    std::vector<std::string> sources;
    for (const std::string& code : step.source_codes) {
      absl::StatusOr<std::string> name = Require(code);
      if (!name.ok()) return name.status();
      sources.push_back(*name);
    }
    std::string target;
    if (!step.target_code.empty()) {
      absl::StatusOr<std::string> name = Require(step.target_code);
      if (!name.ok()) return name.status();
      target = *name;
    }
    // Skip a step an earlier (interrupted) run already applied.
    absl::StatusOr<v1::Organization> current = Get(sources.front(), step.effective_date);
    if (!current.ok()) return current.status();
    grpc::Status call;
    std::string what;
    switch (step.kind) {
      case StepKind::kHandOver: {
        if (current->state() == v1::ORGANIZATION_STATE_HANDED_OVER) continue;
        what = absl::StrCat("handing over ", step.source_codes.front(), " to ", step.target_code);
        v1::HandOverOrganizationRequest request;
        request.set_name(sources.front());
        request.set_receiving_committee(target);
        request.set_effective_date(step.effective_date);
        SetDecision(step.decision, request.mutable_decision());
        v1::Organization response;
        call = WithRetry([&] {
          grpc::ClientContext context;
          Prepare(context);
          return orgs_->HandOverOrganization(&context, request, &response);
        });
        break;
      }
      case StepKind::kMerge: {
        if (current->state() == v1::ORGANIZATION_STATE_MERGED) continue;
        what = absl::StrCat("merging ", sources.size(), " communes into ", step.target_code);
        v1::MergeOrganizationsRequest request;
        for (const std::string& source : sources) request.add_sources(source);
        request.set_target(target);
        request.set_effective_date(step.effective_date);
        SetDecision(step.decision, request.mutable_decision());
        v1::MergeOrganizationsResponse response;
        call = WithRetry([&] {
          grpc::ClientContext context;
          Prepare(context);
          return orgs_->MergeOrganizations(&context, request, &response);
        });
        break;
      }
      case StepKind::kMove: {
        if (current->parent() == target) continue;
        what = absl::StrCat("moving ", step.source_codes.front(), " under ", step.target_code);
        v1::MoveOrganizationRequest request;
        request.set_name(sources.front());
        request.set_new_parent(target);
        request.set_effective_date(step.effective_date);
        SetDecision(step.decision, request.mutable_decision());
        v1::Organization response;
        call = WithRetry([&] {
          grpc::ClientContext context;
          Prepare(context);
          return orgs_->MoveOrganization(&context, request, &response);
        });
        break;
      }
      case StepKind::kDissolve: {
        if (current->state() == v1::ORGANIZATION_STATE_DISSOLVED) continue;
        what = absl::StrCat("dissolving ", step.source_codes.front());
        v1::DissolveOrganizationRequest request;
        request.set_name(sources.front());
        request.set_effective_date(step.effective_date);
        SetDecision(step.decision, request.mutable_decision());
        v1::Organization response;
        call = WithRetry([&] {
          grpc::ClientContext context;
          Prepare(context);
          return orgs_->DissolveOrganization(&context, request, &response);
        });
        break;
      }
    }
    if (!call.ok()) return CallError(what, call);
    ++applied;
    progress_ << "    " << what << " (" << step.effective_date << ", " << step.decision.number << ")" << std::endl;
  }
  report_.restructuring_steps_applied = applied;
  progress_ << "  restructuring: " << applied << " steps applied" << std::endl;
  status = CreateTerms(plan_.new_terms);
  if (!status.ok()) return status;
  return AdoptRegulations(plan_.new_regulations);
}

absl::StatusOr<LoadReport> Loader::Run() {
  if (absl::Status only_demo = RequireOnlyDemo(); !only_demo.ok()) return only_demo;
  absl::StatusOr<std::string> root = FindRoot();
  if (!root.ok()) return root.status();
  if (!root->empty()) {
    absl::Status indexed = IndexExisting(*root);
    if (!indexed.ok()) return indexed;
    std::string district = NameOf(kDistrictCode);
    if (!district.empty()) {
      absl::StatusOr<v1::Organization> current = Get(district);
      if (!current.ok()) return current.status();
      if (current->state() == v1::ORGANIZATION_STATE_DISSOLVED) {
        report_.already_loaded = true;
        report_.root_name = *root;
        report_.organization_names = names_;
        progress_ << "The demo committee is already loaded (" << kRootCode << " is " << *root
                  << " and its 2025 restructuring is recorded); nothing to do." << std::endl;
        return report_;
      }
    }
    report_.resumed = true;
    progress_ << "Found an unfinished demo load under " << *root << "; resuming." << std::endl;
  }
  const PlanCounts counts = Count(plan_);
  progress_ << "Loading the demo committee: " << counts.organizations << " organizations (" << counts.grassroots
            << " grassroots, " << counts.cells << " cells, " << counts.party_groups << " party groups), "
            << counts.units << " residential units" << std::endl;
  progress_ << "[1/6] organizations" << std::endl;
  absl::Status status;
  if (root->empty()) {
    // The root first, alone: the caller may create a root (bootstrap of an empty
    // tree, or an administrator of another root) yet not act inside it.
    if (status = CreateOrganization(plan_.organizations.front(), report_.organizations_created); !status.ok()) {
      if (absl::IsAlreadyExists(status)) {
        return absl::PermissionDeniedError(absl::StrCat(
            "an organization with the demo root's code ", kRootCode,
            " exists but is outside the token's scope; use an administrator token scoped to it (",
            status.message(), ")"));
      }
      return status;
    }
    const std::string created_root = NameOf(kRootCode);
    absl::StatusOr<v1::Organization> visible = Get(created_root);
    if (absl::IsPermissionDenied(visible.status())) {
      const std::string id = created_root.substr(created_root.find('/') + 1);
      return absl::PermissionDeniedError(absl::StrCat(
          "created the demo root ", kRootCode, " as ", created_root,
          ", but the token's scope does not include it. Mint an administrator token for it (grassroots token mint "
          "--role admin --scope-org ",
          id, " ...) and run `grassroots-demo load` again to continue."));
    }
    if (!visible.ok()) return visible.status();
  }
  if (status = CreateOrganizations(plan_.organizations, report_.organizations_created); !status.ok()) return status;
  report_.root_name = NameOf(kRootCode);
  progress_ << "[2/6] residential units" << std::endl;
  if (status = CreateUnits(); !status.ok()) return status;
  progress_ << "[3/6] committee terms and working regulations" << std::endl;
  if (status = CreateTerms(plan_.terms); !status.ok()) return status;
  if (status = AdoptRegulations(plan_.regulations); !status.ok()) return status;
  progress_ << "[4/6] meetings" << std::endl;
  if (options_.with_meetings) {
    if (status = CreateMeetings(); !status.ok()) return status;
  } else {
    progress_ << "  skipped (--skip-meetings)" << std::endl;
  }
  progress_ << "[5/6] new models, four-good designations, ratings" << std::endl;
  if (status = RecordRecognition(); !status.ok()) return status;
  progress_ << "[6/6] restructuring of " << kRestructuringDate << std::endl;
  if (status = Restructure(); !status.ok()) return status;
  progress_ << "Done: the demo committee is " << report_.root_name << " (" << kRootCode << ")." << std::endl;
  report_.organization_names = names_;
  return report_;
}

}  // namespace

std::string RequestId(absl::string_view kind, absl::string_view key) {
  std::string id = absl::StrCat("demo-", kind, "-");
  for (char c : key) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    id.push_back(allowed ? c : '_');
  }
  if (id.size() > 64) id.resize(64);
  return id;
}

absl::StatusOr<LoadReport> Load(const Connection& connection, const Plan& plan, const LoadOptions& options,
                                std::ostream& progress) {
  Loader loader(connection, plan, options, progress);
  return loader.Run();
}

absl::Status CallError(const std::string& what, const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", DescribeStatus(status)));
}

namespace {
// RESOURCE_EXHAUSTED: the services' per-caller rate limit, which the demo's
// one admin token can reach while loading; the call never ran.
bool Transient(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE || status.error_code() == grpc::StatusCode::ABORTED ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

}  // namespace

grpc::Status WithRetry(const std::function<grpc::Status()>& call) {
  grpc::Status status;
  for (int attempt = 0; attempt < 6; ++attempt) {
    status = call();
    if (status.ok() || !Transient(status)) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
  }
  return status;
}

}  // namespace grassroots::demo
