# The dues part's unit tests: the rate and share rules at their boundaries over
# the real data/rules/rules.json (no I/O besides it), and the portal's file format.
grassroots_unit_test(membership_dues_unit_tests
  SOURCES dues_rules_test.cc dues_remittance_test.cc
  LIBS membership_rules)
