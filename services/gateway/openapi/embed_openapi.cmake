# cmake -DIN=<openapi.json> -DOUT=<embedded_openapi.cc> -P embed_openapi.cmake
# Writes the document as one raw string literal: its bytes exactly (UTF-8
# included), no xxd, and fast to compile. The delimiter must not occur in it.
file(READ "${IN}" document)
if(document STREQUAL "")
  message(FATAL_ERROR "${IN} is empty")
endif()
set(delimiter "grassroots_oa")
string(FIND "${document}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter ')${delimiter}\"': choose another in ${CMAKE_CURRENT_LIST_FILE}")
endif()
file(WRITE "${OUT}" "// Generated from ${IN} by embed_openapi.cmake: do not edit.
#include \"services/gateway/openapi/embedded_openapi.h\"

namespace grassroots::gateway {
namespace {
constexpr char kDocument[] = R\"${delimiter}(${document})${delimiter}\";
}  // namespace

std::string_view EmbeddedOpenApiDocument() { return {kDocument, sizeof(kDocument) - 1}; }

}  // namespace grassroots::gateway
")
