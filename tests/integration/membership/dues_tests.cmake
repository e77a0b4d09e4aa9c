# DuesService: bases, relief, the ledger, corrections, the collection sheet and its XLSX, arrears alerts.
grassroots_integration_test(membership_dues_integration_tests
  SOURCES dues_test.cc
  LIBS membership_test_fixture)
