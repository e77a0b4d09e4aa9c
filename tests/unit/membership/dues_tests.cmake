# The dues part's unit tests: the rate rules at their boundaries over the real
# data/rules/rules.json (no I/O besides it).
grassroots_unit_test(membership_dues_unit_tests
  SOURCES dues_rules_test.cc
  LIBS membership_rules)
