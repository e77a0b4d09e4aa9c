#include "services/memberfacts/member_facts_follower.h"

#include <utility>

#include "common/status/status.h"
#include "services/memberfacts/member_facts.h"
#include "services/memberfacts/member_facts_projection.h"

namespace grassroots::memberfacts {
namespace {

common::feed::FeedConsumer MemberFactsConsumer() {
  common::feed::FeedConsumer consumer;
  consumer.resource_types = {kMemberResource, kMemberPeriodsResource};
  consumer.apply = &ApplyMembershipChange;
  consumer.reset = &MemberFactsProjection::Clear;
  return consumer;
}

}  // namespace

absl::Status ApplyMembershipChange(common::db::Session& session, const grassroots::feed::v1::Change& change) {
  if (change.resource_type() == kMemberResource) {
    GR_ASSIGN_OR_RETURN(const ProjectedMember member, DecodeMemberFacts(change));
    return MemberFactsProjection::StoreMember(session, member, change.sequence());
  }
  if (change.resource_type() == kMemberPeriodsResource) {
    GR_ASSIGN_OR_RETURN(const ProjectedPeriods periods, DecodeMemberPeriods(change));
    return MemberFactsProjection::ReplacePeriods(session, periods, change.sequence());
  }
  return absl::InvalidArgumentError("not a resource type the member-facts projection keeps");
}

common::feed::FeedFollowerOptions MemberFactsFollowerDefaults() {
  common::feed::FeedFollowerOptions options;
  options.source = "membership";
  options.feed_name = "membership";
  options.operation_prefix = "memberfacts.projection";
  return options;
}

MemberFactsFollower::MemberFactsFollower(std::shared_ptr<grpc::Channel> channel,
                                         common::feed::BearerTokenProvider token, common::db::ConnectionPool& pool,
                                         std::shared_ptr<prometheus::Registry> registry,
                                         common::feed::FeedFollowerOptions options)
    : follower_(std::move(channel), std::move(token), pool, MemberFactsConsumer(), std::move(registry),
                std::move(options)) {}

}  // namespace grassroots::memberfacts
