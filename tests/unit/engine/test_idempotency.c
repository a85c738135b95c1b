/*
 * tests/unit/engine/test_idempotency.c: ClientRequestToken records and calls in flight
 * (engine/idempotency.h): the states a token goes through, the record's expiry, and the sweep
 * that never deletes a record a call in flight is about to rewrite, and a call in progress until its
 * held answer goes.
 */
#include <stdlib.h>
#include <string.h>

#include "server/base/clock.h"
#include "server/engine/idempotency.h"
#include "test.h"
#include "test_store.h"

static void digest_of(const char *text, unsigned char *out)
{
    ddb_token_digest(text, strlen(text), out);
}

/* Runs a "transaction" that only writes the token's record, as the handler's commit would: committed
   at `now`, its call over at `done` (later when its answer is held). */
static void commit_held(ddb_tokens *t, ddb_store *s, const char *token, const unsigned char *d, uint64_t now,
                        uint64_t done)
{
    ddb_arena a;
    ddb_batch b;

    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_token_record(t, &b, &a, token, d, now, done);
    ddb_store_write(s, &b);
    ddb_arena_free(&a);
}

static void commit_record(ddb_tokens *t, ddb_store *s, const char *token, const unsigned char *d, uint64_t now)
{
    commit_held(t, s, token, d, now, now);
}

/* A call's verdict as the handler and its commit reach it: in flight here (ddb_token_begin), then
   the record the commit reads first (ddb_token_key, ddb_token_state_of); a replay or a mismatch
   ends the call, a NEW one stays in flight until the test ends it. */
static ddb_token_state begin(ddb_tokens *t, ddb_store *s, const char *token, const unsigned char *d, uint64_t now)
{
    ddb_arena a;
    ddb_store_key k;
    ddb_token_state st = ddb_token_begin(t, token);

    if (st != DDB_TOKEN_NEW)
        return st;
    ddb_arena_init(&a);
    ddb_token_key(&a, token, &k);
    if (!k.meta || ddb_store_meta_get(s, &a, k.key, k.klen, &k.val, &k.vlen) != DDB_STORE_OK)
        st = DDB_TOKEN_ERROR;
    else
        st = ddb_token_state_of(k.val, k.vlen, d, now);
    if (st != DDB_TOKEN_NEW)
        ddb_token_end(t, token, 0);
    ddb_arena_free(&a);
    return st;
}

TEST(token_new_in_progress_replay_mismatch)
{
    ddb_store *s = mem_store(2);
    ddb_tokens *t = ddb_tokens_new(1000);
    unsigned char d1[DDB_TOKEN_DIGEST_BYTES], d2[DDB_TOKEN_DIGEST_BYTES];

    digest_of("request one", d1);
    digest_of("request two", d2);
    ASSERT_EQ(begin(t, s, "tok", d1, 100), DDB_TOKEN_NEW);
    ASSERT_EQ(begin(t, s, "tok", d1, 100), DDB_TOKEN_IN_PROGRESS); /* the first call is still running */
    ASSERT_EQ(begin(t, s, "other", d1, 100), DDB_TOKEN_NEW);
    commit_record(t, s, "tok", d1, 200);
    ddb_token_end(t, "tok", 0);
    ddb_token_end(t, "other", 0); /* its transaction failed: no record */
    ASSERT_EQ(begin(t, s, "tok", d1, 300), DDB_TOKEN_REPLAY);
    ASSERT_EQ(begin(t, s, "tok", d2, 300), DDB_TOKEN_MISMATCH);
    ASSERT_EQ(begin(t, s, "other", d2, 300), DDB_TOKEN_NEW);
    ddb_token_end(t, "other", 0);
    /* the record lives ttl (1000 ms) after the commit (200) */
    ASSERT_EQ(begin(t, s, "tok", d2, 1199), DDB_TOKEN_MISMATCH);
    ASSERT_EQ(begin(t, s, "tok", d2, 1200), DDB_TOKEN_NEW);
    ddb_token_end(t, "tok", 0);
    ddb_tokens_free(t);
    ddb_store_close(s);
}

TEST(sweep_deletes_expired_records_only)
{
    ddb_store *s = mem_store(1);
    ddb_tokens *t = ddb_tokens_new(1000);
    unsigned char d[DDB_TOKEN_DIGEST_BYTES];
    uint64_t freed;

    digest_of("r", d);
    commit_record(t, s, "old", d, 0);
    commit_record(t, s, "young", d, 5000);
    ASSERT_EQ(ddb_tokens_bytes(s), 2 * ddb_token_record_bytes("old") + 2);
    ASSERT_EQ(ddb_tokens_expire(t, s, 3000, 0, &freed), 1);
    ASSERT_EQ(freed, ddb_token_record_bytes("old"));
    ASSERT_EQ(ddb_tokens_expire(t, s, 3000, 0, &freed), 0);
    ASSERT_EQ(begin(t, s, "young", d, 3000), DDB_TOKEN_REPLAY);
    ASSERT_EQ(begin(t, s, "old", d, 3000), DDB_TOKEN_NEW);
    /* "old" is in flight again: the sweep leaves its (expired) record to the call that rewrites it */
    commit_record(t, s, "old", d, 0);
    ASSERT_EQ(ddb_tokens_expire(t, s, 3000, 0, &freed), 0);
    ddb_token_end(t, "old", 0);
    ASSERT_EQ(ddb_tokens_expire(t, s, 7000, 0, &freed), 2);
    ddb_tokens_free(t);
    ddb_store_close(s);
}

/* The memory budget's trim: after the expired ones, the records that expire first go, until the
   bytes asked for; the others and those in flight stay. */
TEST(budget_trim_deletes_the_records_that_expire_first)
{
    ddb_store *s = mem_store(1);
    ddb_tokens *t = ddb_tokens_new(1000);
    unsigned char d[DDB_TOKEN_DIGEST_BYTES];
    uint64_t freed, one = ddb_token_record_bytes("t1");

    digest_of("r", d);
    commit_record(t, s, "t3", d, 300);
    commit_record(t, s, "t1", d, 100);
    commit_record(t, s, "t2", d, 200);
    commit_record(t, s, "t4", d, 400);
    ASSERT_EQ(begin(t, s, "t0", d, 500), DDB_TOKEN_NEW); /* in flight: never trimmed */
    ASSERT_EQ(ddb_tokens_expire(t, s, 500, one + 1, &freed), 2);
    ASSERT_EQ(freed, 2 * one);
    ASSERT_EQ(begin(t, s, "t1", d, 500), DDB_TOKEN_NEW);
    ddb_token_end(t, "t1", 0);
    ASSERT_EQ(begin(t, s, "t2", d, 500), DDB_TOKEN_NEW);
    ddb_token_end(t, "t2", 0);
    ASSERT_EQ(begin(t, s, "t3", d, 500), DDB_TOKEN_REPLAY);
    ASSERT_EQ(begin(t, s, "t4", d, 500), DDB_TOKEN_REPLAY);
    ASSERT_EQ(ddb_tokens_bytes(s), 2 * one);
    ddb_token_end(t, "t0", 0);
    ddb_tokens_free(t);
    ddb_store_close(s);
}

TEST(a_held_answer_keeps_its_token_in_progress)
{
    ddb_store *s = mem_store(2);
    ddb_tokens *t = ddb_tokens_new(1000);
    uint64_t now = ddb_clock_now_ms();
    int64_t was = ddb_clock_offset_ms();
    unsigned char d[DDB_TOKEN_DIGEST_BYTES];

    digest_of("r", d);
    ASSERT_EQ(begin(t, s, "held", d, now), DDB_TOKEN_NEW);
    commit_held(t, s, "held", d, now, now + 60000); /* committed now, its answer held a minute */
    ddb_token_end(t, "held", now + 60000);
    ASSERT_EQ(begin(t, s, "held", d, now), DDB_TOKEN_IN_PROGRESS); /* until the answer goes */
    ddb_clock_set_offset_ms(was + 60000 + 1000);                  /* the server's clock past it */
    ASSERT_EQ(begin(t, s, "held", d, now + 60999), DDB_TOKEN_REPLAY); /* the record: 1 s from then */
    ASSERT_EQ(begin(t, s, "held", d, now + 61000), DDB_TOKEN_NEW);
    ddb_token_end(t, "held", 0);
    ddb_clock_set_offset_ms(was);
    ddb_tokens_free(t);
    ddb_store_close(s);
}

/* Another gateway of the store has none of this one's calls in flight: its verdict comes from the
   record alone (a fresh ddb_tokens), which keeps a held call in progress until its answer goes, as
   the gateway that holds it answers (it was a replay there, answered 200 while the first was held). */
TEST(a_held_answer_is_in_progress_on_another_gateway)
{
    ddb_store *s = mem_store(2);
    ddb_tokens *here = ddb_tokens_new(1000), *there = ddb_tokens_new(1000);
    unsigned char d1[DDB_TOKEN_DIGEST_BYTES], d2[DDB_TOKEN_DIGEST_BYTES];
    uint64_t freed;

    digest_of("request one", d1);
    digest_of("request two", d2);
    ASSERT_EQ(begin(here, s, "held", d1, 100), DDB_TOKEN_NEW);
    commit_held(here, s, "held", d1, 200, 500); /* committed at 200, its answer held until 500 */
    ddb_token_end(here, "held", 500);
    ASSERT_EQ(begin(there, s, "held", d1, 300), DDB_TOKEN_IN_PROGRESS);
    ASSERT_EQ(begin(there, s, "held", d2, 499), DDB_TOKEN_IN_PROGRESS); /* whatever its parameters */
    ASSERT_EQ(ddb_tokens_expire(there, s, 499, 0, &freed), 0);          /* a record, alive */
    ASSERT_EQ(begin(there, s, "held", d1, 500), DDB_TOKEN_REPLAY);     /* the answer went */
    ASSERT_EQ(begin(there, s, "held", d2, 500), DDB_TOKEN_MISMATCH);
    ASSERT_EQ(begin(there, s, "held", d1, 1499), DDB_TOKEN_REPLAY);    /* ttl after the call's end */
    ASSERT_EQ(begin(there, s, "held", d1, 1500), DDB_TOKEN_NEW);
    ddb_token_end(there, "held", 0);
    /* a call not held writes the record older binaries read, never in progress once committed */
    commit_record(here, s, "plain", d1, 2000);
    ASSERT_EQ(ddb_tokens_bytes(s), ddb_token_record_bytes("held") + 8 + ddb_token_record_bytes("plain"));
    ASSERT_EQ(begin(there, s, "plain", d1, 2000), DDB_TOKEN_REPLAY);
    ASSERT_EQ(ddb_tokens_expire(there, s, 5000, 0, &freed), 2);
    ddb_tokens_free(here);
    ddb_tokens_free(there);
    ddb_store_close(s);
}
