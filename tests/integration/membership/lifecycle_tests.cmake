# LifecycleService (and the alerts it feeds) through gRPC against the real org service.
grassroots_integration_test(membership_lifecycle_integration_tests
  SOURCES admission_test.cc member_changes_test.cc alerts_test.cc cell_succession_test.cc
  LIBS membership_test_fixture)
