#pragma once
// Decoding helpers shared by the read model's consumers (read_model_*.cc):
// payloads, nested resource names and dates, each refused as INVALID_ARGUMENT
// naming the field.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cppconn/prepared_statement.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/db/db.h"
#include "common/status/status.h"
#include "grassroots/feed/v1/change_feed.pb.h"

namespace grassroots::reporting::internal {

// The change's payload as a `Payload`.
template <typename Payload>
absl::StatusOr<Payload> Unpack(const grassroots::feed::v1::Change& change) {
  Payload payload;
  if (!change.resource().Is<Payload>() || !change.resource().UnpackTo(&payload)) {
    return common::InvalidField("resource", "is " + std::string(change.resource().type_url()) + ", not a readable " +
                                                std::string(Payload::descriptor()->full_name()));
  }
  return payload;
}

// The ids of a nested resource name, one per collection: "organizations/4/meetings/9"
// with {"organizations", "meetings"} is {4, 9}.
absl::StatusOr<std::vector<int64_t>> ParseNestedName(std::string_view name,
                                                     std::initializer_list<std::string_view> collections,
                                                     std::string_view field);
// The payload's own name, which must be the change's resource_name.
absl::StatusOr<std::vector<int64_t>> ParseChangeName(const grassroots::feed::v1::Change& change,
                                                     std::string_view payload_name,
                                                     std::initializer_list<std::string_view> collections,
                                                     std::string_view field);
// "collection/id", or none for empty text.
absl::StatusOr<std::optional<int64_t>> ParseOptionalId(std::string_view name, std::string_view collection,
                                                       std::string_view field);
// A date, or none for empty text.
absl::StatusOr<std::optional<absl::CivilDay>> ParseOptionalDate(std::string_view text, std::string_view field);
// A year the SMALLINT columns hold (1900..9999).
absl::Status CheckYear(int32_t year, std::string_view field);

// Empties the tables (a consumer's reset).
void DeleteAll(common::db::Session& session, std::initializer_list<std::string_view> tables);

// "INSERT INTO table (columns) VALUES (?, ...) ON DUPLICATE KEY UPDATE" every
// column: the row as the latest change publishes it, bound in column order.
std::string UpsertStatement(std::string_view table, std::initializer_list<std::string_view> columns);

}  // namespace grassroots::reporting::internal
