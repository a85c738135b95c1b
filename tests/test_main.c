/*
 * tests/test_main.c: the runner for tests/test.h. Runs every registered test (or those whose
 * names contain argv[1]) and prints one line each (with the assertions it evaluated), then
 * "N passed, N failed, N assertions".
 */
#include <stdarg.h>
#include <stdlib.h>

#include "test.h"

#define MAX_TESTS 2048

static struct {
    const char *name;
    ddb_test_fn fn;
} tests[MAX_TESTS];
static int ntests;
int ddb_test_failed;
unsigned long ddb_test_asserts;

void ddb_test_register(const char *name, ddb_test_fn fn)
{
    if (ntests == MAX_TESTS)
        abort();
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

void ddb_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    ddb_test_failed = 1;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;

    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
            continue;
        unsigned long before = __atomic_load_n(&ddb_test_asserts, __ATOMIC_RELAXED);
        ddb_test_failed = 0;
        tests[i].fn();
        printf("%s %s (%lu assertions)\n", ddb_test_failed ? "FAIL" : "ok  ", tests[i].name,
               __atomic_load_n(&ddb_test_asserts, __ATOMIC_RELAXED) - before);
        if (ddb_test_failed)
            failed++;
        else
            passed++;
    }
    printf("%d passed, %d failed, %lu assertions\n", passed, failed, ddb_test_asserts);
    return failed ? 1 : 0;
}
