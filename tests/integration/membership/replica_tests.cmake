# Searches and lists read from a real replica of the test MariaDB (fixture
# mariadb_replica): replica reads, lag, read-after positions, a replica down.
grassroots_replica_integration_test(membership_replica_integration_tests
  SOURCES replica_reads_test.cc
  LIBS membership_test_fixture)
