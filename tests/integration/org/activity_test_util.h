#pragma once
// Helpers for org-activity's integration tests: times and the change feed.
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/timestamp.pb.h>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "tests/integration/org/org_fixture.h"

namespace grassroots::org::testing::activity {

// A Vietnam-local (UTC+7) wall-clock time as a protobuf Timestamp.
inline google::protobuf::Timestamp LocalTime(int y, int mo, int d, int h, int mi) {
  const absl::Time t = absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::FixedTimeZone(7 * 3600));
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

inline google::protobuf::Timestamp Plus(const google::protobuf::Timestamp& ts, int minutes) {
  google::protobuf::Timestamp out = ts;
  out.set_seconds(ts.seconds() + minutes * 60);
  return out;
}

// Base for the activity tests: feed and restructuring shortcuts on top of OrgFixture.
class ActivityTest : public OrgFixture {
 protected:
  // Every change of these resource types committed so far, in feed order.
  static std::vector<grassroots::feed::v1::Change> FeedChanges(const std::string& resource_type) {
    grpc::ClientContext ctx;
    Authorize(ctx, ServiceToken());
    grassroots::feed::v1::StreamChangesRequest request;
    request.add_resource_types(resource_type);
    request.set_follow(false);
    std::unique_ptr<grpc::ClientReader<grassroots::feed::v1::Change>> reader = feed().StreamChanges(&ctx, request);
    std::vector<grassroots::feed::v1::Change> out;
    grassroots::feed::v1::Change change;
    while (reader->Read(&change)) out.push_back(change);
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  // Changes to one resource, in feed order.
  static std::vector<grassroots::feed::v1::Change> ChangesOf(const std::string& resource_type,
                                                             const std::string& resource_name) {
    std::vector<grassroots::feed::v1::Change> out;
    for (auto& c : FeedChanges(resource_type)) {
      if (c.resource_name() == resource_name) out.push_back(c);
    }
    return out;
  }
  static void Dissolve(const std::string& name, const std::string& effective_date) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::DissolveOrganizationRequest request;
    request.set_name(name);
    request.set_effective_date(effective_date);
    v1::Organization out;
    grpc::Status status = orgs().DissolveOrganization(&ctx, request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
};

}  // namespace grassroots::org::testing::activity
