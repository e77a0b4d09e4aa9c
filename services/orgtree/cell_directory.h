#pragma once
// Asks the organization service whether an organization is a cell that exists
// and is active on a date. A service's writes that place someone or something
// in a cell call it before they write anything; when the organization service
// cannot answer within the deadline the write fails with UNAVAILABLE.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "services/orgtree/service_token.h"

namespace grassroots::orgtree {

class CellDirectory {
 public:
  virtual ~CellDirectory() = default;
  // OK when organizations/{cell_id} is a cell active on `day`. NOT_FOUND →
  // INVALID_ARGUMENT(field) "no such organization"; not a cell / not active →
  // FAILED_PRECONDITION (reasons NOT_A_CELL, ORGANIZATION_NOT_ACTIVE);
  // organization service down or slow → UNAVAILABLE.
  virtual absl::Status RequireActiveCell(int64_t cell_id, absl::CivilDay day, std::string_view field) = 0;
};

// The rule RequireActiveCell applies to the organization as the organization
// service shows it on `day`: a cell whose life [established_on, ended_on)
// covers the day (an organization with no end date must be ACTIVE).
absl::Status CheckActiveCell(const grassroots::org::v1::Organization& organization, absl::CivilDay day,
                             std::string_view field);
// How a failed GetOrganization call reaches the calling service's caller (see
// RequireActiveCell); credentials refused by the organization service are a
// misconfiguration of this service (INTERNAL, logged), not the caller's fault.
absl::Status MapOrganizationCallError(const grpc::Status& status, std::string_view field);

// CellDirectory over grassroots.org.v1.OrganizationService/GetOrganization.
class GrpcCellDirectory final : public CellDirectory {
 public:
  GrpcCellDirectory(std::shared_ptr<grpc::Channel> channel, std::shared_ptr<ServiceToken> token,
                    std::chrono::milliseconds deadline);
  absl::Status RequireActiveCell(int64_t cell_id, absl::CivilDay day, std::string_view field) override;
 private:
  std::unique_ptr<grassroots::org::v1::OrganizationService::Stub> stub_;
  std::shared_ptr<ServiceToken> token_;
  std::chrono::milliseconds deadline_;
};

}  // namespace grassroots::orgtree
