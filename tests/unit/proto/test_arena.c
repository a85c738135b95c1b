/*
 * tests/unit/proto/test_arena.c: the arena gives a large request's memory back to the system at
 * its reset (issue 49: 64 KiB chunks freed to malloc stayed in its heap, 235 MB a thread), keeps
 * what it may reuse, and hands out sound memory across resets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto/arena.h"
#include "test.h"

static long rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");

    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kb;
}

/* What AddressSanitizer keeps of a range the test touched: a shadow byte for every 8 (its
   mapping scale on x86_64 and arm64). The checks of the fill read the shadow of the 64 MB, and on a
   machine with no shared zero page (a VM booted with pvm_no_zero_page: a read of an untouched page
   gives it a page of its own) those reads commit 8 MB, which the sanitizer keeps after the arena
   unmaps the chunks. That memory is the sanitizer's, not the arena's. */
#if defined(__SANITIZE_ADDRESS__)
#define SHADOW_KB(bytes) ((long)((bytes) / 8 / 1024))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHADOW_KB(bytes) ((long)((bytes) / 8 / 1024))
#endif
#endif
#ifndef SHADOW_KB
#define SHADOW_KB(bytes) 0L
#endif

/* Fills 64 MB in small allocations, as a JSON tree of a 15 MB body does. */
static void fill(ddb_arena *a, size_t bytes)
{
    for (size_t n = 0; n < bytes; n += 40)
        memset(ddb_arena_alloc(a, 40), 0x5a, 40);
}

TEST(reset_gives_a_large_request_back)
{
    ddb_arena a;
    long before, during, after;

    ddb_arena_init(&a);
    fill(&a, 1000); /* the first chunk, kept */
    ddb_arena_reset(&a);
    before = rss_kb();
    fill(&a, 64u << 20);
    during = rss_kb();
    ddb_arena_reset(&a);
    after = rss_kb();
    ASSERT(during - before > 60 * 1024);
    /* the first chunk and DDB_ARENA_KEEP at most stay (and, sanitized, the fill's shadow) */
    ASSERT(after - before < 4 * 1024 + SHADOW_KB(64u << 20));
    ASSERT_EQ(a.total, 0);
    ddb_arena_free(&a);
}

TEST(memory_is_sound_across_resets_and_sizes)
{
    static const size_t sizes[] = {8, 100, 70000, 300000, 5u << 20, 24, 9u << 20, 1};
    ddb_arena a;

    ddb_arena_init(&a);
    for (int round = 0; round < 4; round++) {
        unsigned char *p[sizeof(sizes) / sizeof(sizes[0])];
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            p[i] = ddb_arena_alloc(&a, sizes[i]);
            ASSERT_EQ((uintptr_t)p[i] % 8, 0);
            memset(p[i], (int)(i + round), sizes[i]);
        }
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
            ASSERT(p[i][0] == (unsigned char)(i + round) && p[i][sizes[i] - 1] == (unsigned char)(i + round));
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    ASSERT(a.head == NULL && a.spare == NULL);
}
