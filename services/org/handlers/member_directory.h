#pragma once
// Org's client of the membership service: a unit head who names a member is linked only
// after membership confirms that member is a party member (probationary or official) on
// the day the head takes the post. The call is made before the write's transaction, so a
// membership service that is down or slow means UNAVAILABLE and nothing written.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "grassroots/membership/v1/member.grpc.pb.h"
#include "services/orgtree/service_token.h"

namespace grassroots::org {

class MemberDirectory {
 public:
  virtual ~MemberDirectory() = default;
  // OK when members/{member_id} is a party member on `day`. No such member:
  // INVALID_ARGUMENT(field); not a party member that day: FAILED_PRECONDITION
  // HEAD_NOT_A_PARTY_MEMBER; membership unreachable or slow: UNAVAILABLE; our
  // credentials refused: INTERNAL (logged, a misconfiguration of org).
  virtual absl::Status RequirePartyMember(int64_t member_id, absl::CivilDay day, std::string_view field) = 0;
};

// The answer when org runs without a membership target: naming a member cannot be
// confirmed, so it is refused (FAILED_PRECONDITION MEMBERSHIP_NOT_CONFIGURED).
absl::Status MembershipNotConfigured(std::string_view field);

// MemberDirectory over grassroots.membership.v1.MemberService/GetMember, presenting
// org's service token for the membership service (see orgtree/service_token.h).
class GrpcMemberDirectory final : public MemberDirectory {
 public:
  GrpcMemberDirectory(std::shared_ptr<grpc::Channel> channel, std::shared_ptr<orgtree::ServiceToken> token,
                      std::chrono::milliseconds deadline);
  absl::Status RequirePartyMember(int64_t member_id, absl::CivilDay day, std::string_view field) override;

 private:
  std::unique_ptr<grassroots::membership::v1::MemberService::Stub> stub_;
  std::shared_ptr<orgtree::ServiceToken> token_;
  std::chrono::milliseconds deadline_;
};

}  // namespace grassroots::org
