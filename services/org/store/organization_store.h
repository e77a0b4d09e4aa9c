#pragma once
// Repository of the organization tree and its effective-dated history.
// Methods taking a Session run inside the caller's transaction; the others
// lease their own connection.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "common/auth/auth.h"
#include "common/db/db.h"
#include "services/org/domain/organization.h"
#include "services/org/domain/tree_rules.h"
#include "services/org/store/scope_cache.h"

namespace grassroots::org::store {

class OrganizationStore : public common::auth::ScopeResolver {
 public:
  explicit OrganizationStore(common::db::ConnectionPool& pool) : pool_(pool) {}

  // The organization as it stood on `as_of`. NOT_FOUND when no such id, or
  // when it did not exist yet on that date. An ended organization is returned
  // (state tells) when asked for a date after its end.
  absl::StatusOr<domain::Organization> Get(common::db::Session& session, int64_t id, absl::CivilDay as_of);
  absl::StatusOr<domain::Organization> Get(int64_t id, absl::CivilDay as_of);
  // The same, or nullopt when it did not exist on that date.
  absl::StatusOr<std::optional<domain::Organization>> FindOn(common::db::Session& session, int64_t id,
                                                             absl::CivilDay day);
  // Several organizations as of a date, in one query, in the order of `ids`.
  // NOT_FOUND when one of them did not exist on that date.
  absl::StatusOr<std::vector<domain::Organization>> GetMany(common::db::Session& session,
                                                            const std::vector<int64_t>& ids, absl::CivilDay as_of);

  // The subtree rooted at `root` (root included, depth 0 first, depth-first
  // order), as of a date, active organizations only.
  struct SubtreeEntry {
    int64_t id = 0;
    int32_t depth = 0;
  };
  absl::StatusOr<std::vector<SubtreeEntry>> Subtree(common::db::Session& session, int64_t root, absl::CivilDay as_of);
  // The same subtree with every organization's details, in one query (empty when
  // the root is not active on that date).
  absl::StatusOr<std::vector<domain::Organization>> SubtreeOrganizations(common::db::Session& session, int64_t root,
                                                                         absl::CivilDay as_of);

  // True when `descendant` lies in the subtree of `ancestor` (inclusive) on `as_of`.
  absl::StatusOr<bool> IsWithinSubtree(common::db::Session& session, int64_t ancestor, int64_t descendant,
                                       absl::CivilDay as_of);
  // ScopeResolver: as of today. Answered from the tree in memory while no
  // change was recorded since it was loaded (scope_cache.h), else by the database.
  absl::StatusOr<bool> IsWithinSubtree(int64_t ancestor, int64_t descendant) override;
  // The same question asked inside a write's transaction: the chain above
  // `descendant` is read with shared locks on each organization's current and
  // open periods, so a restructure that would carry it out of `ancestor`'s
  // subtree waits until this transaction ends (scope cannot change between
  // this check and the write).
  absl::StatusOr<bool> IsWithinSubtreeLocked(common::db::Session& session, int64_t ancestor, int64_t descendant);
  std::string ScopeNodeName(int64_t id) const override;

  common::db::ConnectionPool& pool() { return pool_; }

  // ---- reads -------------------------------------------------------------------
  // The organization as its latest recorded period describes it (what a
  // restructure acts on). NOT_FOUND when no such id.
  absl::StatusOr<domain::Organization> GetCurrent(common::db::Session& session, int64_t id);

  // Ids from `id` up to its root (id first), as of a date; empty when `id`
  // did not exist on that date.
  absl::StatusOr<std::vector<int64_t>> Chain(common::db::Session& session, int64_t id, absl::CivilDay as_of);

  struct ListQuery {
    std::optional<int64_t> parent_id;
    std::optional<int64_t> subtree_root;  // strictly below it...
    bool include_subtree_root = false;    // ...or including it
    std::string level;
    std::string type;
    std::string sector;
    std::optional<domain::OrgState> state;
    absl::CivilDay as_of;
    bool include_ended = false;
    int64_t after_id = 0;  // keyset
    int32_t limit = 100;
  };
  // Ordered by id; at most limit + 1 rows (the extra one tells there is a next page).
  absl::StatusOr<std::vector<domain::Organization>> List(const ListQuery& query);

  struct SubtreePage {
    std::vector<std::pair<domain::Organization, int32_t>> nodes;  // with depth
    bool has_more = false;
    std::string last_path;  // keyset for the next page
  };
  // Depth-first from root (inclusive); `after_path` empty for the first page;
  // max_depth 0 = unlimited. NOT_FOUND when root is not active on as_of.
  absl::StatusOr<SubtreePage> SubtreePageOf(int64_t root, absl::CivilDay as_of, int32_t max_depth,
                                            const std::string& after_path, int32_t limit);

  // Root first, not including the organization itself.
  absl::StatusOr<std::vector<domain::Organization>> Ancestors(int64_t id, absl::CivilDay as_of);

  absl::StatusOr<std::vector<domain::OrgEvent>> Events(int64_t id, int64_t after_event_id, int32_t limit);

  struct SectorRow {
    std::string code;
    std::string display_name;
  };
  absl::StatusOr<std::vector<domain::OrgType>> ListTypes();
  absl::StatusOr<std::vector<SectorRow>> ListSectors();

  // ---- writes (inside the caller's transaction) -------------------------------
  // Who records the change, for the event rows.
  struct Actor {
    std::string subject;
    std::string request_id;
  };
  // One organization changed by a write, for the caller's change-feed entry:
  // the dated event recorded in its history.
  struct Changed {
    int64_t id = 0;
    std::string action;  // "created", "renamed", "moved", "merged", ...
    domain::OrgEvent event;
  };

  struct NewOrganization {
    std::string code;
    std::string display_name;
    std::optional<int64_t> parent_id;
    std::string type;
    std::string sector;  // empty = none
    bool is_commune_military_cell = false;
    std::string address;
    std::string phone;
    std::string note;
    absl::CivilDay established_on;
  };
  // Validates against the tree rules (parent usable, type allowed under it,
  // sector known, military-cell flag allowed) and inserts. ALREADY_EXISTS when
  // the code is taken.
  absl::StatusOr<Changed> Create(common::db::Session& session, const NewOrganization& org,
                                 const domain::Decision& decision, const Actor& actor,
                                 domain::OrgEventKind kind = domain::OrgEventKind::kCreated,
                                 std::vector<int64_t> related = {});

  struct AttributeUpdate {
    std::optional<std::string> address;
    std::optional<std::string> phone;
    std::optional<std::string> note;
    // The sector the caller sent with an empty mask: refused when it differs
    // from the one in force (the sector changes by ChangeSector only).
    std::optional<std::string> unchanged_sector;
  };
  // Non-historical attributes, recorded as ATTRIBUTES_UPDATED on the day the
  // organization's current view stands (today, or its last change when later).
  // ABORTED on etag mismatch (empty etag: no check).
  absl::StatusOr<Changed> UpdateAttributes(common::db::Session& session, int64_t id, const AttributeUpdate& update,
                                           const std::string& etag, const Actor& actor);
  // The sector from `effective` on (SECTOR_CHANGED).
  absl::StatusOr<std::vector<Changed>> ChangeSector(common::db::Session& session, int64_t id,
                                                    const std::string& new_sector, absl::CivilDay effective,
                                                    const domain::Decision& decision, const std::string& etag,
                                                    const Actor& actor);
  // The commune-military-cell flag from `effective` on (COMMUNE_MILITARY_CELL_CHANGED).
  absl::StatusOr<std::vector<Changed>> ChangeMilitaryCell(common::db::Session& session, int64_t id,
                                                          bool is_commune_military_cell, absl::CivilDay effective,
                                                          const domain::Decision& decision, const std::string& etag,
                                                          const Actor& actor);

  absl::StatusOr<std::vector<Changed>> Rename(common::db::Session& session, int64_t id,
                                              const std::string& new_display_name, absl::CivilDay effective,
                                              const domain::Decision& decision, const std::string& etag,
                                              const Actor& actor);
  absl::StatusOr<std::vector<Changed>> Move(common::db::Session& session, int64_t id, int64_t new_parent_id,
                                            absl::CivilDay effective, const domain::Decision& decision,
                                            const std::string& etag, const Actor& actor);
  absl::StatusOr<std::vector<Changed>> Merge(common::db::Session& session, const std::vector<int64_t>& sources,
                                             int64_t target, absl::CivilDay effective,
                                             const domain::Decision& decision, const Actor& actor);
  // new_orgs[i].parent_id empty -> the split organization's parent.
  // assignments: child id -> index into new_orgs. Returns the created ids in order.
  struct SplitResult {
    std::vector<Changed> changed;
    std::vector<int64_t> created;
  };
  // member_successor_index: into new_orgs, the cell the split cell's members move to.
  absl::StatusOr<SplitResult> Split(common::db::Session& session, int64_t id, std::vector<NewOrganization> new_orgs,
                                    const std::map<int64_t, int32_t>& assignments,
                                    std::optional<int32_t> member_successor_index, absl::CivilDay effective,
                                    const domain::Decision& decision, const std::string& etag,
                                    const Actor& actor);
  // member_successor: the active cell a dissolved cell's members move to.
  absl::StatusOr<std::vector<Changed>> Dissolve(common::db::Session& session, int64_t id,
                                                std::optional<int64_t> member_successor, absl::CivilDay effective,
                                                const domain::Decision& decision, const std::string& etag,
                                                const Actor& actor);
  // The organization (and every active organization below it) leaves this
  // tree's management: state HANDED_OVER, placed under the receiving committee.
  absl::StatusOr<std::vector<Changed>> HandOver(common::db::Session& session, int64_t id, int64_t receiving,
                                                absl::CivilDay effective, const domain::Decision& decision,
                                                const std::string& etag, const Actor& actor);

  // Reference data for the rules, read from the database.
  absl::StatusOr<domain::TypeCompatibility> LoadTypeCompatibility(common::db::Session& session);
  // The type rules are read once and kept: they are reference data that only a
  // migration changes, and migrations run before the service starts. Whoever
  // changes them in a running process (a test) calls this so the next write
  // reads them again.
  void ForgetTypeCompatibility();

 private:
  struct VersionChange {
    std::optional<std::string> display_name = std::nullopt;
    std::optional<std::optional<int64_t>> parent_id = std::nullopt;
    std::optional<domain::OrgState> state = std::nullopt;
    std::optional<int64_t> successor_id = std::nullopt;
    std::optional<std::optional<std::string>> sector = std::nullopt;
    std::optional<bool> is_commune_military_cell = std::nullopt;
  };
  // What a move or a hand-over checks, read after locking: the organization, where
  // it goes, and that destination's chain to its root (as locked now and as of the
  // effective date, so no concurrent restructure can slip a cycle past the check).
  struct Relocation {
    domain::Organization org;
    domain::Organization destination;
    std::vector<int64_t> destination_chain;
    std::shared_ptr<const domain::TypeCompatibility> types;
  };
  absl::StatusOr<Relocation> BeginRelocation(common::db::Session& session, int64_t id, int64_t destination,
                                             absl::CivilDay effective, const std::string& etag);
  // The latest period of `id`; `locking` reads it with a shared lock (the latest
  // committed row, not the transaction's snapshot).
  absl::StatusOr<domain::Organization> ReadCurrent(common::db::Session& session, int64_t id, bool locking);
  absl::StatusOr<std::vector<domain::Organization>> GetManyCurrent(common::db::Session& session,
                                                                   const std::vector<int64_t>& ids);
  // Locks `id`, reads its latest period and checks the caller's etag.
  absl::StatusOr<domain::Organization> LockCurrent(common::db::Session& session, int64_t id, const std::string& etag);
  absl::StatusOr<std::shared_ptr<const domain::TypeCompatibility>> TypeRules(common::db::Session& session);
  // One organization's dated change: its new period, its version bump (and end
  // date, when it ends) and its history event.
  // (An event that ends the organization also sets its final state and end date.)
  absl::StatusOr<Changed> ApplyChange(common::db::Session& session, const domain::OrgEvent& event,
                                      VersionChange change, const Actor& actor);
  // INVALID_ARGUMENT naming `field` when `sector` is not a known sector code.
  absl::Status RequireKnownSector(common::db::Session& session, const std::string& sector, std::string_view field);
  // Moves `children` (active children of `from`) under `to`, one MOVED event each.
  absl::StatusOr<std::vector<Changed>> MoveChildren(common::db::Session& session,
                                                    const std::vector<domain::Organization>& children, int64_t from,
                                                    int64_t to, absl::CivilDay effective,
                                                    const domain::Decision& decision, const Actor& actor);
  absl::StatusOr<SubtreePage> SubtreeRows(common::db::Session& session, int64_t root, absl::CivilDay as_of,
                                          int32_t max_depth, const std::string& after_path, int32_t limit);
  absl::Status LockOrganizations(common::db::Session& session, std::vector<int64_t> ids);
  absl::StatusOr<std::vector<int64_t>> LockChain(common::db::Session& session, int64_t id);
  absl::Status AppendVersion(common::db::Session& session, int64_t id, absl::CivilDay effective,
                             const VersionChange& change);
  absl::Status Touch(common::db::Session& session, int64_t id, std::optional<absl::CivilDay> ended_on);
  absl::Status AppendEvent(common::db::Session& session, const domain::OrgEvent& event, const Actor& actor);
  absl::StatusOr<std::vector<int64_t>> ActiveChildren(common::db::Session& session, int64_t id);
  absl::StatusOr<std::vector<int64_t>> ActiveDescendants(common::db::Session& session, int64_t id);

  common::db::ConnectionPool& pool_;
  ScopeTreeCache scope_cache_;
  absl::Mutex types_mutex_;
  // Null until first use, and again after ForgetTypeCompatibility.
  std::shared_ptr<const domain::TypeCompatibility> types_ ABSL_GUARDED_BY(types_mutex_);
};

std::string_view StateCode(domain::OrgState state);
std::string_view EventKindCode(domain::OrgEventKind kind);

}  // namespace grassroots::org::store
