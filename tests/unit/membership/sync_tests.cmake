# The mobile sync's unit tests: the sync position and its rules.
grassroots_unit_test(membership_sync_unit_tests
  SOURCES sync_position_test.cc
  LIBS membership_lib)
