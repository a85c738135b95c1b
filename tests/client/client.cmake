# tests/client/client.cmake: libddb's tests, all ctest cases named client.*:
#  - client.<name>: tests/client/test_client_<name>.c against a ddbd the test starts on loopback
#    (DDBD_BIN) or against the scripted fault server, linked with the installed-API library only;
#  - client.sigv4: the Signature V4 vectors (tests/unit/proto/test_sigv4.c, also unit.proto.test_sigv4);
#  - client.valgrind.<name>: the same under valgrind, failing on any error or leak (not in
#    sanitizer builds, where AddressSanitizer's LeakSanitizer does that job);
#  - client.install: cmake --install into a temporary prefix, build examples/ with pkg-config (the
#    commands of docs/client.md), run them against ddbd, and the `ddb` tool; the default prefix
#    (/usr/local) too when DDB_TEST_SYSTEM_INSTALL=1 (tests/client/install_system_test.sh).

set(DDB_CLIENT_TEST_ENV "DDBD_BIN=${CMAKE_BINARY_DIR}/ddbd")
file(GLOB DDB_CLIENT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/client/test_client_*.c)
find_program(DDB_VALGRIND valgrind)
foreach(src ${DDB_CLIENT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^test_client_" "" short ${name})
  add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/test_main.c ${CMAKE_SOURCE_DIR}/tests/client/harness.c
                 ${CMAKE_SOURCE_DIR}/tests/client/faultsrv.c ${CMAKE_SOURCE_DIR}/proto/crc32.c)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/tests/client ${DDB_INCLUDE_ROOTS})
  target_link_libraries(${name} PRIVATE ddb Threads::Threads)
  add_dependencies(${name} ddbd)
  add_test(NAME client.${short} COMMAND ${name})
  set_tests_properties(client.${short} PROPERTIES LABELS client TIMEOUT 300 ENVIRONMENT "${DDB_CLIENT_TEST_ENV}")
  if(DDB_VALGRIND AND NOT DDB_SANITIZE AND NOT DDB_FUZZ)
    add_test(NAME client.valgrind.${short}
             COMMAND ${DDB_VALGRIND} -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
                     --errors-for-leak-kinds=definite,indirect ${CMAKE_BINARY_DIR}/${name})
    set_tests_properties(client.valgrind.${short} PROPERTIES LABELS client TIMEOUT 600
                         ENVIRONMENT "${DDB_CLIENT_TEST_ENV}")
  endif()
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endforeach()

add_test(NAME client.sigv4 COMMAND test_proto_sigv4)
set_tests_properties(client.sigv4 PROPERTIES LABELS client TIMEOUT 60)

# Not in sanitizer builds: the installed library is then instrumented and programs linked against
# it would need the sanitizer runtimes, which is not what a user of the installed library gets.
find_program(DDB_SH sh)
if(NOT DDB_SANITIZE AND NOT DDB_FUZZ)
  add_test(NAME client.install
           COMMAND ${DDB_SH} ${CMAKE_SOURCE_DIR}/tests/client/install_test.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
  set_tests_properties(client.install PROPERTIES LABELS client TIMEOUT 600 ENVIRONMENT "${DDB_CLIENT_TEST_ENV}")
endif()
