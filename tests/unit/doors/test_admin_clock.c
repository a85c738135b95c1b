/*
 * tests/unit/doors/test_admin_clock.c: POST /ddbd/clock (server/doors/clock_door.c) on a frozen clock:
 * an advance of n lands on exactly n more, every time. It once read the system clock twice (for
 * the reading and for the offset) and, when a millisecond ticked between the two reads, landed one
 * short: on a loaded machine js.consistency's lag then ended a millisecond late (issue 60).
 *
 * And a step waits for the store's quiesce (a reopen in place after a stuck resume), which stops the
 * engine's workers: the door once stepped them on while the reopen freed them, and the server died
 * (security.test_disk_full, about one run in sixty on a loaded machine).
 */
#include "test.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* What the quiesce's function and the door's thread share. */
typedef struct quiesce_race {
    ddb_admin *adm;
    int door_status; /* the step's answer, once it returned */
    int door_done;   /* atomic: the step returned */
    int seen_done;   /* whether the step returned while the quiesce ran */
    pthread_t door;
} quiesce_race;

static void *door_main(void *arg)
{
    quiesce_race *r = arg;
    ddb_buf out = {0};

    r->door_status = post(r->adm, "{\"advance\": 1000}", &out);
    ddb_buf_free(&out);
    __atomic_store_n(&r->door_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Inside the quiesce: a step sent now must not be answered before it ends. The wait for its answer
   is bounded (300 ms) only so that a step that is not held is seen: held, it never comes. */
static void in_quiesce(void *arg)
{
    quiesce_race *r = arg;
    const struct timespec ms = {0, 1000 * 1000};

    if (pthread_create(&r->door, NULL, door_main, r) != 0)
        return;
    for (int i = 0; i < 300 && !__atomic_load_n(&r->door_done, __ATOMIC_ACQUIRE); i++)
        nanosleep(&ms, NULL);
    r->seen_done = __atomic_load_n(&r->door_done, __ATOMIC_ACQUIRE);
}

TEST(a_step_waits_for_the_stores_quiesce)
{
    inproc_server *s = inproc_open(NULL, 1);
    ddb_admin adm;
    ddb_buf out = {0};
    quiesce_race r = {.adm = &adm};
    uint64_t start;

    ASSERT(s != NULL);
    ddb_admin_open(&adm, s->server);
    ASSERT_EQ(post(&adm, "{\"freeze\": true}", &out), 200);
    start = ddb_clock_now_ms();
    ASSERT_EQ(ddb_server_quiesced(s->server, in_quiesce, &r), 0);
    pthread_join(r.door, NULL);
    ASSERT_EQ(r.seen_done, 0);  /* held while the workers were stopped */
    ASSERT_EQ(r.door_status, 200); /* and then stepped them */
    ASSERT_EQ(ddb_clock_now_ms(), start + 1000);
    ASSERT_EQ(post(&adm, "{\"run\": true}", &out), 200);
    ddb_buf_free(&out);
    ddb_admin_close(&adm);
    inproc_close(s);
}
