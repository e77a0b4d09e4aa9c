# records: citizen ID, profile and search-token rules, and the method policy (no I/O).
grassroots_unit_test(membership_records_unit_tests
  SOURCES member_rules_test.cc name_search_test.cc policy_test.cc member_facts_test.cc
  LIBS membership_lib)
