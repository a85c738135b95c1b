/*
 * tests/unit/engine/test_idempotency.c: ClientRequestToken records and calls in flight
 * (engine/idempotency.h): the states a token goes through, the record's expiry, and the sweep
 * that never deletes a record a call in flight is about to rewrite.
 */
#include <stdlib.h>
#include <string.h>

#include "server/engine/idempotency.h"
#include "test.h"
#include "test_store.h"

static void digest_of(const char *text, unsigned char *out)
{
    ddb_token_digest(text, strlen(text), out);
}

/* Runs a "transaction" that only writes the token's record, as the handler's commit would. */
static void commit_record(ddb_tokens *t, ddb_store *s, const char *token, const unsigned char *d, uint64_t now)
{
    ddb_arena a;
    ddb_batch b;

    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_token_record(t, &b, &a, token, d, now);
    ddb_store_write(s, &b);
    ddb_arena_free(&a);
}

static ddb_token_state begin(ddb_tokens *t, ddb_store *s, const char *token, const unsigned char *d, uint64_t now)
{
    ddb_arena a;
    ddb_token_state st;

    ddb_arena_init(&a);
    st = ddb_token_begin(t, s, &a, token, d, now);
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
    ddb_token_end(t, "tok");
    ddb_token_end(t, "other"); /* its transaction failed: no record */
    ASSERT_EQ(begin(t, s, "tok", d1, 300), DDB_TOKEN_REPLAY);
    ASSERT_EQ(begin(t, s, "tok", d2, 300), DDB_TOKEN_MISMATCH);
    ASSERT_EQ(begin(t, s, "other", d2, 300), DDB_TOKEN_NEW);
    ddb_token_end(t, "other");
    /* the record lives ttl (1000 ms) after the commit (200) */
    ASSERT_EQ(begin(t, s, "tok", d2, 1199), DDB_TOKEN_MISMATCH);
    ASSERT_EQ(begin(t, s, "tok", d2, 1200), DDB_TOKEN_NEW);
    ddb_token_end(t, "tok");
    ddb_tokens_free(t);
    ddb_store_close(s);
}

TEST(sweep_deletes_expired_records_only)
{
    ddb_store *s = mem_store(1);
    ddb_tokens *t = ddb_tokens_new(1000);
    unsigned char d[DDB_TOKEN_DIGEST_BYTES];

    digest_of("r", d);
    commit_record(t, s, "old", d, 0);
    commit_record(t, s, "young", d, 5000);
    ASSERT_EQ(ddb_tokens_expire(t, s, 3000), 1);
    ASSERT_EQ(ddb_tokens_expire(t, s, 3000), 0);
    ASSERT_EQ(begin(t, s, "young", d, 3000), DDB_TOKEN_REPLAY);
    ASSERT_EQ(begin(t, s, "old", d, 3000), DDB_TOKEN_NEW);
    /* "old" is in flight again: the sweep leaves its (expired) record to the call that rewrites it */
    commit_record(t, s, "old", d, 0);
    ASSERT_EQ(ddb_tokens_expire(t, s, 3000), 0);
    ddb_token_end(t, "old");
    ASSERT_EQ(ddb_tokens_expire(t, s, 7000), 2);
    ddb_tokens_free(t);
    ddb_store_close(s);
}
