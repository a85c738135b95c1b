/*
 * tests/test.h: a tiny unit-test framework. TEST(name) registers a test; ASSERT_* print both
 * operands and the location on failure and end the current test. Each tests/unit/<layer>/test_*.c
 * is its own executable, linked with tests/test_main.c, registered with ctest by tests/tests.cmake.
 * Every assertion evaluated is counted (ddb_test_asserts, in the runner's summary), so a change
 * to a test's structure can be checked for the same work before and after.
 */
#ifndef DDB_TEST_H
#define DDB_TEST_H

#include <stdio.h>
#include <string.h>

typedef void (*ddb_test_fn)(void);
void ddb_test_register(const char *name, ddb_test_fn fn);
void ddb_test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
extern int ddb_test_failed; /* set by ddb_test_fail; the runner resets it per test */
extern unsigned long ddb_test_asserts; /* assertions evaluated (any thread) */

/* Counts one assertion; for helpers that assert on their own (CHECK in a test file, say). */
#define TEST_COUNT_ASSERT() __atomic_fetch_add(&ddb_test_asserts, 1, __ATOMIC_RELAXED)

#define TEST(name)                                                                                                     \
    static void name(void);                                                                                            \
    __attribute__((constructor)) static void register_##name(void) { ddb_test_register(#name, name); }                \
    static void name(void)

#define ASSERT(cond)                                                                                                   \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        if (!(cond)) {                                                                                                 \
            ddb_test_fail(__FILE__, __LINE__, "ASSERT(%s)", #cond);                                                    \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define ASSERT_EQ(a, b)                                                                                                \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                                            \
        if (a_ != b_) {                                                                                                \
            ddb_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);                               \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

/* ASSERT_EQ that cleans up: jumps to the test's `out:` label. */
#define CHECK_EQ(a, b)                                                                                                 \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                                            \
        if (a_ != b_) {                                                                                                \
            ddb_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);                               \
            goto out;                                                                                                  \
        }                                                                                                              \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                                            \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                                               \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                                                         \
            ddb_test_fail(__FILE__, __LINE__, "%s == %s:\n    \"%s\"\n != \"%s\"", #a, #b, a_ ? a_ : "(null)",         \
                          b_ ? b_ : "(null)");                                                                         \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define ASSERT_NULL(p)                                                                                                 \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        const void *p_ = (const void *)(p);                                                                            \
        if (p_ != NULL) {                                                                                              \
            ddb_test_fail(__FILE__, __LINE__, "%s is not NULL", #p);                                                   \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define ASSERT_MEM_EQ(a, alen, b, blen)                                                                                \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        size_t al_ = (alen), bl_ = (blen);                                                                             \
        if (al_ != bl_ || memcmp((a), (b), al_) != 0) {                                                                \
            ddb_test_fail(__FILE__, __LINE__, "%s (%zu bytes) != %s (%zu bytes)", #a, al_, #b, bl_);                   \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
