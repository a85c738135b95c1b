/**
 * @file ddb.h
 * @brief libddb: the C client library for ddbd (and any DynamoDB-compatible endpoint).
 *
 * This header is the library's manual. Anything not declared here (or in ddb_pipe.h, ddb_version.h,
 * ddb_status.h and the .def lists they include) is private.
 *
 * RULES THAT HOLD FOR EVERY FUNCTION
 *
 * - Status: functions return DDB_OK (0) or a ddb_status (ddb_status.h). Server errors map one to
 *   one to DDB_E_<TYPE> from ddb_errors.def; DDB_E_TRANSPORT (connection, timeout, bad HTTP),
 *   DDB_E_PROTOCOL (a reply that is not what DynamoDB sends, including a wrong x-amz-crc32),
 *   DDB_E_INVALID_ARGUMENT (something the library cannot send), DDB_E_UNKNOWN_ERROR (a __type
 *   this version does not know; ddb_result_error_type() has it) are the client's own.
 * - Ownership: every *_new / *_dup has its *_free, and *_free(NULL) is a harmless no-op. Setters
 *   COPY what they are given: the caller keeps ownership of its strings, items and lists.
 *   Getters LEND: a pointer returned by a getter is valid while the object it came from lives
 *   and is not modified (for a ddb_result: until ddb_result_free()).
 * - Results: every operation takes `ddb_result **out`. When `out` is not NULL it receives a new
 *   result on success AND on failure, so the error message, the
 *   returned item of a failed conditional write and transaction cancellation reasons can be read;
 *   the caller ddb_result_free()s it. Pass NULL when you only need the status.
 * - Threads: a ddb_client is thread-safe: share one client between any number of threads (each
 *   call borrows a pooled keep-alive connection, or opens one). Every other object (ddb_item,
 *   ddb_list, ddb_opts, ddb_result, ddb_batch, ddb_transact, ddb_table_def, ddb_pager, ddb_config)
 *   may be used by one thread at a time; objects only read by a call (const parameters) may be
 *   shared by threads that only read them.
 * - Memory: allocation failure aborts the process, as in the rest of ddbd (proto/arena.h); no
 *   function reports out-of-memory, and "NULL" returns below mean absent, never out of memory.
 * - Numbers (N, NS) are exact decimal text, never floating point: what you set is validated
 *   (38 significant digits, DynamoDB's range) and kept in DynamoDB's canonical form ("1.50" ->
 *   "1.5"); what you read is the server's text.
 * - Transport: plain HTTP/1.1 (no TLS: https endpoints are refused; use a local proxy such as stunnel),
 *   requests signed with AWS Signature V4, every reply's x-amz-crc32 checked.
 *
 * Evolution: functions and enum values are only ever added (ddb_version.h states the ABI policy).
 */
#ifndef DDB_H
#define DDB_H

#include <stddef.h>

#include "ddb/ddb_status.h"
#include "ddb/ddb_version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DDB_EXTERN __attribute__((visibility("default")))
#else
#define DDB_EXTERN
#endif

/** Version of the linked library, as DDB_VERSION_HEX; compare with the header you compiled against. */
DDB_EXTERN unsigned ddb_version(void);

/** Static name of a status, e.g. "ConditionalCheckFailedException" or "TransportError"; never NULL. */
DDB_EXTERN const char *ddb_status_name(int status);

/* ============================================================================================
 * Configuration and client
 * ========================================================================================== */

typedef struct ddb_config ddb_config; /**< how to reach and authenticate to the endpoint */
typedef struct ddb_client ddb_client; /**< credentials, a connection pool; thread-safe */

/**
 * @brief A configuration filled from the environment, as the AWS SDKs read it:
 * endpoint from AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL, else "http://localhost:8000";
 * region from AWS_REGION, else AWS_DEFAULT_REGION, else "us-east-1"; credentials from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else "local"/"local" (ddbd and
 * DynamoDB Local accept any key). Timeouts: connect 2000 ms, each socket wait 10000 ms. Retries:
 * the AWS SDKs' standard mode with DynamoDB's defaults (DDB_RETRY_STANDARD: 4 attempts, backoff
 * base 25 ms, 1000 ms after throttling, cap 20000 ms, a 500-token retry quota). Pool: 32 idle
 * connections kept. An unusable endpoint from the environment is kept as ddb_config_error().
 * @return the new configuration; free it with ddb_config_free().
 */
DDB_EXTERN ddb_config *ddb_config_new(void);
DDB_EXTERN void ddb_config_free(ddb_config *cfg);
/**
 * @brief "http://host[:port]" (port 80 by default).
 * @return DDB_OK or DDB_E_INVALID_ARGUMENT (https, no scheme, no host). The refusal is sticky:
 * ddb_config_error() says why, and ddb_client_new() refuses the configuration until a later
 * ddb_config_set_endpoint() succeeds, so an ignored error never leaves the previous endpoint in use.
 */
DDB_EXTERN int ddb_config_set_endpoint(ddb_config *cfg, const char *url);
/** Why the endpoint is unusable ("endpoint 'https://...': https is not supported ..."), or NULL. Lent. */
DDB_EXTERN const char *ddb_config_error(const ddb_config *cfg);
DDB_EXTERN int ddb_config_set_region(ddb_config *cfg, const char *region);
/** `session_token` may be NULL (sent as X-Amz-Security-Token when set). */
DDB_EXTERN int ddb_config_set_credentials(ddb_config *cfg, const char *access_key, const char *secret_key,
                                          const char *session_token);
/** `connect_ms` bounds connecting; `io_ms` bounds each wait for the socket while sending or receiving. */
DDB_EXTERN int ddb_config_set_timeouts(ddb_config *cfg, unsigned connect_ms, unsigned io_ms);
/**
 * @brief Retry modes, named as the AWS SDKs name them (AWS_RETRY_MODE).
 */
typedef enum ddb_retry_mode {
    /**
     * The SDKs' standard mode as of November 2026 with the DynamoDB client's defaults (AWS SDK for
     * JavaScript's @smithy/core 3.40+, client-dynamodb): 4 attempts; before retry n (0-based) a
     * random delay in [0, min(20000, base * 2^n)) ms, base 1000 ms after throttling and 25 ms after
     * other transient errors; a server's x-amz-retry-after (ms) lengthens the delay, by at most 5 s;
     * a retry quota of 500 tokens per client (a retry costs 5 after throttling, 14 otherwise; a
     * success gives back its last retry's cost, or 1). docs/client.md has the table.
     */
    DDB_RETRY_STANDARD = 0,
    /**
     * libddb's policy before 2026, the SDKs' "legacy" DynamoDB policy: 10 retries (at most 2 after a
     * failed connect), one 25 ms base for every error, cap 5000 ms, no quota, no x-amz-retry-after;
     * TransactionConflict and every 5xx are retried too.
     */
    DDB_RETRY_LEGACY = 1,
} ddb_retry_mode;

/**
 * @brief Sets every retry parameter to `mode`'s defaults (the setters below then change single
 * ones, so call this first).
 * @return DDB_OK, DDB_E_INVALID_ARGUMENT (no cfg, unknown mode).
 */
DDB_EXTERN int ddb_config_set_retry_mode(ddb_config *cfg, ddb_retry_mode mode);
/**
 * @brief Retry policy: up to `max_retries` retries after the first attempt (standard: 3), each
 * after a random delay in [0, min(max_delay_ms, base * 2^retry)) ("full jitter"), where base is
 * `base_delay_ms` (standard: 25) and, in DDB_RETRY_STANDARD, the throttling delay
 * (ddb_config_set_throttle_delay) after a throttling error; `max_delay_ms` (standard: 20000).
 * Retried: throttling (ProvisionedThroughputExceeded, RequestLimitExceeded, ThrottlingException,
 * TransactionInProgress, LimitExceeded, HTTP 429 ...), ReplicatedWriteConflict, 503, connection
 * failures before the request was sent. Retried ONLY for idempotent requests (reads,
 * unconditional PutItem/DeleteItem, BatchWriteItem, TransactWriteItems with a ClientRequestToken):
 * 500, 502, 504, a connection dropped after the request was sent, a timeout, a wrong x-amz-crc32,
 * since the request may have been applied. ddb_result_attempts() tells how many attempts a call made.
 * @return DDB_OK, DDB_E_INVALID_ARGUMENT (no cfg, max_delay_ms < base_delay_ms).
 */
DDB_EXTERN int ddb_config_set_retries(ddb_config *cfg, unsigned max_retries, unsigned base_delay_ms,
                                      unsigned max_delay_ms);
/** Base delay after a throttling error in DDB_RETRY_STANDARD (default 1000 ms; legacy mode has none). */
DDB_EXTERN int ddb_config_set_throttle_delay(ddb_config *cfg, unsigned base_delay_ms);
/**
 * @brief The client's retry quota in tokens (standard: 500; 0: no quota). Each client starts full;
 * a retry after throttling costs 5, any other retry 14; a call that succeeds gives back what its
 * last retry cost, or 1 when it made none, up to the full quota. With too few tokens left the
 * error is returned at once, so a failing server is not hit by every call's retries.
 */
DDB_EXTERN int ddb_config_set_retry_quota(ddb_config *cfg, unsigned tokens);
/**
 * @brief Of those retries, at most `connect_retries` (standard: 3, legacy: 2) follow a failed
 * connect (refused, unreachable, connect timeout): a server that is not listening fails the call
 * within the first backoff delays instead of all of them. 0 fails on the first refused connection.
 */
DDB_EXTERN int ddb_config_set_connect_retries(ddb_config *cfg, unsigned connect_retries);
/** Waits `ms` milliseconds between two attempts of a call, in place of the library's nanosleep(). */
typedef void (*ddb_sleep_fn)(void *arg, unsigned ms);
/**
 * @brief Replaces the sleep between attempts (and between resends of unprocessed batch items):
 * `fn(arg, ms)` is called with each backoff delay and the call goes on when it returns, so a
 * program can log, record or shorten the delays. NULL restores the library's own sleep.
 */
DDB_EXTERN int ddb_config_set_sleep(ddb_config *cfg, ddb_sleep_fn fn, void *arg);
/** Idle keep-alive connections kept per client (0: close after each request). */
DDB_EXTERN int ddb_config_set_pool_size(ddb_config *cfg, unsigned idle_connections);

/**
 * @brief Creates a client. `cfg` may be NULL (a ddb_config_new() from the environment); it is
 * copied, so it may be freed right after. Resolves the endpoint's host, opens no connection yet.
 * @param[out] out receives the client, or NULL on failure; free with ddb_client_free() once no
 * thread uses it.
 * @return DDB_OK, DDB_E_INVALID_ARGUMENT (an endpoint refused by ddb_config_set_endpoint() or
 * taken from the environment: see ddb_config_error(); unknown host).
 */
DDB_EXTERN int ddb_client_new(const ddb_config *cfg, ddb_client **out);
/** The retry quota's tokens left now (0 when the quota is off or spent). */
DDB_EXTERN unsigned ddb_client_retry_quota(const ddb_client *c);
DDB_EXTERN void ddb_client_free(ddb_client *c);

/** GET / on the endpoint: DDB_OK when it answers 200, else DDB_E_TRANSPORT (or the HTTP error). No retries. */
DDB_EXTERN int ddb_health(ddb_client *c);
/**
 * GET `path` (starting with '/', e.g. "/ddbd/usage": ddbd's admin API, docs/admin.md) on the
 * endpoint, once, unsigned (a server with --auth refuses it). No retries.
 * @param[out] body receives the reply's body, NUL-terminated, whatever the status (free() it), or
 * NULL on a transport failure; may be NULL.
 * @param[out] len its length (without the NUL); may be NULL.
 * @return DDB_OK when it answers 200; DDB_E_SERVICE_UNAVAILABLE (5xx), DDB_E_PROTOCOL (another
 * status), DDB_E_TRANSPORT, DDB_E_INVALID_ARGUMENT (a path not starting with '/' or holding a
 * space or a line break).
 */
DDB_EXTERN int ddb_get_path(ddb_client *c, const char *path, char **body, size_t *len);
/**
 * POST `json` (json_len bytes, sent as Content-Type: application/json) to `path` on the endpoint,
 * once, unsigned: ddbd's admin API's changes (e.g. "/ddbd/import", docs/import.md). No retries.
 * body, len and the return value as ddb_get_path's (DDB_E_INVALID_ARGUMENT also for a NULL json).
 */
DDB_EXTERN int ddb_post_path(ddb_client *c, const char *path, const char *json, size_t json_len, char **body,
                             size_t *len);

/* ============================================================================================
 * Values: items (maps), lists and read-only views
 * ========================================================================================== */

/** Attribute types; the values are also the server's type tags. */
typedef enum ddb_value_type {
    DDB_TYPE_NONE = 0,
    DDB_TYPE_S = 1,
    DDB_TYPE_N = 2,
    DDB_TYPE_B = 3,
    DDB_TYPE_BOOL = 4,
    DDB_TYPE_NULL = 5,
    DDB_TYPE_M = 6,
    DDB_TYPE_L = 7,
    DDB_TYPE_SS = 8,
    DDB_TYPE_NS = 9,
    DDB_TYPE_BS = 10,
} ddb_value_type;

typedef struct ddb_item ddb_item;   /**< a map: attribute name -> value (an item, a key, an M) */
typedef struct ddb_list ddb_list;   /**< a list of values (an L), for building */
typedef struct ddb_value ddb_value; /**< a read-only view of one value of any type */

DDB_EXTERN ddb_item *ddb_item_new(void); /**< an empty map */
DDB_EXTERN ddb_item *ddb_item_dup(const ddb_item *it); /**< deep copy (e.g. to keep an item of a result) */
DDB_EXTERN void ddb_item_free(ddb_item *it); /**< only for items from _new/_dup/_parse, never lent ones */

/*
 * Setters: add `name`, or replace its value. They copy everything. Return DDB_OK, or
 * DDB_E_INVALID_ARGUMENT (NULL argument, a number DynamoDB would refuse, nesting deeper than 32
 * levels); the item is unchanged on failure. Empty strings, binaries and sets are the server's to
 * judge.
 */
DDB_EXTERN int ddb_item_set_s(ddb_item *it, const char *name, const char *s);
DDB_EXTERN int ddb_item_set_s_len(ddb_item *it, const char *name, const char *s, size_t len);
DDB_EXTERN int ddb_item_set_n(ddb_item *it, const char *name, const char *decimal);
DDB_EXTERN int ddb_item_set_int(ddb_item *it, const char *name, long long v);
DDB_EXTERN int ddb_item_set_b(ddb_item *it, const char *name, const void *bytes, size_t len);
DDB_EXTERN int ddb_item_set_bool(ddb_item *it, const char *name, int v);
DDB_EXTERN int ddb_item_set_null(ddb_item *it, const char *name);
DDB_EXTERN int ddb_item_set_ss(ddb_item *it, const char *name, const char *const *v, size_t n);
DDB_EXTERN int ddb_item_set_ns(ddb_item *it, const char *name, const char *const *decimals, size_t n);
DDB_EXTERN int ddb_item_set_bs(ddb_item *it, const char *name, const void *const *v, const size_t *lens, size_t n);
DDB_EXTERN int ddb_item_set_map(ddb_item *it, const char *name, const ddb_item *m);
DDB_EXTERN int ddb_item_set_list(ddb_item *it, const char *name, const ddb_list *l);
/** Sets a copy of any value, e.g. one read from a result. */
DDB_EXTERN int ddb_item_set_value(ddb_item *it, const char *name, const ddb_value *v);
/** Removes `name`; DDB_OK even when it was absent. */
DDB_EXTERN int ddb_item_remove(ddb_item *it, const char *name);

DDB_EXTERN ddb_list *ddb_list_new(void);
DDB_EXTERN void ddb_list_free(ddb_list *l);
/* Appenders: same rules as the item setters. */
DDB_EXTERN int ddb_list_append_s(ddb_list *l, const char *s);
DDB_EXTERN int ddb_list_append_n(ddb_list *l, const char *decimal);
DDB_EXTERN int ddb_list_append_int(ddb_list *l, long long v);
DDB_EXTERN int ddb_list_append_b(ddb_list *l, const void *bytes, size_t len);
DDB_EXTERN int ddb_list_append_bool(ddb_list *l, int v);
DDB_EXTERN int ddb_list_append_null(ddb_list *l);
DDB_EXTERN int ddb_list_append_map(ddb_list *l, const ddb_item *m);
DDB_EXTERN int ddb_list_append_list(ddb_list *l, const ddb_list *sub);
DDB_EXTERN int ddb_list_append_value(ddb_list *l, const ddb_value *v);
/** The list as a value, to read it back (lent). */
DDB_EXTERN const ddb_value *ddb_list_value(const ddb_list *l);

/* Reading an item. Names and values are lent. */
DDB_EXTERN size_t ddb_item_count(const ddb_item *it);
/** Name of the i-th attribute (NUL-terminated; *len may be NULL), or NULL when i is out of range. */
DDB_EXTERN const char *ddb_item_name(const ddb_item *it, size_t i, size_t *len);
DDB_EXTERN const ddb_value *ddb_item_value(const ddb_item *it, size_t i);
/** Value of attribute `name`, or NULL. */
DDB_EXTERN const ddb_value *ddb_item_attr(const ddb_item *it, const char *name);
/** Text of S attribute `name`, or NULL when absent or of another type. */
DDB_EXTERN const char *ddb_item_get_s(const ddb_item *it, const char *name);
/** Decimal text of N attribute `name`, or NULL. */
DDB_EXTERN const char *ddb_item_get_n(const ddb_item *it, const char *name);

/* Reading a value. */
DDB_EXTERN ddb_value_type ddb_value_type_of(const ddb_value *v); /**< DDB_TYPE_NONE for NULL */
/** S and N: NUL-terminated text; B: the bytes. *len (may be NULL) gets the byte count. NULL for other types. */
DDB_EXTERN const char *ddb_value_bytes(const ddb_value *v, size_t *len);
DDB_EXTERN int ddb_value_bool(const ddb_value *v); /**< BOOL's value; 0 for other types */
/** Elements of an L, SS, NS or BS, or attributes of an M; 0 for scalars. */
DDB_EXTERN size_t ddb_value_count(const ddb_value *v);
/** i-th element of an L, SS, NS or BS (set elements are S, N or B values), or NULL. */
DDB_EXTERN const ddb_value *ddb_value_at(const ddb_value *v, size_t i);
/** An M as an item (lent), or NULL for other types. */
DDB_EXTERN const ddb_item *ddb_value_map(const ddb_value *v);

/** Parses DynamoDB JSON ({"name":{"S":"x"},...}) into a new item. @return DDB_OK or DDB_E_INVALID_ARGUMENT. */
DDB_EXTERN int ddb_item_parse(const char *json, size_t len, ddb_item **out);
/** Writes an item as DynamoDB JSON into a new malloc()ed NUL-terminated string; free() it. */
DDB_EXTERN char *ddb_item_format(const ddb_item *it);

/* ============================================================================================
 * Optional request parameters
 * ========================================================================================== */

/** Scalar request parameters, DDB_P_<WireName> (ddb_params.def has the list and their kinds). */
typedef enum ddb_param {
#define X(wire, kind) DDB_P_##wire,
#include "ddb/ddb_params.def"
#undef X
    DDB_P__COUNT
} ddb_param;

typedef struct ddb_opts ddb_opts; /**< optional parameters of one call; reusable */

DDB_EXTERN ddb_opts *ddb_opts_new(void);
DDB_EXTERN ddb_opts *ddb_opts_dup(const ddb_opts *o);
DDB_EXTERN void ddb_opts_free(ddb_opts *o);
/**
 * @brief Sets a parameter from text: STRING parameters as they are (e.g. DDB_P_ReturnValues,
 * "ALL_OLD"), BOOL ones "true"/"false", INT ones a decimal integer. NULL unsets it.
 * @return DDB_OK, DDB_E_INVALID_ARGUMENT (unknown parameter, text not of its kind).
 */
DDB_EXTERN int ddb_opts_set(ddb_opts *o, ddb_param p, const char *value);
/** Sets an INT or BOOL parameter. */
DDB_EXTERN int ddb_opts_set_int(ddb_opts *o, ddb_param p, long long v);
/** ExpressionAttributeNames: `placeholder` ("#n") stands for attribute `name`. */
DDB_EXTERN int ddb_opts_name(ddb_opts *o, const char *placeholder, const char *name);
/**
 * @brief ExpressionAttributeValues, as an item you fill with the setters (names are the ":v"
 * placeholders): ddb_item_set_int(ddb_opts_values(o), ":one", 1). Owned by `o`.
 */
DDB_EXTERN ddb_item *ddb_opts_values(ddb_opts *o);
/** ExclusiveStartKey (Query, Scan); copied; NULL clears it. */
DDB_EXTERN int ddb_opts_start_key(ddb_opts *o, const ddb_item *key);

/* ============================================================================================
 * Results
 * ========================================================================================== */

/*
 * Every getter takes `const ddb_result *` (most took `ddb_result *` in earlier 0.1 builds: the
 * same ABI, and old callers compile unchanged). They still decode on first use into the result,
 * so a result is used by one thread at a time even when only read.
 */
typedef struct ddb_result ddb_result; /**< one call's answer or error; one thread at a time */

DDB_EXTERN void ddb_result_free(ddb_result *r);
DDB_EXTERN int ddb_result_status(const ddb_result *r);
/** The server's error message ("" on success; the transport error for client statuses). */
DDB_EXTERN const char *ddb_result_message(const ddb_result *r);
/** The error type as sent, without its namespace ("ConditionalCheckFailedException"), or "". */
DDB_EXTERN const char *ddb_result_error_type(const ddb_result *r);
DDB_EXTERN int ddb_result_http_status(const ddb_result *r); /**< 0 when no reply was received */
DDB_EXTERN unsigned ddb_result_attempts(const ddb_result *r); /**< 1 + retries made */
/** The raw JSON body (NUL-terminated), or "" when there was none. */
DDB_EXTERN const char *ddb_result_body(const ddb_result *r, size_t *len);

/**
 * @brief The single item of the answer: GetItem's Item; PutItem/UpdateItem/DeleteItem's
 * Attributes (ReturnValues); ConditionalCheckFailedException's Item (with
 * ReturnValuesOnConditionCheckFailure ALL_OLD). NULL when absent.
 */
DDB_EXTERN const ddb_item *ddb_result_item(const ddb_result *r);
/**
 * Items of a Query or Scan page (or of a pager's merged pages), TransactGetItems' Responses, or
 * SearchVectors' SearchResults (best first).
 */
DDB_EXTERN size_t ddb_result_item_count(const ddb_result *r);
/** i-th of those items; NULL out of range, or for a TransactGetItems slot whose item does not exist. */
DDB_EXTERN const ddb_item *ddb_result_item_at(const ddb_result *r, size_t i);
/** LastEvaluatedKey of a Query or Scan page, or NULL on the last page. */
DDB_EXTERN const ddb_item *ddb_result_last_key(const ddb_result *r);
/** BatchGetItem: number of items returned for `table`, and the i-th one. */
DDB_EXTERN size_t ddb_result_table_item_count(const ddb_result *r, const char *table);
DDB_EXTERN const ddb_item *ddb_result_table_item_at(const ddb_result *r, const char *table, size_t i);
/** BatchWriteItem / BatchGetItem: number of requests (or keys) left unprocessed. */
DDB_EXTERN size_t ddb_result_unprocessed_count(const ddb_result *r);
/**
 * @brief TransactionCanceledException: one reason per action, in request order.
 * @param[out] code    "None", "ConditionalCheckFailed", "TransactionConflict", ... (lent; may be NULL)
 * @param[out] message the reason's message or NULL (lent; may be NULL)
 * @param[out] item    the item when ReturnValuesOnConditionCheckFailure was ALL_OLD, else NULL (may be NULL)
 * @return DDB_OK, or DDB_E_INVALID_ARGUMENT when i is out of range.
 */
DDB_EXTERN size_t ddb_result_reason_count(const ddb_result *r);
DDB_EXTERN int ddb_result_reason(const ddb_result *r, size_t i, const char **code, const char **message,
                                 const ddb_item **item);
/**
 * @brief Any scalar of the answer by path: members joined with '.', array elements by index:
 * "Count", "ScannedCount", "Table.TableStatus", "TableNames.0", "ConsumedCapacity.CapacityUnits",
 * "TableDescription.ItemCount". Strings come as they are, numbers as their JSON text, booleans as
 * "true"/"false". NULL when absent or not a scalar. Lent.
 */
DDB_EXTERN const char *ddb_result_get(const ddb_result *r, const char *path);
/** Number of elements (array) or members (object) at `path`; 0 when absent or scalar. */
DDB_EXTERN size_t ddb_result_len(const ddb_result *r, const char *path);
/**
 * @brief A result read from JSON text (a saved answer: `ddb usage diff` reads two cost reports),
 * for ddb_result_get and ddb_result_len. Its status is DDB_OK, or DDB_E_PROTOCOL when the text is
 * not a JSON object. Free it with ddb_result_free.
 */
DDB_EXTERN ddb_result *ddb_result_from_json(const char *json, size_t len);

/* ============================================================================================
 * Tables
 * ========================================================================================== */

typedef struct ddb_table_def ddb_table_def; /**< what CreateTable creates or UpdateTable changes */

DDB_EXTERN ddb_table_def *ddb_table_def_new(const char *table);
DDB_EXTERN void ddb_table_def_free(ddb_table_def *d);
/** Primary key: hash key and optional range key (NULL); types S, N or B. */
DDB_EXTERN int ddb_table_def_key(ddb_table_def *d, const char *hash, ddb_value_type hash_type, const char *range,
                                 ddb_value_type range_type);
/** PROVISIONED billing with these capacities (also given to every GSI); default PAY_PER_REQUEST. */
DDB_EXTERN int ddb_table_def_throughput(ddb_table_def *d, long long read_units, long long write_units);
/**
 * @brief Adds a global secondary index (CreateTable), or creates one (UpdateTable).
 * @param projection "ALL", "KEYS_ONLY", or "INCLUDE:attr1,attr2".
 */
DDB_EXTERN int ddb_table_def_gsi(ddb_table_def *d, const char *index, const char *hash, ddb_value_type hash_type,
                                 const char *range, ddb_value_type range_type, const char *projection);
/** Adds a local secondary index (CreateTable only); the hash key is the table's. */
DDB_EXTERN int ddb_table_def_lsi(ddb_table_def *d, const char *index, const char *range, ddb_value_type range_type,
                                 const char *projection);
/** Deletes a global secondary index (UpdateTable only). */
DDB_EXTERN int ddb_table_def_delete_gsi(ddb_table_def *d, const char *index);

DDB_EXTERN int ddb_create_table(ddb_client *c, const ddb_table_def *d, ddb_result **out);
/** UpdateTable: billing/throughput if set, GSIs created and deleted. */
DDB_EXTERN int ddb_update_table(ddb_client *c, const ddb_table_def *d, ddb_result **out);
DDB_EXTERN int ddb_delete_table(ddb_client *c, const char *table, ddb_result **out);
DDB_EXTERN int ddb_describe_table(ddb_client *c, const char *table, ddb_result **out);
/** ListTables page: names in "TableNames.<i>", ddb_result_len(r, "TableNames"); next page from
 *  "LastEvaluatedTableName". `start` may be NULL, `limit` 0 for the server's default. */
DDB_EXTERN int ddb_list_tables(ddb_client *c, const char *start, int limit, ddb_result **out);
/** Polls DescribeTable until TableStatus is ACTIVE (and every GSI too). DDB_E_TRANSPORT on timeout. */
DDB_EXTERN int ddb_wait_table_active(ddb_client *c, const char *table, unsigned timeout_ms);

/* ============================================================================================
 * Items
 * ========================================================================================== */

/* `opts` may be NULL everywhere. */
DDB_EXTERN int ddb_put_item(ddb_client *c, const char *table, const ddb_item *item, const ddb_opts *opts,
                            ddb_result **out);
DDB_EXTERN int ddb_get_item(ddb_client *c, const char *table, const ddb_item *key, const ddb_opts *opts,
                            ddb_result **out);
DDB_EXTERN int ddb_delete_item(ddb_client *c, const char *table, const ddb_item *key, const ddb_opts *opts,
                               ddb_result **out);
DDB_EXTERN int ddb_update_item(ddb_client *c, const char *table, const ddb_item *key, const char *update_expression,
                               const ddb_opts *opts, ddb_result **out);
/** One Query page; the next one with ddb_opts_start_key(opts, ddb_result_last_key(r)), or use a pager. */
DDB_EXTERN int ddb_query(ddb_client *c, const char *table, const char *key_condition, const ddb_opts *opts,
                         ddb_result **out);
DDB_EXTERN int ddb_scan(ddb_client *c, const char *table, const ddb_opts *opts, ddb_result **out);
/**
 * @brief SearchVectors: the `top_k` items of vector index `index` nearest `vector`, best first, in
 * one reply (no pages). `vector` holds one N per dimension (ddb_list_append_n: numbers stay
 * decimal text; the server takes any that fit a 32-bit float). `top_k` is sent as given: outside
 * 1..100 the server refuses it with DynamoDB's ValidationException.
 * `opts`: SearchConditionExpression (equalities on the index's SearchSchema), ProjectionExpression,
 * names, values, ReturnConsumedCapacity; its IndexName, if set, is ignored for `index`.
 * Items: ddb_result_item_count/_at; the i-th item's score (the distance function's value, as JSON
 * number text): ddb_result_get(r, "SearchResults.<i>.Score"); with ReturnConsumedCapacity,
 * "ConsumedCapacity.VectorSearchRequestBytes".
 */
DDB_EXTERN int ddb_search_vectors(ddb_client *c, const char *table, const char *index, const ddb_list *vector,
                                  int top_k, const ddb_opts *opts, ddb_result **out);

/**
 * @brief Any operation with a JSON body you wrote (e.g. one this version has no call for);
 * signed, retried as non-idempotent unless it is a read, checked and decoded like the others.
 */
DDB_EXTERN int ddb_call(ddb_client *c, const char *operation, const char *json, size_t len, ddb_result **out);

/* ============================================================================================
 * Paginators (Query, Scan)
 * ========================================================================================== */

typedef struct ddb_pager ddb_pager;

/** Pagers copy their arguments; pages follow LastEvaluatedKey until the last. */
DDB_EXTERN int ddb_query_pager_new(ddb_client *c, const char *table, const char *key_condition, const ddb_opts *opts,
                                   ddb_pager **out);
DDB_EXTERN int ddb_scan_pager_new(ddb_client *c, const char *table, const ddb_opts *opts, ddb_pager **out);
/**
 * @brief The next page. *page gets a result the caller frees, or NULL after the last page (the
 * return is then DDB_OK). On an error *page holds the failed result (when `page` is not NULL) and
 * the same page is asked again by the next call.
 */
DDB_EXTERN int ddb_pager_next(ddb_pager *p, ddb_result **page);
/** The next item across pages, lent until the next call; *item NULL at the end. */
DDB_EXTERN int ddb_pager_next_item(ddb_pager *p, const ddb_item **item);
/** The last page's error as the result had it (ddb_result_error_type(), _message()); "" after a success. */
DDB_EXTERN const char *ddb_pager_error_type(const ddb_pager *p);
DDB_EXTERN const char *ddb_pager_message(const ddb_pager *p);
DDB_EXTERN unsigned ddb_pager_pages(const ddb_pager *p); /**< pages fetched so far */
DDB_EXTERN void ddb_pager_free(ddb_pager *p);

/* ============================================================================================
 * Batches
 * ========================================================================================== */

typedef struct ddb_batch ddb_batch; /**< requests for BatchWriteItem or keys for BatchGetItem */

DDB_EXTERN ddb_batch *ddb_batch_new(void);
DDB_EXTERN void ddb_batch_free(ddb_batch *b);
DDB_EXTERN int ddb_batch_put(ddb_batch *b, const char *table, const ddb_item *item);
DDB_EXTERN int ddb_batch_delete(ddb_batch *b, const char *table, const ddb_item *key);
DDB_EXTERN int ddb_batch_get(ddb_batch *b, const char *table, const ddb_item *key);
/** BatchGetItem per-table parameters: ProjectionExpression, ConsistentRead and the names of `o`. */
DDB_EXTERN int ddb_batch_table_opts(ddb_batch *b, const char *table, const ddb_opts *o);
DDB_EXTERN size_t ddb_batch_count(const ddb_batch *b);

/** One BatchWriteItem with every put/delete of `b` (DynamoDB allows 25). */
DDB_EXTERN int ddb_batch_write_item(ddb_client *c, const ddb_batch *b, const ddb_opts *opts, ddb_result **out);
/** One BatchGetItem with every key of `b` (DynamoDB allows 100). */
DDB_EXTERN int ddb_batch_get_item(ddb_client *c, const ddb_batch *b, const ddb_opts *opts, ddb_result **out);
/**
 * @brief Writes every request of `b`, 25 per BatchWriteItem, resending UnprocessedItems with the
 * client's backoff until none is left or the retries are spent (then DDB_E_THROUGHPUT_EXCEEDED
 * and ddb_result_unprocessed_count() > 0). *out is the last call's result.
 */
DDB_EXTERN int ddb_batch_write_all(ddb_client *c, const ddb_batch *b, const ddb_opts *opts, ddb_result **out);
/**
 * @brief Reads every key of `b`, 100 per BatchGetItem, resending UnprocessedKeys; *out holds all
 * the items found (ddb_result_table_item_count/at).
 */
DDB_EXTERN int ddb_batch_get_all(ddb_client *c, const ddb_batch *b, const ddb_opts *opts, ddb_result **out);

/* ============================================================================================
 * Transactions
 * ========================================================================================== */

typedef struct ddb_transact ddb_transact; /**< actions of one TransactWriteItems or TransactGetItems */

DDB_EXTERN ddb_transact *ddb_transact_new(void);
DDB_EXTERN void ddb_transact_free(ddb_transact *t);
/*
 * Actions, each with its own optional `o`: ConditionExpression, names, values and
 * ReturnValuesOnConditionCheckFailure (writes); ProjectionExpression and names (gets).
 */
DDB_EXTERN int ddb_transact_put(ddb_transact *t, const char *table, const ddb_item *item, const ddb_opts *o);
DDB_EXTERN int ddb_transact_update(ddb_transact *t, const char *table, const ddb_item *key,
                                   const char *update_expression, const ddb_opts *o);
DDB_EXTERN int ddb_transact_delete(ddb_transact *t, const char *table, const ddb_item *key, const ddb_opts *o);
DDB_EXTERN int ddb_transact_check(ddb_transact *t, const char *table, const ddb_item *key, const char *condition,
                                  const ddb_opts *o);
DDB_EXTERN int ddb_transact_get(ddb_transact *t, const char *table, const ddb_item *key, const ddb_opts *o);
DDB_EXTERN size_t ddb_transact_count(const ddb_transact *t);

/**
 * @brief TransactWriteItems. `opts`: ClientRequestToken (makes the call idempotent, hence
 * retryable after a dropped connection), ReturnConsumedCapacity, ReturnItemCollectionMetrics.
 * On DDB_E_TRANSACTION_CANCELED read ddb_result_reason().
 */
DDB_EXTERN int ddb_transact_write_items(ddb_client *c, const ddb_transact *t, const ddb_opts *opts, ddb_result **out);
/** TransactGetItems; items in request order via ddb_result_item_at(). */
DDB_EXTERN int ddb_transact_get_items(ddb_client *c, const ddb_transact *t, const ddb_opts *opts, ddb_result **out);

#ifdef __cplusplus
}
#endif
#endif /* DDB_H */
