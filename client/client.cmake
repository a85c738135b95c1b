# client/client.cmake: libddb (shared and static), the `ddb` command-line tool, install rules and
# the pkg-config file. Included from the top-level CMakeLists.txt.
#
# libddb carries its own copy of proto/ compiled position-independent with hidden visibility, so
# the shared library exports only the DDB_EXTERN functions of include/ddb/ddb.h and the static
# archive needs no ddbd-internal library beside it.

# The library version comes from include/ddb/ddb_version.h (one place); SOVERSION is the major.
file(STRINGS ${CMAKE_SOURCE_DIR}/include/ddb/ddb_version.h DDB_VERSION_LINE REGEX "define DDB_VERSION_STRING")
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" DDB_LIB_VERSION "${DDB_VERSION_LINE}")
string(REGEX MATCH "^[0-9]+" DDB_LIB_SOVERSION "${DDB_LIB_VERSION}")

# libcrypto: the pipelined transport signs with OpenSSL's SHA-256 (proto/sigv4_sha.h: the CPU's SHA
# instructions), as ddbd's verifier hashes.
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
file(GLOB DDB_CLIENT_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/client/*.c)
add_library(ddb_client_objs OBJECT ${DDB_CLIENT_SOURCES} ${DDB_PROTO_SOURCES})
target_include_directories(ddb_client_objs PRIVATE ${DDB_INCLUDE_ROOTS}
                           ${YAJL_INCLUDE_DIRS} ${SODIUM_INCLUDE_DIRS} ${GMP_INCLUDE_DIRS} ${LIBCRYPTO_INCLUDE_DIRS})
set_target_properties(ddb_client_objs PROPERTIES POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)

add_library(ddb SHARED $<TARGET_OBJECTS:ddb_client_objs>)
target_link_libraries(ddb PRIVATE PkgConfig::YAJL PkgConfig::SODIUM PkgConfig::GMP PkgConfig::LIBCRYPTO Threads::Threads)
target_include_directories(ddb PUBLIC $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>)
set_target_properties(ddb PROPERTIES VERSION ${DDB_LIB_VERSION} SOVERSION ${DDB_LIB_SOVERSION}
                      LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

add_library(ddb_static STATIC $<TARGET_OBJECTS:ddb_client_objs>)
target_include_directories(ddb_static PUBLIC $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>)
target_link_libraries(ddb_static PUBLIC PkgConfig::YAJL PkgConfig::SODIUM PkgConfig::GMP PkgConfig::LIBCRYPTO
                      Threads::Threads)
set_target_properties(ddb_static PROPERTIES OUTPUT_NAME ddb ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# The `ddb` command-line tool, on the public API only.
include(GNUInstallDirs)
# `ddb replay` sends on libddb's pipelined transport (include/ddb/ddb_pipe.h, client/transport_pipe.c)
# and reads recordings with proto/record_line.c: it links proto's static library (hidden symbols, so
# no clash with libddb's copy); --check parses answers with yajl's tree.
# (the replayer's sources are fuzzed too: tests/fuzz/fuzz_replay.c)
set(DDB_REPLAY_SOURCES ${CMAKE_SOURCE_DIR}/client/cli/replay.c ${CMAKE_SOURCE_DIR}/client/cli/replay_order.c
    ${CMAKE_SOURCE_DIR}/client/cli/replay_check.c
    ${CMAKE_SOURCE_DIR}/client/cli/replay_faults.c ${CMAKE_SOURCE_DIR}/client/cli/replay_read.c
    ${CMAKE_SOURCE_DIR}/client/cli/replay_tokens.c
    ${CMAKE_SOURCE_DIR}/client/cli/replay_polls.c ${CMAKE_SOURCE_DIR}/client/cli/replay_keys.c)
add_executable(ddb_cli ${CMAKE_SOURCE_DIR}/client/cli/ddb_cli.c ${CMAKE_SOURCE_DIR}/client/cli/usage_diff.c
               ${DDB_REPLAY_SOURCES} ${CMAKE_SOURCE_DIR}/client/cli/import_cmd.c)
target_include_directories(ddb_cli PRIVATE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/include ${YAJL_INCLUDE_DIRS})
target_link_libraries(ddb_cli PRIVATE ddb ddb_proto m PkgConfig::YAJL PkgConfig::SODIUM Threads::Threads)
set_target_properties(ddb_cli PROPERTIES OUTPUT_NAME ddb RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}
                      INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")

string(REGEX REPLACE "[^/]+" ".." DDB_PC_UP "${CMAKE_INSTALL_LIBDIR}/pkgconfig")  # pc dir -> prefix
configure_file(${CMAKE_SOURCE_DIR}/client/ddb.pc.in ${CMAKE_BINARY_DIR}/ddb.pc @ONLY)
install(TARGETS ddb ddb_static ddb_cli
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/ddb/ddb.h ${CMAKE_SOURCE_DIR}/include/ddb/ddb_pipe.h
              ${CMAKE_SOURCE_DIR}/include/ddb/ddb_status.h
              ${CMAKE_SOURCE_DIR}/include/ddb/ddb_version.h ${CMAKE_SOURCE_DIR}/include/ddb/ddb_errors.def
              ${CMAKE_SOURCE_DIR}/include/ddb/ddb_params.def
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ddb)
install(FILES ${CMAKE_BINARY_DIR}/ddb.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# The loader finds a new library in /usr/local/lib or /usr/lib only once ldconfig has refreshed its
# cache, so an install there runs it (as `make install` of autotools libraries does). Not for
# DESTDIR (packaging) or any other prefix: programs use -Wl,-rpath or LD_LIBRARY_PATH there.
install(CODE [[
  if(NOT "$ENV{DESTDIR}" AND CMAKE_INSTALL_PREFIX MATCHES "^/usr(/local)?/?$")
    find_program(DDB_LDCONFIG ldconfig PATHS /sbin /usr/sbin)
    execute_process(COMMAND ${DDB_LDCONFIG} RESULT_VARIABLE ddb_ldconfig_rc ERROR_QUIET)
    if(NOT ddb_ldconfig_rc EQUAL 0)
      message(WARNING "ldconfig failed (${ddb_ldconfig_rc}): run it as root so libddb.so.0 can be loaded")
    endif()
  endif()
]])

# bench/libddb_bench.c: GetItem/PutItem throughput and CPU per request (bench/libddb_compare.sh).
add_executable(libddb_bench ${CMAKE_SOURCE_DIR}/bench/libddb_bench.c)
target_link_libraries(libddb_bench PRIVATE ddb Threads::Threads)
set_target_properties(libddb_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
