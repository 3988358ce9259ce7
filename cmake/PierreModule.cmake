# Shared compile settings and the one way to declare a module.
#
# pierre_module(NAME core SOURCES a.cpp b.cpp DEPS pierre::other PUBLIC_LIBS fmt::fmt)
# creates the static library pierre_<NAME> (alias pierre::<NAME>) whose public headers live in
# src/<NAME>/include/pierre/<NAME>/; only modules listed in DEPS are visible to it, which is how the
# dependency direction in docs/ARCHITECTURE.md is enforced by the build.

add_library(pierre_build_flags INTERFACE)
target_compile_options(pierre_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
# Boost 1.74 asio trips / maybe-uninitialized in optimised builds; these come from system headers
# that are already marked SYSTEM, but some warnings are reported at our call sites.
target_compile_options(pierre_build_flags INTERFACE $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
# A unity build compiles each source as an #included file of a generated one, where GCC's -Wsubobject-linkage (meant
# for headers) would flag every class of ours that holds a type from a file-local anonymous namespace.
if(CMAKE_UNITY_BUILD)
  target_compile_options(pierre_build_flags INTERFACE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
endif()
if(PIERRE_WERROR)
  target_compile_options(pierre_build_flags INTERFACE -Werror)
endif()
if(PIERRE_SANITIZE)
  target_compile_options(pierre_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                      -fno-sanitize-recover=undefined)
  target_link_options(pierre_build_flags INTERFACE -fsanitize=address,undefined)
endif()
# LLVM's linker: the sanitizer tree's programs carry debug info for everything they link, and GNU ld spent minutes of
# each cold `make test` (tens of seconds per program) where lld takes a few.
find_program(PIERRE_LLD ld.lld)
if(PIERRE_LLD)
  target_link_options(pierre_build_flags INTERFACE -fuse-ld=lld)
endif()
target_compile_definitions(pierre_build_flags INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW PIERRE_VERSION="${PROJECT_VERSION}")

function(pierre_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(pierre_${M_NAME} STATIC ${M_SOURCES})
  add_library(pierre::${M_NAME} ALIAS pierre_${M_NAME})
  target_include_directories(pierre_${M_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                              PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(pierre_${M_NAME} PUBLIC ${M_DEPS} ${M_PUBLIC_LIBS} PRIVATE ${M_PRIVATE_LIBS}
                                         pierre_build_flags)
endfunction()

# pierre_test(NAME core_error SOURCES error_test.cpp DEPS pierre::core)
function(pierre_test)
  cmake_parse_arguments(T "" "NAME;LABELS" "SOURCES;DEPS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gtest_main GTest::gmock pierre_build_flags)
  gtest_discover_tests(${T_NAME} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS "${T_LABELS}")
endfunction()
