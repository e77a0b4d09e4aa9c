# DuesService: bases, relief, the ledger, corrections, the collection sheet and its XLSX, arrears alerts,
# the portal's payment file, remittances and their reconciliation.
grassroots_integration_test(membership_dues_integration_tests
  SOURCES dues_test.cc dues_remittance_test.cc
  LIBS membership_test_fixture)
