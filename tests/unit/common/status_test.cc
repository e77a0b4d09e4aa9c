#include "common/status/status.h"

#include <grpcpp/support/error_details.h>
#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace grassroots::common {
namespace {

struct Details {
  google::rpc::Status status;
  std::optional<google::rpc::ErrorInfo> info;
  std::optional<google::rpc::BadRequest> bad_request;
};

Details Unpack(const grpc::Status& status) {
  Details details;
  EXPECT_TRUE(grpc::ExtractErrorDetails(status, &details.status).ok());
  for (const auto& any : details.status.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      EXPECT_FALSE(details.info.has_value()) << "at most one ErrorInfo";
      details.info.emplace();
      any.UnpackTo(&*details.info);
    } else if (any.Is<google::rpc::BadRequest>()) {
      EXPECT_FALSE(details.bad_request.has_value()) << "at most one BadRequest";
      details.bad_request.emplace();
      any.UnpackTo(&*details.bad_request);
    }
  }
  return details;
}

TEST(StatusTest, InvalidFieldCarriesTheField) {
  absl::Status status = InvalidField("organization.code", "must not be empty");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(status), "organization.code");
  EXPECT_EQ(ReasonOf(status), "");
  EXPECT_NE(status.message().find("organization.code"), std::string_view::npos);
}

TEST(StatusTest, ReasonedCarriesTheReason) {
  absl::Status status = Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED", "it ended");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(status), "ORGANIZATION_ENDED");
  EXPECT_EQ(FieldOf(status), "");
  EXPECT_EQ(status.message(), "it ended");
}

TEST(StatusTest, OkMapsToOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

TEST(StatusTest, FieldViolationRoundTripsAsBadRequestAndErrorInfo) {
  grpc::Status status = ToGrpcStatus(InvalidField("meeting.topic", "is required"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "meeting.topic: is required");
  Details details = Unpack(status);
  EXPECT_EQ(details.status.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_TRUE(details.info.has_value());
  EXPECT_EQ(details.info->domain(), "grassroots");
  EXPECT_EQ(details.info->reason(), "INVALID_FIELD");
  EXPECT_EQ(details.info->metadata().at("field"), "meeting.topic");
  ASSERT_TRUE(details.bad_request.has_value());
  ASSERT_EQ(details.bad_request->field_violations_size(), 1);
  EXPECT_EQ(details.bad_request->field_violations(0).field(), "meeting.topic");
  EXPECT_EQ(details.bad_request->field_violations(0).description(), "is required");
}

TEST(StatusTest, ReasonBecomesErrorInfoReason) {
  grpc::Status status =
      ToGrpcStatus(Reasoned(absl::StatusCode::kFailedPrecondition, "HAS_ACTIVE_CHILDREN", "dissolve the children first"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "dissolve the children first");
  Details details = Unpack(status);
  ASSERT_TRUE(details.info.has_value());
  EXPECT_EQ(details.info->reason(), "HAS_ACTIVE_CHILDREN");
  EXPECT_FALSE(details.bad_request.has_value());
}

TEST(StatusTest, PlainErrorGetsTheCodeNameAsReason) {
  Details details = Unpack(ToGrpcStatus(absl::NotFoundError("organizations/7 not found")));
  ASSERT_TRUE(details.info.has_value());
  EXPECT_EQ(details.info->reason(), "NOT_FOUND");
  EXPECT_EQ(details.status.message(), "organizations/7 not found");
}

TEST(StatusTest, EveryCodeKeepsItsNumber) {
  for (int code = 1; code <= 16; ++code) {
    grpc::Status status = ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(code), "x"));
    EXPECT_EQ(static_cast<int>(status.error_code()), code);
  }
}

TEST(StatusTest, InternalAndUnknownMessagesAreHidden) {
  for (absl::Status original : {absl::InternalError("SQL syntax near 'secret_table'"),
                                absl::UnknownError("SQL syntax near 'secret_table'")}) {
    grpc::Status status = ToGrpcStatus(original);
    EXPECT_EQ(static_cast<int>(status.error_code()), static_cast<int>(original.code()));
    EXPECT_EQ(status.error_message().find("secret_table"), std::string::npos);
    EXPECT_FALSE(status.error_message().empty());
    Details details = Unpack(status);
    EXPECT_EQ(details.status.message().find("secret_table"), std::string::npos);
  }
}

absl::StatusOr<int> Half(int value) {
  if (value % 2 != 0) return InvalidField("value", "must be even");
  return value / 2;
}
absl::StatusOr<int> Quarter(int value) {
  GR_ASSIGN_OR_RETURN(int half, Half(value));
  GR_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}
absl::Status CheckEven(int value) {
  GR_RETURN_IF_ERROR(Half(value).status());
  return absl::OkStatus();
}

TEST(StatusTest, EarlyReturnMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(FieldOf(Quarter(6).status()), "value");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), absl::StatusCode::kInvalidArgument);
}

TEST(StatusTest, FromGrpcStatusKeepsCodeMessageAndReason) {
  const absl::Status back =
      FromGrpcStatus(ToGrpcStatus(Reasoned(absl::StatusCode::kFailedPrecondition, "CURSOR_AHEAD_OF_FEED", "ahead")));
  EXPECT_EQ(back.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(back.message(), "ahead");
  EXPECT_EQ(ReasonOf(back), "CURSOR_AHEAD_OF_FEED");
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  const absl::Status bare = FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  EXPECT_EQ(bare.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(bare), "");
}

}  // namespace
}  // namespace grassroots::common
