#pragma once
// MariaDB GTID positions ("domain-server-sequence", a comma list with at most
// one GTID per replication domain), as @@last_gtid, @@gtid_binlog_pos and
// MASTER_GTID_WAIT speak them. Pure values: parsing, ordering, merging.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace grassroots::common::db {

class GtidPosition {
 public:
  struct Gtid {
    uint32_t server_id = 0;
    uint64_t sequence = 0;
  };

  // "" is the empty position (nothing to wait for). Refuses (INVALID_ARGUMENT)
  // anything but comma-separated "D-S-N" of decimal numbers, or two GTIDs of
  // one domain.
  static absl::StatusOr<GtidPosition> Parse(std::string_view text);

  bool empty() const { return by_domain_.empty(); }
  // True when every domain of `other` is here with a sequence at least as
  // high. Sequences are compared per domain only: under gtid_strict_mode they
  // grow within a domain whichever server wrote them (a failover keeps them
  // growing), so the server id does not order them.
  bool Covers(const GtidPosition& other) const;
  // Keeps, per domain, the later of the two GTIDs.
  void Merge(const GtidPosition& other);
  // Domains in ascending order: "0-1-42,1-2-7". The form Parse reads back.
  std::string ToString() const;

  bool operator==(const GtidPosition& other) const;

 private:
  std::map<uint32_t, Gtid> by_domain_;
};

}  // namespace grassroots::common::db
