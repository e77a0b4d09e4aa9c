# The "records" part of membership_lib: member records, search, counts, the
# member's own view, party cards, access checks and the method policy.
set(MEMBERSHIP_RECORDS_SRCS
  domain/member_attributes.cc
  store/member_store.cc
  store/rights_store.cc
  handlers/member_access.cc
  handlers/member_writer.cc
  handlers/code_migration.cc
  handlers/sensitive_sealing.cc
  handlers/read_audit.cc
  handlers/member_handlers.cc
  handlers/rights_handlers.cc
  handlers/policy.cc
)
