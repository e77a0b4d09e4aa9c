# Bulk import (MemberImportService): the CSV format (pure), the org-code lookup and the streaming handler.
set(MEMBERSHIP_IMPORT_SRCS
  handlers/member_csv.cc
  store/org_codes.cc
  handlers/import_handlers.cc
)
