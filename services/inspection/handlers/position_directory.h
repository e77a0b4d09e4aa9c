#pragma once
// Whether a member held a committee position on a day, asked of the org
// service (it keeps committee terms and positions). Used before a dismissal
// (cách chức) is recorded: org down or slow → UNAVAILABLE, nothing written.
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "grassroots/org/v1/committee.grpc.pb.h"
#include "services/orgtree/service_token.h"

namespace grassroots::inspection {

class PositionDirectory {
 public:
  virtual ~PositionDirectory() = default;
  // position: "organizations/{o}/committeeTerms/{t}/positions/{p}"; member: "members/{m}".
  // INVALID_ARGUMENT naming field for a malformed or unknown position.
  virtual absl::StatusOr<bool> HeldOn(const std::string& position, const std::string& member, absl::CivilDay day,
                                      std::string_view field) = 0;
};

class GrpcPositionDirectory final : public PositionDirectory {
 public:
  GrpcPositionDirectory(std::shared_ptr<grpc::Channel> org, std::shared_ptr<orgtree::ServiceToken> token,
                        std::chrono::milliseconds deadline);
  absl::StatusOr<bool> HeldOn(const std::string& position, const std::string& member, absl::CivilDay day,
                              std::string_view field) override;

 private:
  std::unique_ptr<grassroots::org::v1::CommitteeService::Stub> committees_;
  std::shared_ptr<orgtree::ServiceToken> token_;
  std::chrono::milliseconds deadline_;
};

}  // namespace grassroots::inspection
