# Bulk import: the CSV format and row mapping (no I/O).
grassroots_unit_test(membership_import_unit_tests
  SOURCES import_csv_test.cc
  LIBS membership_lib)
