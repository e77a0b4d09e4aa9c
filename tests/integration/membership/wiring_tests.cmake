# Wiring: membership's existing databases take the org-tree library's
# migrations (the library's own tests are in tests/integration/orgtree).
grassroots_integration_test(membership_wiring_integration_tests
  SOURCES orgtree_schema_test.cc
  LIBS membership_lib)
