# Precompiled headers for the third-party headers nearly every file includes
# (gRPC, protobuf, Abseil, Connector/C++, nlohmann-json, and GoogleTest in the
# tests). Parsing them was about a third of each file's compile time.
#
# Two headers are built once, each in a target of its own, and every other C++
# target of the build reuses one (REUSE_FROM): the tests' flavour for targets
# that link GoogleTest (it adds GTEST_HAS_PTHREAD, which a header must be built
# with to be used), the code flavour for the rest. GCC uses a precompiled header
# only when the flags that matter match; the ones here are made in this
# directory after the build's sanitizer options, like every target that reuses
# them. Where one cannot be used, GCC parses the same headers as text: slower,
# never wrong.
#
# ccache caches such compiles only with sloppiness pch_defines,time_macros:
# CMAKE_CXX_COMPILER_LAUNCHER sets it (top-level CMakeLists.txt).
# GRASSROOTS_PCH is the switch (top-level CMakeLists.txt).
set(GRASSROOTS_PCH_CODE_HEADERS
  <algorithm> <atomic> <chrono> <cstdint> <functional> <map> <memory> <optional> <set> <string>
  <string_view> <thread> <utility> <vector>
  <grpcpp/grpcpp.h>
  <google/protobuf/message.h>
  <google/protobuf/util/json_util.h>
  <cppconn/connection.h> <cppconn/prepared_statement.h> <cppconn/resultset.h>
  <nlohmann/json.hpp>
  <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h> <absl/strings/str_join.h>
  <absl/strings/match.h> <absl/time/civil_time.h> <absl/time/time.h> <absl/synchronization/mutex.h>)
set(GRASSROOTS_PCH_TEST_HEADERS ${GRASSROOTS_PCH_CODE_HEADERS} <gtest/gtest.h> <gmock/gmock.h>)

if(GRASSROOTS_PCH)
  if(GRASSROOTS_BUILD_TESTS)
    find_package(GTest CONFIG REQUIRED)
  endif()
  set(pch_source ${CMAKE_BINARY_DIR}/grassroots_pch.cc)
  file(WRITE ${pch_source} "// The translation unit that builds a precompiled header (cmake/Precompiled.cmake).\n")
  add_library(grassroots_pch_code STATIC ${pch_source})
  target_link_libraries(grassroots_pch_code PRIVATE
    gRPC::grpc++ protobuf::libprotobuf absl::status absl::statusor absl::strings absl::time absl::synchronization
    nlohmann_json::nlohmann_json MySQLCppConn::MySQLCppConn grassroots_warnings)
  target_precompile_headers(grassroots_pch_code PRIVATE ${GRASSROOTS_PCH_CODE_HEADERS})

  if(GRASSROOTS_BUILD_TESTS)
  add_library(grassroots_pch_tests STATIC ${pch_source})
  target_link_libraries(grassroots_pch_tests PRIVATE
    gRPC::grpc++ protobuf::libprotobuf absl::status absl::statusor absl::strings absl::time absl::synchronization
    nlohmann_json::nlohmann_json MySQLCppConn::MySQLCppConn GTest::gtest GTest::gmock grassroots_warnings)
  target_precompile_headers(grassroots_pch_tests PRIVATE ${GRASSROOTS_PCH_TEST_HEADERS})
  # At the level of the test code (tests/unit and tests/integration).
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    target_compile_options(grassroots_pch_tests PRIVATE -O1)
  endif()
  endif()
endif()

# Whether `target` links GoogleTest, directly or through the libraries it links.
function(_grassroots_links_gtest target out)
  set(seen "")
  set(queue ${target})
  set(found FALSE)
  while(queue AND NOT found)
    list(POP_FRONT queue current)
    if(current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    if(current MATCHES "^GTest::")
      set(found TRUE)
    elseif(TARGET ${current})
      get_target_property(aliased ${current} ALIASED_TARGET)
      if(aliased)
        list(APPEND queue ${aliased})
        continue()
      endif()
      get_target_property(imported ${current} IMPORTED)
      if(imported)
        continue()
      endif()
      get_target_property(type ${current} TYPE)
      set(props INTERFACE_LINK_LIBRARIES)
      if(NOT type STREQUAL "INTERFACE_LIBRARY")
        list(APPEND props LINK_LIBRARIES)
      endif()
      foreach(prop IN LISTS props)
        get_target_property(links ${current} ${prop})
        if(links)
          foreach(link IN LISTS links)
            # $<LINK_ONLY:x> and friends: the name inside.
            string(REGEX REPLACE "^\\$<[A-Z_]+:(.*)>$" "\\1" link "${link}")
            list(APPEND queue ${link})
          endforeach()
        endif()
      endforeach()
    endif()
  endwhile()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# Gives every C++ library and executable under `dir` (recursively) one of the
# two precompiled headers. Called once, after every target is declared.
function(grassroots_precompile_targets dir)
  if(NOT GRASSROOTS_PCH)
    return()
  endif()
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      continue()
    endif()
    if(target MATCHES "^grassroots_pch_")
      continue()
    endif()
    _grassroots_links_gtest(${target} with_gtest)
    if(with_gtest)
      target_precompile_headers(${target} REUSE_FROM grassroots_pch_tests)
    else()
      target_precompile_headers(${target} REUSE_FROM grassroots_pch_code)
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    grassroots_precompile_targets(${subdir})
  endforeach()
endfunction()
