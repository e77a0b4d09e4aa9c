# grassroots_embed_migrations(<target> FUNCTION <name> COMPONENT <component> DIR <dir>)
# Compiles every <dir>/V<NNNN>__<description>.sql into the target as
#   const std::vector<grassroots::common::db::Migration>& grassroots::migrations::<name>();
# so binaries carry their schema and need no files at run time.
function(grassroots_embed_migrations target)
  cmake_parse_arguments(ARG "" "FUNCTION;COMPONENT;DIR" "" ${ARGN})
  file(GLOB sql_files CONFIGURE_DEPENDS "${ARG_DIR}/V*__*.sql")
  list(SORT sql_files)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${ARG_FUNCTION}.cc")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DFUNCTION=${ARG_FUNCTION} -DCOMPONENT=${ARG_COMPONENT}
            "-DFILES=${sql_files}" -P ${PROJECT_SOURCE_DIR}/cmake/WriteMigrations.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/WriteMigrations.cmake
    COMMENT "Embedding ${ARG_COMPONENT} migrations" VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
