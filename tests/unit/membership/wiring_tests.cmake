# Wiring: the reconnect backoff, the active-cell rule and the org-call error
# mapping, and the service token file reload (temp files only; no database, no network).
grassroots_unit_test(membership_wiring_unit_tests
  SOURCES wiring_test.cc
  LIBS membership_lib)
