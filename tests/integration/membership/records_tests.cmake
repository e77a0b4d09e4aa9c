# MemberService through gRPC: records, queries, counts, scope, the change feed.
grassroots_integration_test(membership_records_integration_tests
  SOURCES member_create_test.cc member_update_test.cc member_query_test.cc member_search_test.cc member_scope_test.cc
          member_feed_test.cc feed_access_test.cc member_facts_test.cc
  LIBS membership_test_fixture)

# Issue 10: existence oracles, moves out of scope, self-dealing.
grassroots_integration_test(membership_oracle_integration_tests
  SOURCES oracle_test.cc
  LIBS membership_test_fixture)
# The citizen ID, ethnicity and religion sealed at rest; key rotation.
grassroots_integration_test(membership_sensitive_integration_tests
  SOURCES sensitive_at_rest_test.cc
  LIBS membership_test_fixture)
# Reads of a person on the audit chain; `grassroots audit verify` against a tampered log.
grassroots_integration_test(membership_audit_integration_tests
  SOURCES read_audit_test.cc
  LIBS membership_test_fixture cli_lib)
# The data subject's rights (Law 91/2025): export, corrections, feed disclosures.
grassroots_integration_test(membership_rights_integration_tests
  SOURCES rights_test.cc
  LIBS membership_test_fixture)
