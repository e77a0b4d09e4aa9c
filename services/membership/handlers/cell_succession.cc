#include "services/membership/handlers/cell_succession.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/api.h"
#include "common/status/status.h"
#include "services/membership/handlers/member_access.h"
#include "services/membership/handlers/member_writer.h"

namespace grassroots::membership {
namespace {

namespace orgv1 = ::grassroots::org::v1;

// Who the lifecycle events and audit entries name as their author.
constexpr char kActor[] = "system:cell-succession";

bool EndsCell(orgv1::OrganizationEventKind kind) {
  return kind == orgv1::ORGANIZATION_EVENT_KIND_MERGED || kind == orgv1::ORGANIZATION_EVENT_KIND_SPLIT ||
         kind == orgv1::ORGANIZATION_EVENT_KIND_DISSOLVED || kind == orgv1::ORGANIZATION_EVENT_KIND_HANDED_OVER;
}

absl::StatusOr<domain::CellEnding> EndingOf(const orgv1::OrganizationChange& change) {
  const orgv1::OrganizationEvent& event = change.event();
  domain::CellEnding ending;
  GR_ASSIGN_OR_RETURN(ending.cell_id, ParseOrgName(event.organization(), "event.organization"));
  GR_ASSIGN_OR_RETURN(ending.effective_date, common::api::ParseDate(event.effective_date(), "event.effective_date"));
  grassroots::type::v1::Decision decision;
  decision.set_issuing_body(event.decision().issuing_body());
  decision.set_number(event.decision().number());
  decision.set_signed_on(event.decision().signed_on());
  GR_ASSIGN_OR_RETURN(ending.decision, DecisionFromProto(decision, "event.decision", /*required=*/false));
  ending.handed_over = event.kind() == orgv1::ORGANIZATION_EVENT_KIND_HANDED_OVER;
  const std::string& successor =
      !change.member_successor().empty() ? change.member_successor() : event.member_successor();
  if (!successor.empty() && !ending.handed_over) {
    GR_ASSIGN_OR_RETURN(ending.successor_cell_id, ParseOrgName(successor, "member_successor"));
  }
  return ending;
}

}  // namespace

orgtree::OrganizationChangeHook MakeCellSuccessionHook(HandlerContext& ctx) {
  return [&ctx](common::db::Session& session, const orgv1::OrganizationChange& change) -> absl::Status {
    if (!EndsCell(change.event().kind())) return absl::OkStatus();
    GR_ASSIGN_OR_RETURN(const domain::CellEnding ending, EndingOf(change));
    if (ending.successor_cell_id) {
      // Org writes the successor's own change first (a split's new cells come
      // before the split), so the projection holds it by now.
      GR_ASSIGN_OR_RETURN(const auto successor, ctx.projection.Find(session, *ending.successor_cell_id));
      if (!successor) {
        return common::Reasoned(absl::StatusCode::kFailedPrecondition, "SUCCESSOR_NOT_PROJECTED",
                                absl::StrCat("the member successor ", OrgName(*ending.successor_cell_id), " of ",
                                             OrgName(ending.cell_id), " is not in the organization projection"));
      }
    }
    GR_ASSIGN_OR_RETURN(const std::vector<int64_t> members,
                        ctx.events.MembersPlacedIn(session, ending.cell_id, ending.effective_date));
    const common::feed::WriteContext write{kActor, /*request_id=*/""};
    for (const int64_t member_id : members) {
      GR_RETURN_IF_ERROR(FollowCellEnding(ctx, session, write, member_id, ending).status());
    }
    return absl::OkStatus();
  };
}

}  // namespace grassroots::membership
