#pragma once
// Dues up the tree (migration V0013): organizations' remittances, append-only
// with corrections as in the members' ledger, what reached each organization
// from below, what its members paid for a month when it is a cell, and the
// portal transactions already recorded.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/db.h"
#include "grassroots/membership/v1/dues.pb.h"

namespace grassroots::membership::store {

struct StoredRemittance {
  int64_t id = 0;
  int64_t org_id = 0;
  std::optional<int64_t> to_org_id;  // nullopt: the root remits outside this system
  absl::CivilMonth month;
  int64_t amount = 0;
  v1::RemittanceChannel channel = v1::REMITTANCE_CHANNEL_UNSPECIFIED;
  absl::CivilDay remitted_on;
  std::string reference;
  std::string note;
  std::optional<int64_t> corrects;
  std::optional<int64_t> corrected_by;
  absl::Time recorded_at;
};

// What a cell's members paid for a month, by channel (corrections applied).
struct Collected {
  int64_t cash = 0;
  int64_t portal = 0;
};

class DuesRemittanceStore {
 public:
  absl::StatusOr<StoredRemittance> Insert(common::db::Session& session, const StoredRemittance& remittance);
  // One remittance of `org_id`, locked FOR UPDATE; nullopt when it has no such one.
  absl::StatusOr<std::optional<StoredRemittance>> ForUpdate(common::db::Session& session, int64_t org_id,
                                                            int64_t remittance_id);
  // The organization's remittances for months in [from, to], corrections included, in id order.
  absl::StatusOr<std::vector<StoredRemittance>> RemittancesOf(common::db::Session& session, int64_t org_id,
                                                              absl::CivilMonth from, absl::CivilMonth to);
  // For each organization, the sum of its remittances that count (not
  // corrected) for months in [from, to]: what it handed up.
  absl::StatusOr<std::map<int64_t, int64_t>> RemittedBy(common::db::Session& session,
                                                        std::span<const int64_t> org_ids, absl::CivilMonth from,
                                                        absl::CivilMonth to);
  // For each organization, the same sum over the remittances made to it: what it received from below.
  absl::StatusOr<std::map<int64_t, int64_t>> ReceivedBy(common::db::Session& session,
                                                        std::span<const int64_t> org_ids, absl::CivilMonth from,
                                                        absl::CivilMonth to);
  // What the members who owed dues to `cell_id` in `month` (on its first day)
  // paid for that month.
  absl::StatusOr<Collected> CollectedFor(common::db::Session& session, int64_t cell_id, absl::CivilMonth month);

  // What was recorded for these portal transaction ids, by id.
  struct PortalRecord {
    int64_t entry_id = 0;
    int64_t member_id = 0;
    absl::CivilMonth month;
    int64_t amount = 0;
    absl::CivilDay paid_on;
  };
  absl::StatusOr<std::map<std::string, PortalRecord>> PortalTransactions(common::db::Session& session,
                                                                         std::span<const std::string> transaction_ids);
  // The member who holds (or held) each of these party card numbers, by number.
  absl::StatusOr<std::map<std::string, int64_t>> MembersByCards(common::db::Session& session,
                                                                std::span<const std::string> numbers);
  // Records that `transaction_id` was recorded as `entry_id`; ALREADY_EXISTS
  // when it was, by a call running at the same time.
  absl::Status InsertPortalTransaction(common::db::Session& session, const std::string& transaction_id,
                                       int64_t entry_id);
};

}  // namespace grassroots::membership::store
