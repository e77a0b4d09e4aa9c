#pragma once
// Members follow their cell: membership's reaction to an organization change
// that ends a cell (MERGED, SPLIT, DISSOLVED, HANDED_OVER), run by the
// org-tree follower inside the transaction that applies the change.
#include "services/membership/handlers/handler_context.h"
#include "services/orgtree/org_feed_follower.h"

namespace grassroots::membership {

// For every member whose own cell, or host cell, was the ended cell on the
// effective date (member_periods), records the dated event of
// domain::PlanCellSuccession: moved to the decision's member_successor,
// "to be placed" when none is named, or out of the tree with a handed-over
// cell. Recorded by "system:cell-succession", with org's decision.
//
// Idempotent: a replay of org's feed (the follower rebuilds its projection
// from sequence 0) finds the members already moved (not in the ended cell on
// that day any more, and the ending is in their log), so nobody moves twice.
// Errors block the follower at the change (it retries): INVALID_ARGUMENT for
// an unreadable change, FAILED_PRECONDITION SUCCESSOR_NOT_PROJECTED for a
// successor the projection does not hold, and the lifecycle's own refusals.
orgtree::OrganizationChangeHook MakeCellSuccessionHook(HandlerContext& ctx);

}  // namespace grassroots::membership
