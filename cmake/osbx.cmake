# Helpers shared by every module folder.
#
#   osbx_library(NAME SRCS a.cc b.cc DEPS other_lib ...)   a static library of one module
#   osbx_test(NAME SRCS a_test.cc DEPS lib ...)            a GoogleTest binary registered with CTest
#   osbx_executable(NAME SRCS main.cc DEPS ...)            a program
#
# Our own code builds with warnings as errors; third-party headers are included as system headers.

set(OSBX_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  list(APPEND OSBX_WARNINGS -Wthread-safety)
endif()
# GCC 12's optimiser reports false -Wnull-dereference / -Wrestrict / -Wmaybe-uninitialized /
# -Warray-bounds / -Wstringop-overflow positives inside Boost.Asio, nlohmann and libstdc++ code it
# inlined into ours. Optimised builds keep them as warnings; Debug builds (the tests) keep every
# warning an error.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND OSBX_WARNINGS
       $<$<NOT:$<CONFIG:Debug>>:-Wno-error=null-dereference>
       $<$<NOT:$<CONFIG:Debug>>:-Wno-error=restrict>
       $<$<NOT:$<CONFIG:Debug>>:-Wno-error=maybe-uninitialized>
       $<$<NOT:$<CONFIG:Debug>>:-Wno-error=array-bounds>
       $<$<NOT:$<CONFIG:Debug>>:-Wno-error=stringop-overflow>)
endif()

function(osbx_apply_common target)
  target_compile_options(${target} PRIVATE ${OSBX_WARNINGS})
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/gen)
  if(OSBX_SANITIZE)
    target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer
                           -fno-sanitize-recover=undefined)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

function(osbx_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  osbx_apply_common(${name})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

function(osbx_executable name)
  cmake_parse_arguments(ARG "" "OUTPUT_NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  osbx_apply_common(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  if(ARG_OUTPUT_NAME)
    set_target_properties(${name} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
endfunction()

# Tests run from the source root so they can read config/ and shared fixtures by relative path.
function(osbx_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  osbx_apply_common(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
                       ENVIRONMENT "OSBX_BUILD_DIR=${CMAKE_BINARY_DIR}")
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()
