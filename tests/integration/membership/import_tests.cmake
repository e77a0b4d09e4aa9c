# MemberImportService through gRPC: streamed CSV, per-row results, re-runs, dry runs.
grassroots_integration_test(membership_import_integration_tests
  SOURCES import_test.cc
  LIBS membership_test_fixture)
