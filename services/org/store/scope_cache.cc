#include "services/org/store/scope_cache.h"

#include <algorithm>

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "common/api/api.h"
#include "common/log/log.h"

namespace grassroots::org::store {
namespace {

// As deep as the store's recursive queries go.
constexpr int kMaxDepth = 64;
constexpr absl::Duration kShortestInterval = absl::Seconds(2);
constexpr absl::Duration kLongestInterval = absl::Minutes(1);
// The newest change's id and time: the time tells a table emptied and filled
// again up to the same id (tests do that) from the one the cache was loaded from.
constexpr char kKeySql[] =
    "SELECT id, TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', commit_time) FROM change_feed "
    "ORDER BY id DESC LIMIT 1";

ScopeTreeCache::Key ReadKey(common::db::Session& session) {
  std::unique_ptr<sql::ResultSet> rs = session.Query(session.Prepare(kKeySql));
  if (!rs->next()) return ScopeTreeCache::Key{0, 0};
  return ScopeTreeCache::Key{rs->getInt64(1), rs->getInt64(2)};
}

}  // namespace

std::optional<bool> ScopeTreeCache::IsWithinSubtree(common::db::Session& session, int64_t ancestor,
                                                    int64_t descendant) {
  const Key key = ReadKey(session);
  const absl::CivilDay today = common::api::Today();
  absl::MutexLock lock(&mutex_);
  if (!loaded_ || key != key_ || today != day_) return std::nullopt;
  ++hits_;
  int64_t current = descendant;
  for (int depth = 0; depth <= kMaxDepth; ++depth) {
    if (current == ancestor) return true;
    auto parent = parent_.find(current);
    if (parent == parent_.end()) return std::nullopt;  // not in today's tree (a future founding): ask
    if (parent->second == 0) return false;
    current = parent->second;
  }
  return std::nullopt;
}

void ScopeTreeCache::Reload(common::db::ConnectionPool& pool) {
  {
    absl::MutexLock lock(&mutex_);
    if (absl::Now() - last_reload_ < interval_) return;
    // A load the tree changed under before any use waits twice as long next
    // time (a tree under a stream of writes is not reloaded again and again).
    interval_ = loaded_ && hits_ == 0 ? std::min(interval_ * 2, kLongestInterval) : kShortestInterval;
    last_reload_ = absl::Now();
    hits_ = 0;
  }
  const absl::CivilDay today = common::api::Today();
  Key key;
  absl::flat_hash_map<int64_t, int64_t> parent;
  // One transaction (REPEATABLE READ): the key and the tree come from one snapshot.
  absl::Status loaded = pool.RunInTransaction("org.scope_cache", [&](common::db::Session& session) -> absl::Status {
    parent.clear();
    key = ReadKey(session);
    sql::PreparedStatement& periods = session.Prepare(
        "SELECT organization_id, COALESCE(parent_id, 0) FROM organization_versions "
        "WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)");
    const std::string day = common::api::FormatDate(today);
    periods.setString(1, day);
    periods.setString(2, day);
    std::unique_ptr<sql::ResultSet> rs = session.Query(periods);
    while (rs->next()) parent[rs->getInt64(1)] = rs->getInt64(2);
    return absl::OkStatus();
  });
  if (!loaded.ok()) {
    common::log::Warn("scope cache not reloaded; scope checks ask the database", {{"status", loaded.ToString()}});
    return;
  }
  absl::MutexLock lock(&mutex_);
  loaded_ = true;
  key_ = key;
  day_ = today;
  parent_ = std::move(parent);
}

}  // namespace grassroots::org::store
