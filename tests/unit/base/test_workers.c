/*
 * tests/unit/base/test_workers.c: the background workers' list (server/base/workers.h) starts them
 * in the order added, halts them in that order, releases none before every one is halted, and
 * starts and stops once however often asked.
 */
#include <string.h>

#include "server/base/workers.h"
#include "test.h"

static char trail[64];

static void note(char what, void *ctx)
{
    size_t n = strlen(trail);
    trail[n] = what;
    trail[n + 1] = *(const char *)ctx;
    trail[n + 2] = '\0';
}

static void start(void *ctx)
{
    note('s', ctx);
}
static void halt(void *ctx)
{
    note('h', ctx);
}
static void release(void *ctx)
{
    note('r', ctx);
}

static const ddb_worker_kind KIND = {"test", start, halt, release};

TEST(workers_start_and_stop_in_order)
{
    ddb_workers ws = {0};
    char a = 'a', b = 'b', c = 'c';

    ddb_workers_add(&ws, &KIND, &a);
    ddb_workers_add(&ws, &KIND, &b);
    ddb_workers_add(&ws, &KIND, &c);
    trail[0] = '\0';
    ddb_workers_start(&ws);
    ddb_workers_start(&ws); /* running already: nothing */
    ASSERT_STR_EQ(trail, "sasbsc");
    trail[0] = '\0';
    ddb_workers_stop(&ws);
    ASSERT_STR_EQ(trail, "hahbhcrarbrc");
    trail[0] = '\0';
    ddb_workers_stop(&ws); /* stopped already: nothing */
    ASSERT_STR_EQ(trail, "");
    ddb_workers_start(&ws); /* and again, as after a snapshot */
    ASSERT_STR_EQ(trail, "sasbsc");
}
