#pragma once
// The reporting service's read model (migrations/V0001__read_model.sql): what
// the three change feeds it follows say, kept as dated rows. Each feed has one
// consumer for the generic follower (common/feed/feed_follower.h): `apply`
// decodes one change and writes it inside the follower's transaction (which
// moves the cursor too), `reset` clears everything that feed derived.
//
// Strict like the follower: a malformed resource name, date or payload is
// INVALID_ARGUMENT naming the field, a change the history cannot take is
// FAILED_PRECONDITION naming the rule; either blocks the follower at it.
//
//   org         organization (rm_org_period, rm_org_type, the org-tree projection),
//               committee_term, committee_position, meeting, working_regulation,
//               new_model, organization_rating, residential_unit,
//               residential_unit_covering (org-tree library), residential_unit_head,
//               residential_unit_head_training
//   membership  member (rm_member, rm_member_attribute_period, member-facts
//               projection), member_periods (member-facts projection),
//               member_event, residence_registration, residence_feedback,
//               commitment, rating, training
//   inspection  inspection_program, discipline_decision
#include "common/feed/feed_follower.h"
#include "services/orgtree/org_projection.h"

namespace grassroots::reporting {

// Follows the organization service's feed. `projection` (the org-tree
// library's current tree, for scope checks) must outlive the consumer.
common::feed::FeedConsumer OrgFeedConsumer(orgtree::OrgProjection& projection);

// Follows the membership service's feed.
common::feed::FeedConsumer MembershipFeedConsumer();
// The resource type of a cell's monthly dues totals on membership's feed
// (grassroots.membership.v1.DuesCellMonth), kept in rm_dues_cell_month.
inline constexpr char kDuesCellMonthResource[] = "dues_cell_month";

// Follows the inspection service's feed.
common::feed::FeedConsumer InspectionFeedConsumer();

// FAILED_PRECONDITION reason of an organization change dated before the
// organization's open period (its history would have to be rewritten).
inline constexpr char kOrgChangeBeforeOpenPeriod[] = "ORG_CHANGE_BEFORE_OPEN_PERIOD";

}  // namespace grassroots::reporting
