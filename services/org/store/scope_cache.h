#pragma once
// The tree as of today in memory, so a scope check needs no recursive query
// while the tree is quiet.
//
// Why it never grants what the database would refuse: the cache is loaded in
// one snapshot together with its key, the newest change_feed row (id and
// commit_time). Every write to the tree records its change in the same
// transaction, and the newest entry is never removed (retention keeps each
// resource's newest), so a statement that reads the same key on the same day
// sees the tree the cache holds. Any other key (the sequencer's numbering
// moves commit_time too), and the caller asks the database instead.
#include <cstdint>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/db.h"

namespace grassroots::org::store {

class ScopeTreeCache {
 public:
  struct Key {
    int64_t newest_change_id = -1;
    int64_t newest_change_micros = -1;
    bool operator==(const Key&) const = default;
  };
  // Reads the key in the caller's session; answers when it matches the
  // loaded tree and both organizations are in it (nullopt: ask the database).
  std::optional<bool> IsWithinSubtree(common::db::Session& session, int64_t ancestor, int64_t descendant);
  // Loads the tree as of today with its key, in one snapshot of its own; at
  // most once per 2 s, and less often while loads go unused (a tree that
  // keeps changing is not reloaded on every call).
  void Reload(common::db::ConnectionPool& pool);

 private:
  absl::Mutex mutex_;
  bool loaded_ ABSL_GUARDED_BY(mutex_) = false;
  Key key_ ABSL_GUARDED_BY(mutex_);
  absl::CivilDay day_ ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<int64_t, int64_t> parent_ ABSL_GUARDED_BY(mutex_);  // 0: a root
  absl::Time last_reload_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
  absl::Duration interval_ ABSL_GUARDED_BY(mutex_) = absl::Seconds(2);
  int64_t hits_ ABSL_GUARDED_BY(mutex_) = 0;  // answers since the last load
};

}  // namespace grassroots::org::store
