# The yearly part's unit tests: the yearly-record rules over the real data/rules/rules.json (no I/O besides it).
grassroots_unit_test(membership_yearly_unit_tests
  SOURCES yearly_rules_test.cc post_training_test.cc
  LIBS membership_lib)
