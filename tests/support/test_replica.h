#pragma once
// The test MariaDB's read replica (scripts/mariadb.sh start-replica, ctest
// fixture mariadb_replica): where it is, and the replication controls tests
// use to make it lag on purpose. It follows the whole test server, so every
// TestDatabase exists on it once it has caught up.
//
// Where it is: 127.0.0.1 and the port in $GRASSROOTS_TEST_DB_REPLICA_DIR/port
// (grassroots_replica_integration_test sets that variable); user and password
// as for the primary.
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/config/config.h"

namespace grassroots::testing {

class TestReplica {
 public:
  // Connection settings of the replica server, no database selected.
  static absl::StatusOr<common::DbConfig> ServerConfig();
  // The replica as a ReadReplicaConfig, with this wait for the writes a read must see.
  static absl::StatusOr<common::ReadReplicaConfig> ReadConfig(std::chrono::milliseconds wait);

  // STOP SLAVE SQL_THREAD: the replica keeps receiving the primary's binary
  // log but applies nothing, so it lags by every write from now on.
  static absl::Status StopApplying();
  // START SLAVE SQL_THREAD.
  static absl::Status ResumeApplying();
  // Waits (up to timeout) until the replica has applied everything the
  // primary had written when called.
  static absl::Status WaitUntilCaughtUp(std::chrono::seconds timeout = std::chrono::seconds(60));
};

}  // namespace grassroots::testing
