#pragma once
// Repository of member records: the profile, the sensitive fields (apart, with
// a keyed blind index for citizen-ID lookup), name tokens for search, the
// derived state columns, cards, search and counts. Methods taking a Session
// run inside the caller's transaction.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "common/crypto/keyring.h"
#include "common/db/db.h"
#include "services/membership/domain/member.h"
#include "services/membership/domain/member_attributes.h"
#include "services/membership/domain/name_search.h"

namespace grassroots::membership::store {

class MemberStore {
 public:
  // lookup_key: HMAC key of the citizen-ID blind index (a service secret).
  // keys: the keyring that seals the citizen ID, ethnicity and religion at rest
  // (each value under the current key, bound to its member and column).
  MemberStore(common::db::ConnectionPool& pool, std::string lookup_key,
              std::shared_ptr<const common::crypto::Keyring> keys);

  // The keyring in use; replaced when its file changes (a new current key
  // seals new writes at once; the rotation job re-seals the rest).
  std::shared_ptr<const common::crypto::Keyring> keys() const;
  void ReplaceKeys(std::shared_ptr<const common::crypto::Keyring> keys);

  // ---- sealing at rest (start-up and the rotation job) ----
  struct ResealBatch {
    int resealed = 0;
    // Rows that did not open (left as they are; named by member id only).
    std::vector<int64_t> failed;
    int64_t last_member_id = 0;  // resume after this one
  };
  // Re-seals under the current key up to `limit` rows held under `key_version`
  // (0: plaintext) with member_id > after_id, in member_id order, locking
  // them (FOR UPDATE) in the caller's transaction. Rows written meanwhile are
  // already under the current key and are not matched.
  absl::StatusOr<ResealBatch> Reseal(common::db::Session& session, int64_t key_version, int64_t after_id,
                                     int limit);
  // Rows per key_version (0: plaintext).
  absl::StatusOr<std::map<int64_t, int64_t>> RowsPerKey(common::db::Session& session);

  // One new member of InsertMany: its state is the one after its first event
  // (stored as is: no SaveState follows), its first card is set on the row.
  struct NewRow {
    const domain::Profile* profile = nullptr;
    const domain::SensitiveFields* sensitive = nullptr;
    domain::MemberState state;
    std::optional<std::string> party_card_number;
    absl::CivilDay card_issued_on;
    std::string card_reason;
    std::optional<std::string> import_fingerprint;
  };
  struct InsertedRow {
    int64_t id = 0;
    absl::Time created_at;
  };
  // Inserts new members (rows, sealed fields, name tokens, first cards) in a
  // few multi-row statements in the caller's transaction; ids in the rows'
  // order. A duplicate key fails the call as ALREADY_EXISTS with part of the
  // rows written: the caller rolls back to its savepoint.
  absl::StatusOr<std::vector<InsertedRow>> InsertMany(common::db::Session& session, const std::vector<NewRow>& rows);
  // The dated attribute periods of members that have none yet.
  absl::Status InsertAttributePeriodsOfNew(
      common::db::Session& session,
      const std::vector<std::pair<int64_t, std::vector<domain::AttributePeriod>>>& periods_by_member);
  // NOT_FOUND naming "members/{id}".
  absl::StatusOr<domain::MemberRecord> Get(common::db::Session& session, int64_t id);
  // Same, with SELECT ... FOR UPDATE on the members row (serializes writers of one member).
  absl::StatusOr<domain::MemberRecord> GetForUpdate(common::db::Session& session, int64_t id);
  // Many records in one query, in the order of ids (missing ids skipped).
  absl::StatusOr<std::vector<domain::MemberRecord>> GetMany(common::db::Session& session,
                                                            const std::vector<int64_t>& ids);
  // Replaces the record's state with the status period in force on `day`
  // (member_periods), its status_since with the start of that status, and
  // hides party dates after `day`. false (record untouched) when no period is
  // in force on that day (the record did not exist yet, or had left the tree).
  absl::StatusOr<bool> LoadStateAsOf(common::db::Session& session, domain::MemberRecord& record,
                                     absl::CivilDay day);
  // ---- dated attributes (member_attribute_periods) ----
  // The member's periods of every dated attribute, oldest first per attribute.
  absl::StatusOr<std::vector<domain::AttributePeriod>> AttributePeriods(common::db::Session& session,
                                                                       int64_t member_id);
  absl::StatusOr<std::map<int64_t, std::vector<domain::AttributePeriod>>> AttributePeriodsOf(
      common::db::Session& session, const std::vector<int64_t>& member_ids);
  // Replaces the member's rows with `periods` (all attributes).
  absl::Status ReplaceAttributePeriods(common::db::Session& session, int64_t member_id,
                                       const std::vector<domain::AttributePeriod>& periods);
  // Replaces the dated fields of each record's profile with their values on `day`.
  absl::Status ApplyAttributesAsOf(common::db::Session& session, std::vector<domain::MemberRecord>& records,
                                   absl::CivilDay day);

  // Drops the member's member_code_unmapped row of `field` ("ethnicity", "religion").
  absl::Status ClearUnmappedCode(common::db::Session& session, int64_t member_id, std::string_view field);

  // Rewrites the profile and sensitive fields (and name tokens), bumps version.
  absl::Status UpdateProfile(common::db::Session& session, int64_t id, const domain::Profile& profile,
                             const domain::SensitiveFields& sensitive);
  // Writes the derived state columns, bumps version.
  absl::Status SaveState(common::db::Session& session, int64_t id, const domain::MemberState& state);

  // Exact lookups (NOT_FOUND when none).
  absl::StatusOr<int64_t> FindByCitizenId(common::db::Session& session, const std::string& citizen_id);
  // The NOT_FOUND of the Find* lookups ("no member has this <key_field>").
  static absl::Status NoMemberWith(std::string_view key_field);
  absl::StatusOr<int64_t> FindByPartyCard(common::db::Session& session, const std::string& number);
  absl::StatusOr<int64_t> FindByExternalId(common::db::Session& session, const std::string& external_id);
  // The members on file with any of these citizen IDs / external ids: key -> member id.
  absl::StatusOr<std::map<std::string, int64_t>> FindManyByCitizenId(common::db::Session& session,
                                                                     const std::vector<std::string>& citizen_ids);
  absl::StatusOr<std::map<std::string, int64_t>> FindManyByExternalId(common::db::Session& session,
                                                                      const std::vector<std::string>& external_ids);
  // The stored import fingerprint of a member ("" when none).
  absl::StatusOr<std::string> ImportFingerprint(common::db::Session& session, int64_t id);

  // ---- cards ----
  struct Card {
    int64_t id = 0;
    std::string number;
    absl::CivilDay issued_on;
    std::string reason;
    bool current = false;
  };
  // Adds a card and makes it the member's current one. ALREADY_EXISTS(number) on a duplicate.
  absl::StatusOr<Card> IssueCard(common::db::Session& session, int64_t member_id, const std::string& number,
                                 absl::CivilDay issued_on, const std::string& reason);
  absl::StatusOr<std::vector<Card>> ListCards(common::db::Session& session, int64_t member_id);

  // ---- search ----
  struct SearchFilter {
    std::vector<std::string> name_tokens;  // folded words, each matched as a prefix
    std::optional<int64_t> subtree_root;   // members whose cell is in this subtree (org_closure)
    bool include_hosted = false;           // also members hosted temporarily in the subtree
    std::vector<v1::MemberStatus> statuses;
    std::vector<v1::OccupationCategory> categories;
    std::optional<absl::CivilDay> born_on_or_after;
    std::optional<absl::CivilDay> born_on_or_before;
    v1::Sex sex = v1::SEX_UNSPECIFIED;
    // nullopt: the current state (members table); a date: member_periods and
    // the dated attributes (categories) on that date.
    std::optional<absl::CivilDay> as_of;
  };
  // A place in the order of a search: how well the name matched, then (search_name, id).
  struct SearchPosition {
    domain::NameMatch match = domain::NameMatch::kExact;
    std::string sort_key;
    int64_t id = 0;
  };
  struct SearchPage {
    std::vector<domain::MemberRecord> members;  // with the state as of the filter's date
    domain::NameMatch last_match = domain::NameMatch::kExact;  // of the last member
    bool more = false;
  };
  // Best name match first (domain::NameMatch; with no name words all match
  // alike), then by (search_name, id); the members after `after` when given.
  absl::StatusOr<SearchPage> Search(common::db::Session& session, const SearchFilter& filter,
                                    const std::optional<SearchPosition>& after, int32_t limit);
  // The sort key of a record (search_name), for page tokens.
  static std::string SortKey(const domain::MemberRecord& record);
  // The stored sort key of a member (NOT_FOUND when none): page tokens carry
  // only the last id, so no folded name travels in a token.
  absl::StatusOr<std::string> StoredSortKey(common::db::Session& session, int64_t id);

  // ---- counts ----
  struct Count {
    int64_t organization_id = 0;
    int32_t official = 0;
    int32_t probationary = 0;
    int32_t hosted_temporarily = 0;
    int32_t exempt = 0;
  };
  // Counted members per organization on `as_of` (periods), own cell or whole subtree.
  absl::StatusOr<std::vector<Count>> CountByOrganization(common::db::Session& session,
                                                         const std::vector<int64_t>& organization_ids,
                                                         bool include_subtree, absl::CivilDay as_of);

  common::db::ConnectionPool& pool() { return pool_; }

 private:
  // HMAC-SHA256(lookup_key, citizen_id): 32 raw bytes.
  std::string CitizenIdLookup(std::string_view citizen_id) const;
  // Its hex, nullopt for an empty citizen ID.
  std::optional<std::string> CitizenIdLookupHex(const std::string& citizen_id) const;
  common::db::ConnectionPool& pool_;
  std::string lookup_key_;
  mutable absl::Mutex keys_mutex_;
  std::shared_ptr<const common::crypto::Keyring> keys_ ABSL_GUARDED_BY(keys_mutex_);
};

}  // namespace grassroots::membership::store
