# Party dues: the store of bases, relief, the ledger and wage regions, what
# the dues RPCs and the arrears alert share (dues_book), DuesService, and the
# publisher of monthly totals per cell for reporting (dues_totals). The
# rules themselves (domain/dues_rules.cc) are in membership_rules.
set(MEMBERSHIP_DUES_SRCS
  store/dues_store.cc
  handlers/dues_book.cc
  handlers/dues_handlers.cc
  handlers/dues_request.cc
  handlers/dues_remittance_handlers.cc
  store/dues_remittance_store.cc
  handlers/dues_totals.cc
  store/dues_totals_store.cc
)
