# integrations/integrations.cmake: the test-runner integrations (docs/testing.md), one ctest case
# each, included by tests/tests.cmake.
#  - integrations.pytest (compat): the pytest plugin, inner suites run by pytester, with xdist.
#  - integrations.vitest, integrations.jest (js): the vitest/jest global setup, a vitest and a jest
#    suite run by node --test, on two workers and on eight (more than the CPUs; about 40 s each).
#  - integrations.clock (js): ddbd.mjs's clock, startDdbd's and globalSetup's frozen start, under
#    vitest and jest (test/clock/).
#  - integrations.go (tools): `go test` of the Go helper, offline with Debian's SDK.
#  - docker.testcontainers (docker): the Testcontainers module against the image docker.image built.
set(DDB_INTEGRATIONS ${CMAKE_SOURCE_DIR}/integrations)

add_test(NAME integrations.pytest
         COMMAND ${DDB_PYTHON3} -m pytest -q -p no:cacheprovider test_ddbd_pytest.py
         WORKING_DIRECTORY ${DDB_INTEGRATIONS}/pytest)
# Its bound is a hang's, sized as the compat files' (tests/tests.cmake): alone at load 4 it took 52 s,
# and a fresh-clone run beside other work (load 4 to 25 on 2 cores) ran past the 120 s it had
# (issue 72); its inner suites run with xdist workers, each a ddbd and a Python.
set_tests_properties(integrations.pytest PROPERTIES LABELS compat TIMEOUT 600
                     ENVIRONMENT "DDBD_BIN=${CMAKE_BINARY_DIR}/ddbd")

if(NODE AND EXISTS ${DDB_INTEGRATIONS}/node/node_modules)
  add_test(NAME integrations.vitest COMMAND ${NODE} --test test/vitest.test.mjs
           WORKING_DIRECTORY ${DDB_INTEGRATIONS}/node)
  set_tests_properties(integrations.vitest PROPERTIES LABELS js TIMEOUT 300
                       ENVIRONMENT "DDBD_BIN=${CMAKE_BINARY_DIR}/ddbd")
  add_test(NAME integrations.jest COMMAND ${NODE} --test test/jest.test.mjs
           WORKING_DIRECTORY ${DDB_INTEGRATIONS}/node)
  set_tests_properties(integrations.jest PROPERTIES LABELS js TIMEOUT 300
                       ENVIRONMENT "DDBD_BIN=${CMAKE_BINARY_DIR}/ddbd")
  add_test(NAME integrations.seed_from COMMAND ${NODE} --test test/seed_from.test.mjs
           WORKING_DIRECTORY ${DDB_INTEGRATIONS}/node)
  set_tests_properties(integrations.seed_from PROPERTIES LABELS js TIMEOUT 300
                       ENVIRONMENT "DDBD_BIN=${CMAKE_BINARY_DIR}/ddbd")
  add_test(NAME integrations.faults COMMAND ${NODE} --test test/faults.test.mjs
           WORKING_DIRECTORY ${DDB_INTEGRATIONS}/node)
  set_tests_properties(integrations.faults PROPERTIES LABELS js TIMEOUT 300
                       ENVIRONMENT "DDBD_BIN=${CMAKE_BINARY_DIR}/ddbd")
  add_test(NAME integrations.clock COMMAND ${NODE} --test test/clock.test.mjs
           WORKING_DIRECTORY ${DDB_INTEGRATIONS}/node)
  set_tests_properties(integrations.clock PROPERTIES LABELS js TIMEOUT 300
                       ENVIRONMENT "DDBD_BIN=${CMAKE_BINARY_DIR}/ddbd")
  add_test(NAME docker.testcontainers COMMAND bash ${DDB_INTEGRATIONS}/node/test/run_testcontainers.sh)
  set_tests_properties(docker.testcontainers PROPERTIES LABELS docker TIMEOUT 120 SKIP_RETURN_CODE 77
                       DEPENDS docker.image RESOURCE_LOCK host_interfaces) # (tests/tests.cmake: console.*)
else()
  message(WARNING "integrations/node not run: node or integrations/node/node_modules missing (run deploy/ddbd.sh deps)")
endif()

if(DDB_GO AND EXISTS /usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/service/dynamodb)
  add_test(NAME integrations.go COMMAND sh ${DDB_INTEGRATIONS}/go/run.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(integrations.go PROPERTIES LABELS tools TIMEOUT 300
                       ENVIRONMENT "DDBD_BIN=${CMAKE_BINARY_DIR}/ddbd")
endif()
