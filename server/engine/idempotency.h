/*
 * server/engine/idempotency.h: TransactWriteItems' ClientRequestToken.
 *
 * DynamoDB makes a transaction with a token idempotent for 10 minutes after its first call
 * completes: the same token with the same parameters succeeds again without applying twice; with
 * other parameters it is IdempotentParameterMismatchException; while the first call still runs,
 * TransactionInProgressException. ddbd keeps, per token, a record in the metadata space
 * ("txn/token/<token>": expiry in ms, big-endian, the 32-byte digest of the request, then, only
 * when an injected latency holds the answer past the commit, the call's end in ms) written
 * in the same atomic commit as the transaction. Its life counts from the call's completion on the
 * server's clock: the commit itself (not the decision before it, which a held call may leave far
 * behind), plus the answer's injected latency when a fault holds it (api/faults/inject.h: the call runs
 * until its answer goes, and stays in progress meanwhile). The record is written so a restart (or a kill -9) never forgets a token
 * whose transaction landed, and never remembers one whose transaction did not. The record is also
 * a key of that commit (a metadata key: storage.h), read with the items and looked at before them
 * on every decision (engine/mutation.h, ddb_txn_token): found, the call is a replay or a mismatch
 * and applies nothing. As the commit compares it when it writes, two calls with one token on two
 * gateways sharing a pool (a client's retry on another while the first still runs) cannot both
 * apply it: the one that loses decides again and finds the record. Calls in flight in this process
 * are an in-memory set (TransactionInProgress); another gateway learns that a call is still in
 * progress from its record, until the call's end (a held answer's release, on the server's clock).
 * Before the commit there is no record: a call there with the token runs, and finds the record
 * once the first commits (or commits first), answering as a replay. The background worker deletes expired records
 * (ddb_tokens_expire).
 */
#ifndef DDB_IDEMPOTENCY_H
#define DDB_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/storage/storage.h"

#define DDB_TOKEN_DIGEST_BYTES 32
#define DDB_TOKEN_TTL_MS (10 * 60 * 1000ULL)

typedef struct ddb_tokens ddb_tokens;

typedef enum ddb_token_state {
    DDB_TOKEN_NEW,         /* run the transaction: add ddb_token_record to its commit, then ddb_token_end */
    DDB_TOKEN_REPLAY,      /* already applied with these parameters: answer success, apply nothing */
    DDB_TOKEN_MISMATCH,    /* already applied with other parameters */
    DDB_TOKEN_IN_PROGRESS, /* a call with this token is running */
    DDB_TOKEN_ERROR,       /* the record could not be read */
} ddb_token_state;

/* `ttl_ms`: how long a record lives (DDB_TOKEN_TTL_MS; tests set less). */
ddb_tokens *ddb_tokens_new(uint64_t ttl_ms);
void ddb_tokens_free(ddb_tokens *t);
uint64_t ddb_tokens_ttl(const ddb_tokens *t);

/* The digest of a request's parameters (the handler passes its actions, serialized). */
void ddb_token_digest(const void *body, size_t len, unsigned char out[DDB_TOKEN_DIGEST_BYTES]);

/* DDB_TOKEN_IN_PROGRESS when a call with the token runs in this process, else DDB_TOKEN_NEW, the
   token then in flight until ddb_token_end (its record is looked at by the commit: below). */
ddb_token_state ddb_token_begin(ddb_tokens *t, const char *token);
/* The token's record as a key of the transaction's commit (a metadata key: storage.h), and what
   its value read there says: REPLAY, MISMATCH, or NEW when absent or expired. */
void ddb_token_key(ddb_arena *a, const char *token, ddb_store_key *out);
ddb_token_state ddb_token_state_of(const char *val, size_t vlen, const unsigned char digest[DDB_TOKEN_DIGEST_BYTES],
                                   uint64_t now_ms);
/* Adds the token's record to the transaction's commit at commit_ms: in progress until done_ms, when
   the call completes (later than the commit when its answer is held), expiring ttl after it. */
void ddb_token_record(ddb_tokens *t, ddb_batch *b, ddb_arena *a, const char *token,
                      const unsigned char digest[DDB_TOKEN_DIGEST_BYTES], uint64_t commit_ms, uint64_t done_ms);
/* The call is over: now, or (until_ms > 0) once the server's clock reaches until_ms, while its
   answer is held (an injected latency): until then the token is still in progress. */
void ddb_token_end(ddb_tokens *t, const char *token, uint64_t until_ms);

/* The bytes a token's record takes, as the memory budget counts them (engine/history/retention.h), and
   those of every stored record (a recount). */
uint64_t ddb_token_record_bytes(const char *token);
uint64_t ddb_tokens_bytes(ddb_store *s);

/* Deletes the records expired at now_ms and then, for the memory budget, the unexpired ones that
   expire first until they add up to `oldest_bytes` (0: none); *freed gets the bytes of all it
   deleted. Returns how many it deleted, or -1 on a storage error. */
long ddb_tokens_expire(ddb_tokens *t, ddb_store *s, uint64_t now_ms, uint64_t oldest_bytes, uint64_t *freed);

#endif
