#include "services/demo/demo_facts_loader.h"

#include <functional>
#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "grassroots/membership/v1/yearly_records.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "grassroots/org/v1/residential_unit.grpc.pb.h"
#include "services/demo/demo_loader.h"

namespace grassroots::demo {
namespace {

namespace v1 = ::grassroots::org::v1;

void SetDecision(const Decision& from, grassroots::type::v1::Decision* to) {
  to->set_issuing_body(from.issuing_body);
  to->set_number(from.number);
  to->set_signed_on(from.signed_on);
}

// The membership training post for a unit head's post (UnitHeadPost 1..3).
mv1::TrainingPost TrainingPostOfHead(int post) {
  switch (post) {
    case v1::UNIT_HEAD_POST_VILLAGE_HEAD: return mv1::TRAINING_POST_VILLAGE_HEAD;
    case v1::UNIT_HEAD_POST_RESIDENTIAL_GROUP_HEAD: return mv1::TRAINING_POST_RESIDENTIAL_GROUP_HEAD;
    default: return mv1::TRAINING_POST_FRONT_WORK_COMMITTEE_HEAD;
  }
}

class FactsLoader {
 public:
  FactsLoader(const cli::Connection& org, const cli::Connection& membership,
              const std::map<std::string, std::string>& organizations, const FactsPlan& plan, std::ostream& progress)
      : org_(org),
        membership_(membership),
        organizations_(organizations),
        plan_(plan),
        progress_(progress),
        orgs_(v1::OrganizationService::NewStub(org.channel())),
        units_(v1::ResidentialUnitService::NewStub(org.channel())),
        members_(mv1::MemberService::NewStub(membership.channel())),
        yearly_(mv1::YearlyRecordService::NewStub(membership.channel())) {}

  absl::StatusOr<FactsLoadReport> Run() {
    GR_ASSIGN_OR_RETURN(const std::string source, Organization(plan_.merge.source_code));
    GR_ASSIGN_OR_RETURN(const std::string target, Organization(plan_.merge.target_code));
    v1::GetOrganizationRequest get;
    get.set_name(source);
    get.set_as_of_date(plan_.merge.effective_date);
    v1::Organization current;
    GR_RETURN_IF_ERROR(Call("reading the cell to merge", [&](grpc::ClientContext& c) {
      return orgs_->GetOrganization(&c, get, &current);
    }, org_));
    if (current.state() == v1::ORGANIZATION_STATE_MERGED) {
      report_.already_recorded = true;
      progress_ << "  the heads, post trainings and the 2026 cell merge are already recorded" << std::endl;
      return report_;
    }
    GR_RETURN_IF_ERROR(IndexUnits());
    progress_ << "  heads of residential units: " << plan_.heads.size() << " successions" << std::endl;
    for (const HeadSuccession& head : plan_.heads) GR_RETURN_IF_ERROR(AssignHead(head));
    progress_ << "  training for committee posts: " << plan_.post_trainings.size() << std::endl;
    for (const CommitteePostTraining& training : plan_.post_trainings) {
      GR_ASSIGN_OR_RETURN(const std::string member, Member(training.member_citizen_id, training.member_external_id));
      GR_RETURN_IF_ERROR(RecordPostTraining(member, static_cast<mv1::TrainingPost>(training.post), training.training,
                                            training.org_code));
    }
    progress_ << "  merging " << plan_.merge.source_code << " into " << plan_.merge.target_code << " on "
              << plan_.merge.effective_date << std::endl;
    for (const CoveringChange& change : plan_.coverings) GR_RETURN_IF_ERROR(AssignCovering(change));
    v1::MergeOrganizationsRequest merge;
    merge.add_sources(source);
    merge.set_target(target);
    merge.set_effective_date(plan_.merge.effective_date);
    SetDecision(plan_.merge.decision, merge.mutable_decision());
    v1::MergeOrganizationsResponse merged;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("merging ", plan_.merge.source_code, " into ", plan_.merge.target_code),
                            [&](grpc::ClientContext& c) { return orgs_->MergeOrganizations(&c, merge, &merged); },
                            org_));
    report_.merged = true;
    return report_;
  }

 private:
  absl::Status Call(const std::string& what, const std::function<grpc::Status(grpc::ClientContext&)>& call,
                    const cli::Connection& connection) {
    grpc::Status status = WithRetry([&] {
      grpc::ClientContext context;
      connection.Prepare(context);
      return call(context);
    });
    if (!status.ok()) return CallError(what, status);
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Organization(const std::string& code) const {
    auto it = organizations_.find(code);
    if (it == organizations_.end()) return absl::FailedPreconditionError(absl::StrCat("organization ", code, " was not created"));
    return it->second;
  }

  // Units are listed by the commune that holds them on a date: the communes merged in
  // 2025 hold theirs in the tree only before that.
  absl::Status IndexUnits() {
    GR_ASSIGN_OR_RETURN(const std::string root, Organization(kRootCode));
    for (const char* as_of : {"2024-12-31", ""}) {
      v1::ListResidentialUnitsRequest request;
      request.set_subtree_root(root);
      request.set_as_of_date(as_of);
      request.set_page_size(1000);
      for (;;) {
        v1::ListResidentialUnitsResponse response;
        GR_RETURN_IF_ERROR(Call("listing the demo's residential units", [&](grpc::ClientContext& c) {
          return units_->ListResidentialUnits(&c, request, &response);
        }, org_));
        for (const v1::ResidentialUnit& unit : response.units()) units_by_code_[unit.code()] = unit.name();
        if (response.next_page_token().empty()) break;
        request.set_page_token(response.next_page_token());
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Unit(const std::string& code) const {
    auto it = units_by_code_.find(code);
    if (it == units_by_code_.end()) return absl::FailedPreconditionError(absl::StrCat("residential unit ", code, " was not created"));
    return it->second;
  }

  // The member's resource name, found by citizen ID (external ids are the import's own key).
  absl::StatusOr<std::string> Member(const std::string& citizen_id, const std::string& external_id) {
    mv1::LookupMemberRequest request;
    request.set_citizen_id(citizen_id);
    mv1::Member member;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("finding the demo member ", external_id), [&](grpc::ClientContext& c) {
      return members_->LookupMember(&c, request, &member);
    }, membership_));
    return member.name();
  }

  absl::Status AssignHead(const HeadSuccession& planned) {
    GR_ASSIGN_OR_RETURN(const std::string unit, Unit(planned.unit_code));
    v1::AssignUnitHeadRequest request;
    request.set_unit(unit);
    v1::UnitHead* head = request.mutable_head();
    head->set_post(static_cast<v1::UnitHeadPost>(planned.post));
    head->set_display_name(planned.display_name);
    std::string member;
    if (!planned.member_external_id.empty()) {
      GR_ASSIGN_OR_RETURN(member, Member(planned.member_citizen_id, planned.member_external_id));
      head->set_is_party_member(true);
      head->set_member(member);
    }
    head->set_valid_from(planned.valid_from);
    SetDecision(planned.decision, head->mutable_decision());
    const std::string key = absl::StrCat(planned.unit_code, "-", planned.post, "-", planned.valid_from);
    request.set_request_id(RequestId("head", key));
    v1::UnitHead assigned;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("assigning a head of ", planned.unit_code, " from ", planned.valid_from),
                            [&](grpc::ClientContext& c) { return units_->AssignUnitHead(&c, request, &assigned); },
                            org_));
    ++report_.heads_assigned;
    if (!member.empty()) ++report_.member_heads;
    if (!planned.trained) return absl::OkStatus();
    if (!member.empty()) return RecordPostTraining(member, TrainingPostOfHead(planned.post), planned.training, planned.unit_code);

    v1::RecordHeadTrainingRequest training;
    training.set_parent(assigned.name());
    v1::HeadTraining* out = training.mutable_training();
    out->set_post(static_cast<v1::UnitHeadPost>(planned.post));
    out->set_course(planned.training.course);
    out->set_start_date(planned.training.start_date);
    out->set_end_date(planned.training.end_date);
    out->set_term_starts_on(planned.training.term_starts_on);
    out->set_term_ends_on(planned.training.term_ends_on);
    out->set_certificate_number(planned.training.certificate);
    out->set_provider(planned.training.provider);
    training.set_request_id(RequestId("htrn", key));
    v1::HeadTraining recorded;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("recording the training of a head of ", planned.unit_code),
                            [&](grpc::ClientContext& c) { return units_->RecordHeadTraining(&c, training, &recorded); },
                            org_));
    ++report_.head_trainings;
    return absl::OkStatus();
  }

  absl::Status RecordPostTraining(const std::string& member, mv1::TrainingPost post, const PostCourse& course,
                                  const std::string& where) {
    mv1::RecordTrainingRequest request;
    mv1::Training* training = request.mutable_training();
    training->set_member(member);
    training->set_kind("POST_TRAINING");
    training->set_post(post);
    training->set_course(course.course);
    training->set_start_date(course.start_date);
    training->set_end_date(course.end_date);
    training->set_term_starts_on(course.term_starts_on);
    training->set_term_ends_on(course.term_ends_on);
    training->set_certificate_number(course.certificate);
    training->set_provider(course.provider);
    request.set_request_id(RequestId("ptrn", absl::StrCat(where, "-", static_cast<int>(post), "-", course.start_date)));
    mv1::Training response;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("recording a post training (", where, ")"), [&](grpc::ClientContext& c) {
      return yearly_->RecordTraining(&c, request, &response);
    }, membership_));
    ++report_.post_trainings;
    return absl::OkStatus();
  }

  absl::Status AssignCovering(const CoveringChange& change) {
    GR_ASSIGN_OR_RETURN(const std::string unit, Unit(change.unit_code));
    GR_ASSIGN_OR_RETURN(const std::string cell, Organization(change.cell_code));
    v1::AssignCoveringCellRequest request;
    request.set_unit(unit);
    request.set_cell(cell);
    request.set_effective_date(change.effective_date);
    SetDecision(change.decision, request.mutable_decision());
    request.set_request_id(RequestId("cover", absl::StrCat(change.unit_code, "-", change.effective_date)));
    v1::CoveringPeriod period;
    GR_RETURN_IF_ERROR(Call(absl::StrCat("covering ", change.unit_code, " by ", change.cell_code), [&](grpc::ClientContext& c) {
      return units_->AssignCoveringCell(&c, request, &period);
    }, org_));
    ++report_.coverings_assigned;
    return absl::OkStatus();
  }

  const cli::Connection& org_;
  const cli::Connection& membership_;
  const std::map<std::string, std::string>& organizations_;
  const FactsPlan& plan_;
  std::ostream& progress_;
  std::unique_ptr<v1::OrganizationService::Stub> orgs_;
  std::unique_ptr<v1::ResidentialUnitService::Stub> units_;
  std::unique_ptr<mv1::MemberService::Stub> members_;
  std::unique_ptr<mv1::YearlyRecordService::Stub> yearly_;
  std::map<std::string, std::string> units_by_code_;
  FactsLoadReport report_;
};

}  // namespace

absl::StatusOr<FactsLoadReport> LoadFacts(const cli::Connection& org, const cli::Connection& membership,
                                          const std::map<std::string, std::string>& organizations,
                                          const FactsPlan& plan, std::ostream& progress) {
  return FactsLoader(org, membership, organizations, plan, progress).Run();
}

}  // namespace grassroots::demo
