#pragma once
// Rules for changing the organization tree. Pure functions over facts the
// store has already read; no I/O. Each refusal is FAILED_PRECONDITION with a
// machine-readable reason (or INVALID_ARGUMENT naming the request field when
// the request itself is self-contradictory).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "services/org/domain/organization.h"

namespace grassroots::org::domain {

// Which type may sit under which. Loaded from the org_types / org_type_parents
// tables, so a province can add a type (or allow a new pairing) with data only.
class TypeCompatibility {
 public:
  void AddType(const std::string& type_code, bool may_be_root);
  void AllowParent(const std::string& type_code, const std::string& parent_type_code);
  bool Knows(const std::string& type_code) const;
  // OK when a `type_code` organization may sit under a `parent_type_code` one
  // (nullopt: as a root). FAILED_PRECONDITION TYPE_NOT_ALLOWED_UNDER_PARENT or
  // ROOT_NOT_ALLOWED_FOR_TYPE / PARENT_REQUIRED otherwise.
  absl::Status Check(const std::string& type_code, const std::optional<std::string>& parent_type_code) const;

 private:
  struct Entry {
    bool may_be_root = false;
    std::set<std::string> parents;
  };
  std::map<std::string, Entry> types_;
};

// ORGANIZATION_ENDED when the organization has ended (dissolved, merged,
// split, handed over) — ending is final, nothing may act on it afterwards.
absl::Status CheckNotEnded(const Organization& org);

// EFFECTIVE_DATE_BEFORE_LAST_CHANGE when `effective` precedes the start of the
// organization's latest recorded period (history is appended, never rewritten).
absl::Status CheckEffectiveDate(const Organization& org, absl::CivilDay effective);

// The parent an organization is created or moved under must exist on the
// effective date and must not have ended: PARENT_NOT_ACTIVE.
absl::Status CheckParentUsable(const Organization& parent, absl::CivilDay effective);

// Creation under `parent` (nullptr: a root).
absl::Status CheckCreate(const std::string& type_code, const Organization* parent, absl::CivilDay effective,
                         const TypeCompatibility& types);

// Rename: not ended, effective date not before the last change, a new name.
absl::Status CheckRename(const Organization& org, const std::string& new_display_name, absl::CivilDay effective);

// Move `org` under `new_parent`. `new_parent_chain` holds the ids from the new
// parent up to its root (new parent included) — as of the effective date and
// as recorded now, merged: if `org` is on it the move would close a cycle
// (MOVE_CREATES_CYCLE).
absl::Status CheckMove(const Organization& org, const Organization& new_parent,
                       const std::vector<int64_t>& new_parent_chain, absl::CivilDay effective,
                       const TypeCompatibility& types);

// Dissolve: not ended, date, and no active children (HAS_ACTIVE_CHILDREN).
absl::Status CheckDissolve(const Organization& org, size_t active_children, absl::CivilDay effective);

// Merge `sources` into `target`. `target_chain`: target and its ancestors;
// `children_types`: the types of the sources' active children, which move
// under the target.
absl::Status CheckMerge(const std::vector<Organization>& sources, const Organization& target,
                        const std::vector<int64_t>& target_chain, const std::vector<std::string>& children_types,
                        absl::CivilDay effective, const TypeCompatibility& types);

// Split `org` into `new_org_count` new organizations. `active_children` are
// the ids of its active children; `assignments` maps child id -> index of the
// new organization that receives it.
absl::Status CheckSplit(const Organization& org, size_t new_org_count, const std::vector<int64_t>& active_children,
                        const std::map<int64_t, int32_t>& assignments, absl::CivilDay effective);

// Hand-over to a vertical committee (QĐ 60-QĐ/TW): the receiving committee must
// be active and not inside the handed-over subtree; the organization's type
// must be allowed under it.
absl::Status CheckHandOver(const Organization& org, const Organization& receiving,
                           const std::vector<int64_t>& receiving_chain, absl::CivilDay effective,
                           const TypeCompatibility& types);

}  // namespace grassroots::org::domain
