// How a feed entry of resource type "organization" becomes the change the
// follower applies: the OrganizationChange payload as it is, the legacy
// Organization payload synthesised into one, anything else refused (pure).
#include "services/orgtree/org_feed_follower.h"

#include <gtest/gtest.h>

namespace grassroots::orgtree {
namespace {

namespace feedpb = grassroots::feed::v1;
namespace orgpb = grassroots::org::v1;

orgpb::Organization Cell() {
  orgpb::Organization org;
  org.set_name("organizations/7");
  org.set_parent("organizations/3");
  org.set_display_name("Chi bộ thôn 7");
  org.set_type("CHI_BO_TRUC_THUOC");
  org.set_is_cell(true);
  org.set_state(orgpb::ORGANIZATION_STATE_ACTIVE);
  org.set_established_on("2015-01-01");
  return org;
}

TEST(DecodeOrganizationChangeTest, AnOrganizationChangeIsTakenAsItIs) {
  orgpb::OrganizationChange sent;
  *sent.mutable_organization() = Cell();
  sent.mutable_event()->set_kind(orgpb::ORGANIZATION_EVENT_KIND_DISSOLVED);
  sent.mutable_event()->set_effective_date("2026-07-01");
  sent.set_member_successor("organizations/8");
  feedpb::Change change;
  change.set_resource_type("organization");
  change.mutable_resource()->PackFrom(sent);

  absl::StatusOr<orgpb::OrganizationChange> decoded = DecodeOrganizationChange(change);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->SerializeAsString(), sent.SerializeAsString());
}

TEST(DecodeOrganizationChangeTest, TheLegacyOrganizationPayloadIsSynthesisedIntoAChange) {
  feedpb::Change change;
  change.set_resource_type("organization");
  change.mutable_resource()->PackFrom(Cell());

  absl::StatusOr<orgpb::OrganizationChange> decoded = DecodeOrganizationChange(change);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->organization().name(), "organizations/7");
  EXPECT_TRUE(decoded->organization().is_cell());
  EXPECT_EQ(decoded->event().organization(), "organizations/7");
  EXPECT_EQ(decoded->event().kind(), orgpb::ORGANIZATION_EVENT_KIND_UNSPECIFIED) << "the legacy entry has no event";
  EXPECT_EQ(decoded->after().parent(), "organizations/3");
  EXPECT_EQ(decoded->after().type(), "CHI_BO_TRUC_THUOC");
  EXPECT_EQ(decoded->after().state(), orgpb::ORGANIZATION_STATE_ACTIVE);
  EXPECT_FALSE(decoded->has_before());
}

TEST(DecodeOrganizationChangeTest, OtherPayloadsAndChangesWithoutTheOrganizationAreRefused) {
  feedpb::Change other;
  other.mutable_resource()->PackFrom(feedpb::FeedHead());
  EXPECT_EQ(DecodeOrganizationChange(other).status().code(), absl::StatusCode::kInvalidArgument);

  feedpb::Change empty_change;
  empty_change.mutable_resource()->PackFrom(orgpb::OrganizationChange());
  EXPECT_EQ(DecodeOrganizationChange(empty_change).status().code(), absl::StatusCode::kInvalidArgument);

  feedpb::Change garbled;
  garbled.mutable_resource()->set_type_url("type.googleapis.com/grassroots.org.v1.Organization");
  garbled.mutable_resource()->set_value("\xff\xff\xff");
  EXPECT_EQ(DecodeOrganizationChange(garbled).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BlockReasonLabelTest, EveryReasonHasAFixedLabel) {
  EXPECT_EQ(BlockReasonLabel(BlockReason::kNone), "none");
  EXPECT_EQ(BlockReasonLabel(BlockReason::kBadChange), "bad_change");
  EXPECT_EQ(BlockReasonLabel(BlockReason::kHookFailed), "hook_failed");
  EXPECT_EQ(BlockReasonLabel(BlockReason::kApplyError), "apply_error");
  EXPECT_EQ(BlockReasonLabel(BlockReason::kCursorAhead), "cursor_ahead");
  EXPECT_EQ(BlockReasonLabel(BlockReason::kFeedDiverged), "feed_diverged");
}

}  // namespace
}  // namespace grassroots::orgtree
