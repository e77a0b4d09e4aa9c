#pragma once
// The data subject's rights (Law 91/2025): correction requests (the proposed
// sensitive values sealed under the member keyring), the read audit and the
// feed disclosures about one member, and the feed's disclosure log. Methods
// taking a Session run inside the caller's transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/db.h"
#include "common/feed/feed.h"
#include "grassroots/membership/v1/member.pb.h"
#include "services/membership/store/member_store.h"

namespace grassroots::membership::store {

struct CorrectionRow {
  int64_t id = 0;
  int64_t member_id = 0;
  std::vector<std::string> fields;
  // Non-sensitive and (opened) sensitive proposed values together.
  v1::Member proposed;
  std::string reason;
  v1::CorrectionState state = v1::CORRECTION_STATE_UNSPECIFIED;
  std::string answer_reason;
  std::vector<std::string> answered_by_roles;
  int64_t created_micros = 0;
  std::optional<int64_t> answered_micros;
};

// "members/7/correction-requests/3".
std::string CorrectionRequestName(int64_t member_id, int64_t id);

struct ReadAuditRow {
  int64_t id = 0;
  int64_t occurred_micros = 0;
  std::string actor;
  std::string action;
  std::string details;  // JSON
  std::string purpose;
};

struct DisclosureRow {
  int64_t id = 0;
  std::string consumer;
  int64_t after_sequence = 0;
  int64_t to_sequence = 0;
  int64_t started_micros = 0;
  std::optional<int64_t> last_sent_micros;
  int64_t changes_about_member = 0;
};

class RightsStore {
 public:
  // members: its keyring seals the proposed sensitive values.
  explicit RightsStore(MemberStore& members) : members_(members) {}

  absl::StatusOr<int64_t> InsertCorrection(common::db::Session& session, int64_t member_id,
                                           const std::vector<std::string>& fields, const v1::Member& proposed,
                                           std::string_view reason);
  // NOT_FOUND naming the request when it is not the member's.
  absl::StatusOr<CorrectionRow> GetCorrection(common::db::Session& session, int64_t member_id, int64_t id,
                                              bool for_update);
  absl::StatusOr<std::vector<CorrectionRow>> MemberCorrections(common::db::Session& session, int64_t member_id);
  // Requests of members whose current cell lies in subtree_root's subtree,
  // id order after after_id.
  struct CorrectionQuery {
    int64_t subtree_root = 0;
    v1::CorrectionState state = v1::CORRECTION_STATE_UNSPECIFIED;  // UNSPECIFIED: all
    int64_t after_id = 0;
    int32_t limit = 50;
  };
  absl::StatusOr<std::vector<CorrectionRow>> ListCorrections(common::db::Session& session,
                                                             const CorrectionQuery& query);
  absl::Status AnswerCorrection(common::db::Session& session, int64_t id, v1::CorrectionState state,
                                std::string_view answer_reason, std::string_view answered_by,
                                const std::vector<std::string>& answered_by_roles);

  // Audit entries of `actions` on "members/{id}", newest first, at most limit.
  absl::StatusOr<std::vector<ReadAuditRow>> AuditAbout(common::db::Session& session, int64_t member_id,
                                                       const std::vector<std::string>& actions, int limit);
  // Feed sessions whose range held a change of the member or of a resource
  // under it (and that the session's type filter let through).
  absl::StatusOr<std::vector<DisclosureRow>> DisclosuresAbout(common::db::Session& session, int64_t member_id);

 private:
  absl::StatusOr<std::vector<CorrectionRow>> ReadRows(common::db::Session& session, const std::string& where,
                                                      const std::function<void(sql::PreparedStatement&)>& bind);
  MemberStore& members_;
};

// The feed_disclosures table behind the change feed's DisclosureLog.
class FeedDisclosureLog final : public common::feed::DisclosureLog {
 public:
  explicit FeedDisclosureLog(common::db::ConnectionPool& pool) : pool_(pool) {}
  absl::StatusOr<int64_t> Open(std::string_view consumer, int64_t after_sequence,
                               const std::vector<std::string>& resource_types) override;
  absl::Status Extend(int64_t entry_id, int64_t to_sequence, int64_t changes) override;

 private:
  common::db::ConnectionPool& pool_;
};

}  // namespace grassroots::membership::store
