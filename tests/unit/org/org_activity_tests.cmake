# org-activity's unit tests: meeting and rating rules (no I/O).
grassroots_unit_test(org_activity_unit_tests
  SOURCES meeting_rules_test.cc rating_rules_test.cc
  LIBS org_lib)
