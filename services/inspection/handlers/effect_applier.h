#pragma once
// Applies one effect of a discipline decision in the service that owns the
// data: membership (expulsion, reinstatement) or org (end of a committee
// position, dissolution). Every application is safe to repeat: an expulsion
// carries the effect's key as the request id (membership answers a retry with
// the stored result), and the others first read whether the target already
// shows the effect (the position ended, the organization dissolved on the
// decision's date) and then act; an organization dissolved on another date was
// dissolved by another decision, and the effect is refused for an operator; a
// reinstatement carries the key too, and membership leaves an expulsion
// already voided as it is. A retry after a crash changes nothing twice.
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "grassroots/inspection/v1/inspection.pb.h"
#include "grassroots/membership/v1/lifecycle.grpc.pb.h"
#include "grassroots/org/v1/committee.grpc.pb.h"
#include "grassroots/org/v1/organization.grpc.pb.h"
#include "services/inspection/store/discipline_store.h"
#include "services/orgtree/service_token.h"

namespace grassroots::inspection {

// How an attempt ended, for the worker.
enum class EffectOutcome {
  kApplied,
  kRetry,    // the other service is down, slow, or refused our credentials: try again later
  kRefused,  // the other service refused the change for good (its reason is kept for an operator)
};

struct EffectResult {
  EffectOutcome outcome = EffectOutcome::kRetry;
  std::string error;  // the other service's code and message; never personal data
};

class EffectApplier {
 public:
  virtual ~EffectApplier() = default;
  virtual EffectResult Apply(const store::PendingEffect& effect,
                             const grassroots::inspection::v1::DisciplineDecision& decision) = 0;
};

class GrpcEffectApplier final : public EffectApplier {
 public:
  GrpcEffectApplier(std::shared_ptr<grpc::Channel> membership, std::shared_ptr<grpc::Channel> org,
                    std::shared_ptr<orgtree::ServiceToken> membership_token,
                    std::shared_ptr<orgtree::ServiceToken> org_token, std::chrono::milliseconds deadline);
  EffectResult Apply(const store::PendingEffect& effect,
                     const grassroots::inspection::v1::DisciplineDecision& decision) override;

 private:
  EffectResult Expel(const store::PendingEffect& effect, const grassroots::inspection::v1::DisciplineDecision& decision);
  EffectResult Reinstate(const store::PendingEffect& effect,
                         const grassroots::inspection::v1::DisciplineDecision& decision);
  EffectResult EndPosition(const store::PendingEffect& effect,
                           const grassroots::inspection::v1::DisciplineDecision& decision);
  EffectResult Dissolve(const store::PendingEffect& effect,
                        const grassroots::inspection::v1::DisciplineDecision& decision);
  // Sets the deadline and our token for the service called on context; false
  // (with failure set to a retry) when the token cannot be had.
  bool Prepare(grpc::ClientContext& context, orgtree::ServiceToken& token, EffectResult& failure);

  std::unique_ptr<grassroots::membership::v1::LifecycleService::Stub> lifecycle_;
  std::unique_ptr<grassroots::org::v1::CommitteeService::Stub> committees_;
  std::unique_ptr<grassroots::org::v1::OrganizationService::Stub> organizations_;
  std::shared_ptr<orgtree::ServiceToken> membership_token_;
  std::shared_ptr<orgtree::ServiceToken> org_token_;
  std::chrono::milliseconds deadline_;
};

}  // namespace grassroots::inspection
