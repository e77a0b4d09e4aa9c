#pragma once
// Party dues rows (migrations V0012): members' bases, relief decisions, the
// append-only ledger of payments and organizations' wage regions, and the
// reads that assemble a ledger or a cell's collection sheet: members' status
// periods and the wage regions reaching their cells. What is due is computed
// (domain/dues_rules.h), never stored.
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
#include "services/membership/domain/dues_rules.h"
#include "services/membership/domain/lifecycle.h"

namespace grassroots::membership::store {

struct StoredBase {
  int64_t id = 0;
  int64_t member_id = 0;
  domain::DuesBaseRecord base;
  std::string note;
};

struct StoredRelief {
  int64_t id = 0;
  int64_t member_id = 0;
  domain::DuesReliefRecord relief;
  std::string decision_issuing_body;
  std::string decision_number;
  absl::CivilDay decision_signed_on;
};

struct StoredEntry {
  int64_t id = 0;
  int64_t member_id = 0;
  absl::CivilMonth month;
  int64_t amount = 0;
  v1::DuesChannel channel = v1::DUES_CHANNEL_UNSPECIFIED;
  absl::CivilDay paid_on;
  std::string reference;
  std::string note;
  std::optional<int64_t> corrects;      // the entry it corrects
  std::optional<int64_t> corrected_by;  // the entry correcting it
  absl::Time recorded_at;
};

class DuesStore {
 public:
  // Replaces the member's base of the same month, if any: the row, and
  // whether anything changed (the same base again is no change).
  struct PutBaseResult {
    StoredBase base;
    bool changed = false;
  };
  absl::StatusOr<PutBaseResult> PutBase(common::db::Session& session, int64_t member_id,
                                     const domain::DuesBaseRecord& base, const std::string& note);
  absl::StatusOr<std::map<int64_t, std::vector<StoredBase>>> Bases(common::db::Session& session,
                                                                  std::span<const int64_t> member_ids);

  absl::StatusOr<StoredRelief> InsertRelief(common::db::Session& session, const StoredRelief& relief);
  absl::StatusOr<std::map<int64_t, std::vector<StoredRelief>>> Reliefs(common::db::Session& session,
                                                                      std::span<const int64_t> member_ids);

  absl::StatusOr<StoredEntry> InsertEntry(common::db::Session& session, const StoredEntry& entry);
  // One entry, locked FOR UPDATE (a correction is serialized against another
  // of the same entry); nullopt when the member has no such entry.
  absl::StatusOr<std::optional<StoredEntry>> EntryForUpdate(common::db::Session& session, int64_t member_id,
                                                            int64_t entry_id);
  // The members' entries for months in [from, to], in id order, each with
  // the entry correcting it (if any).
  absl::StatusOr<std::map<int64_t, std::vector<StoredEntry>>> Entries(common::db::Session& session,
                                                                     std::span<const int64_t> member_ids,
                                                                     absl::CivilMonth from, absl::CivilMonth to);

  // The members' status periods, oldest first.
  absl::StatusOr<std::map<int64_t, std::vector<domain::Period>>> Periods(common::db::Session& session,
                                                                        std::span<const int64_t> member_ids);
  // The members who owed dues to `cell` on `day` (probationary or official,
  // the cell being their host cell, or their own without a host cell).
  absl::StatusOr<std::vector<int64_t>> MembersOwingTo(common::db::Session& session, int64_t cell_id,
                                                      absl::CivilDay day);

  // A row written by a Put that replaces: its id, and whether anything changed
  // (the same value again is no change, and gets no feed entry).
  struct PutResult {
    int64_t id = 0;
    bool changed = false;
  };
  // Sets the organization's opening (replacing an earlier one).
  absl::StatusOr<PutResult> PutLedgerOpening(common::db::Session& session, int64_t org_id, absl::CivilMonth first_month);
  // The openings recorded for each cell or an organization above it.
  absl::StatusOr<std::map<int64_t, std::vector<domain::LedgerOpeningRecord>>> OpeningsReaching(
      common::db::Session& session, std::span<const int64_t> cell_ids);

  absl::StatusOr<PutResult> PutWageRegion(common::db::Session& session, int64_t org_id, int32_t region,
                                          absl::CivilDay effective_from, const std::string& citation);
  // The wage regions recorded for each cell or an organization above it.
  absl::StatusOr<std::map<int64_t, std::vector<domain::WageRegionRecord>>> RegionsReaching(
      common::db::Session& session, std::span<const int64_t> cell_ids);
};

// The first day of a month, as months are stored.
std::string MonthColumn(absl::CivilMonth month);

}  // namespace grassroots::membership::store
