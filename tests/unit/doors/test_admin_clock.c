/*
 * tests/unit/doors/test_admin_clock.c: POST /ddbd/clock (server/doors/clock_door.c) on a frozen clock:
 * an advance of n lands on exactly n more, every time. It once read the system clock twice (for
 * the reading and for the offset) and, when a millisecond ticked between the two reads, landed one
 * short: on a loaded machine js.consistency's lag then ended a millisecond late (issue 60).
 */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "server/base/clock.h"
#include "server/doors/admin.h"
#include "server/server.h"
#include "tests/harness/inproc.h"

static int post(ddb_admin *adm, const char *body, ddb_buf *out)
{
    out->len = 0;
    return ddb_admin_handle(adm, "POST", "/ddbd/clock", 11, body, strlen(body), out);
}

/* Many steps: a tick between two reads of the system clock comes now and then, not on cue. */
#define STEPS 100000

TEST(a_frozen_clock_advances_by_exactly_the_step)
{
    inproc_server *s = inproc_open(NULL, 1);
    ddb_admin adm;
    ddb_buf out = {0};
    uint64_t start;
    unsigned short_steps = 0;

    ASSERT(s != NULL);
    ddb_admin_open(&adm, s->server);
    ASSERT_EQ(post(&adm, "{\"freeze\": true}", &out), 200);
    start = ddb_clock_now_ms();
    for (unsigned i = 1; i <= STEPS; i++) {
        ASSERT_EQ(post(&adm, "{\"advance\": 1}", &out), 200);
        short_steps += ddb_clock_now_ms() != start + i;
        start += ddb_clock_now_ms() - (start + i); /* count each short step once */
    }
    ASSERT_EQ(short_steps, 0);
    ASSERT_EQ(post(&adm, "{\"advance\": 86400000}", &out), 200);
    ASSERT_EQ(ddb_clock_now_ms(), start + STEPS + 86400000ull);
    ASSERT_EQ(post(&adm, "{\"set\": 1000}", &out), 200);
    ASSERT_EQ(ddb_clock_now_ms(), 1000);
    ASSERT_EQ(post(&adm, "{\"run\": true}", &out), 200);
    ddb_buf_free(&out);
    ddb_admin_close(&adm);
    inproc_close(s);
}
