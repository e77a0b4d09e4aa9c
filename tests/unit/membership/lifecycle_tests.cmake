# The lifecycle part's unit tests (no I/O): the state machine and its rules on
# the real rules file, the working-day calendar on the real calendar file, and
# the alerts.
grassroots_unit_test(membership_lifecycle_unit_tests
  SOURCES lifecycle_test.cc alerts_test.cc
  LIBS membership_lib)
