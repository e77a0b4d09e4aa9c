#include "services/orgtree/org_feed_follower.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/orgtree/residential_units.h"

namespace grassroots::orgtree {
namespace {

namespace feedpb = grassroots::feed::v1;
namespace orgpb = grassroots::org::v1;

constexpr char kOrganizationType[] = "organization";

// Organizations, residential units and their covering periods go to the
// projection; the owning service's hook follows an organization change.
common::feed::FeedConsumer OrgTreeConsumer(OrgProjection& projection, OrganizationChangeHook hook) {
  common::feed::FeedConsumer consumer;
  consumer.resource_types = {kOrganizationType, kResidentialUnitResource, kUnitCoveringResource};
  consumer.apply = [&projection](common::db::Session& session, const feedpb::Change& change) -> absl::Status {
    const std::string& type = change.resource_type();
    if (type == kOrganizationType) {
      GR_ASSIGN_OR_RETURN(const orgpb::OrganizationChange decoded, DecodeOrganizationChange(change));
      return projection.ApplyOrganization(session, change.sequence(), decoded.organization());
    }
    if (type == kResidentialUnitResource) {
      GR_ASSIGN_OR_RETURN(const ProjectedResidentialUnit unit, DecodeResidentialUnit(change));
      return StoreResidentialUnit(session, unit, change.sequence());
    }
    GR_ASSIGN_OR_RETURN(const ProjectedCovering covering, DecodeCovering(change));
    return StoreCovering(session, covering, change.sequence());
  };
  if (hook) {
    consumer.react = [hook = std::move(hook)](common::db::Session& session,
                                              const feedpb::Change& change) -> absl::Status {
      if (change.resource_type() != kOrganizationType) return absl::OkStatus();
      // Decoded once already by `apply`, in this transaction: it cannot fail here.
      GR_ASSIGN_OR_RETURN(const orgpb::OrganizationChange decoded, DecodeOrganizationChange(change));
      return hook(session, decoded);
    };
  }
  consumer.reset = &OrgProjection::Clear;
  return consumer;
}

}  // namespace

absl::StatusOr<orgpb::OrganizationChange> DecodeOrganizationChange(const feedpb::Change& change) {
  orgpb::OrganizationChange decoded;
  if (change.resource().Is<orgpb::OrganizationChange>()) {
    if (!change.resource().UnpackTo(&decoded)) return absl::InvalidArgumentError("unreadable OrganizationChange");
    if (!decoded.has_organization()) return absl::InvalidArgumentError("OrganizationChange without its organization");
    return decoded;
  }
  if (change.resource().Is<orgpb::Organization>()) {
    orgpb::Organization* organization = decoded.mutable_organization();
    if (!change.resource().UnpackTo(organization)) return absl::InvalidArgumentError("unreadable Organization");
    decoded.mutable_event()->set_organization(organization->name());
    orgpb::OrganizationFacts* after = decoded.mutable_after();
    after->set_parent(organization->parent());
    after->set_display_name(organization->display_name());
    after->set_type(organization->type());
    after->set_sector(organization->sector());
    after->set_state(organization->state());
    return decoded;
  }
  return absl::InvalidArgumentError(absl::StrCat("resource is ", change.resource().type_url(),
                                                 ", not grassroots.org.v1.OrganizationChange or Organization"));
}

OrgFeedFollower::OrgFeedFollower(std::shared_ptr<grpc::Channel> channel, std::shared_ptr<ServiceToken> token,
                                 common::db::ConnectionPool& pool, OrgProjection& projection,
                                 std::shared_ptr<prometheus::Registry> registry, OrgFeedFollowerOptions options) {
  common::feed::FeedFollowerOptions generic;
  generic.source = std::move(options.source);
  generic.feed_name = "organization";
  generic.operation_prefix = "orgtree.projection";
  generic.initial_backoff = options.initial_backoff;
  generic.max_backoff = options.max_backoff;
  generic.head_poll_interval = options.head_poll_interval;
  generic.call_deadline = options.call_deadline;
  follower_ = std::make_unique<common::feed::FeedFollower>(
      std::move(channel), [token = std::move(token)] { return token->Get(); }, pool,
      OrgTreeConsumer(projection, std::move(options.on_organization_change)), std::move(registry),
      std::move(generic));
}

OrgFeedFollower::~OrgFeedFollower() = default;

void OrgFeedFollower::Start() { follower_->Start(); }

void OrgFeedFollower::Stop() { follower_->Stop(); }

bool OrgFeedFollower::Ready() const { return follower_->Ready(); }

int64_t OrgFeedFollower::HandledSequence() const { return follower_->HandledSequence(); }

bool OrgFeedFollower::WaitUntilHandled(int64_t sequence, std::chrono::milliseconds timeout) const {
  return follower_->WaitUntilHandled(sequence, timeout);
}

OrgFeedFollower::Blocked OrgFeedFollower::BlockedAt() const { return follower_->BlockedAt(); }

}  // namespace grassroots::orgtree
