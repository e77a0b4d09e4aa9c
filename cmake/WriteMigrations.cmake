# Script mode helper for grassroots_embed_migrations: writes OUT from FILES.
set(body "")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^V([0-9]+)__(.*)$" _ ${name})
  math(EXPR version "${CMAKE_MATCH_1}")
  set(description "${CMAKE_MATCH_2}")
  file(READ ${f} text)
  string(APPEND body "    {\"${COMPONENT}\", ${version}, \"${description}\", R\"grassroots_sql(${text})grassroots_sql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp
"// Generated from ${COMPONENT} migrations; do not edit.\n#include \"common/db/db.h\"\n\nnamespace grassroots::migrations {\nconst std::vector<common::db::Migration>& ${FUNCTION}() {\n  static const std::vector<common::db::Migration> kMigrations = {\n${body}  };\n  return kMigrations;\n}\n}  // namespace grassroots::migrations\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
