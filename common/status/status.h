#pragma once
// Error construction and the single mapping from absl::Status to grpc::Status.
// Field violations and machine-readable reasons ride as absl payloads and come
// out as google.rpc.BadRequest / google.rpc.ErrorInfo details.
#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace grassroots::common {

// Debian's Abseil has its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), so std::string_view must be converted explicitly for absl calls.
inline absl::string_view ToAbsl(std::string_view text) { return absl::string_view(text.data(), text.size()); }

// INVALID_ARGUMENT naming the request field that is wrong, e.g.
// InvalidField("organization.code", "must not be empty").
absl::Status InvalidField(std::string_view field, std::string_view description);

// An error with a machine-readable reason (UPPER_SNAKE), e.g.
// Reasoned(absl::StatusCode::kFailedPrecondition, "ORGANIZATION_ENDED", "...").
absl::Status Reasoned(absl::StatusCode code, std::string_view reason, std::string_view message);

// NOT_FOUND "<resource_name> not found", with no reason of its own: the one
// answer for a resource that does not exist and for one outside the caller's
// scope, so the two cannot be told apart.
absl::Status ResourceNotFound(std::string_view resource_name);

// The reason attached with Reasoned(), or "" when none.
std::string ReasonOf(const absl::Status& status);
// The field attached with InvalidField(), or "" when none.
std::string FieldOf(const absl::Status& status);

// Maps to grpc::Status with google.rpc.Status details (ErrorInfo always, BadRequest
// for field violations). INTERNAL and UNKNOWN messages are replaced by a generic
// text so internals never reach clients; the original is logged by the caller.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The other way, for a client of another service: code and message, and the
// reason of its google.rpc.ErrorInfo (so ReasonOf works on the result).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace grassroots::common

// Early-return helpers for absl::Status / absl::StatusOr.
#define GR_CONCAT_INNER(a, b) a##b
#define GR_CONCAT(a, b) GR_CONCAT_INNER(a, b)
#define GR_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    if (::absl::Status gr_status_ = (expr); !gr_status_.ok()) return gr_status_; \
  } while (0)
#define GR_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(tmp).value()
#define GR_ASSIGN_OR_RETURN(lhs, expr) \
  GR_ASSIGN_OR_RETURN_IMPL(GR_CONCAT(gr_statusor_, __LINE__), lhs, expr)
