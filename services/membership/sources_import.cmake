# Bulk import (MemberImportService): the org-code lookup and the streaming handler (the CSV format is in membership_rules).
set(MEMBERSHIP_IMPORT_SRCS
  store/org_codes.cc
  handlers/import_handlers.cc
)
