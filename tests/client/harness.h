/*
 * tests/client/harness.h: what the libddb tests share: a ddbd started once per test process on a
 * free loopback port (DDBD_BIN, stopped at exit), clients for it, unique table names, and a tiny
 * in-process fault server that answers with scripted failures (tests/client/faultsrv.c).
 */
#ifndef DDB_TEST_CLIENT_HARNESS_H
#define DDB_TEST_CLIENT_HARNESS_H

#include "ddb/ddb.h"

/* "http://127.0.0.1:<port>" of the shared ddbd, started on first use. */
const char *tc_endpoint(void);
/*
 * A ddbd of its own with `extra` arguments (NULL-terminated) on a free loopback port, started and
 * answering GET /; *endpoint receives its "http://127.0.0.1:<port>". Returns its pid.
 */
int tc_ddbd_spawn(const char *const *extra, char *endpoint, size_t len);
/* Stops it (SIGTERM, waits: its logs are flushed). */
void tc_ddbd_stop(int pid);
/* A new client for `endpoint` (the shared ddbd when NULL) with short retry delays (1 ms bases, 20 ms cap). */
ddb_client *tc_client_for(const char *endpoint, unsigned max_retries);
ddb_client *tc_client(void);
/* A table name unique in this process: "<prefix>_<n>" (static buffer per call slot: copy it if kept). */
const char *tc_name(const char *prefix);
/* Creates a table with hash key "pk" (S) and, when range_type is not NONE, range key "sk". */
int tc_create_table(ddb_client *c, const char *table, ddb_value_type range_type);

/*
 * Fault server. `script` is one letter per request, in order (then 'O' forever; up to 1023):
 *   O ok {}            T throttled (ProvisionedThroughputExceeded)   C TransactionConflict
 *   I 500              S 503                                         D drop the connection, no reply
 *   H hang 1 s, drop   K 200 with a wrong x-amz-crc32                U unknown __type (400)
 *   P 200 with one UnprocessedItems put (BatchWriteItem)            W ThrottlingException (not in ddb_errors.def)
 *   R ReplicatedWriteConflict                                        B 502    G 504    V 501
 *   L LimitExceeded    Q TransactionInProgress    M 429 TooManyRequests    E InvalidSignature "Signature expired"
 *   X T with x-amz-retry-after: 3000    Y T with x-amz-retry-after: 60000    Z T with x-amz-retry-after: soon
 *   N I with x-amz-retry-after: 3000    A RequestTimeoutException (400)
 */
typedef struct faultsrv faultsrv;
faultsrv *faultsrv_start(const char *script);
const char *faultsrv_endpoint(faultsrv *s);
int faultsrv_requests(faultsrv *s); /* requests read so far */
int faultsrv_accepts(faultsrv *s);  /* connections accepted so far */
void faultsrv_stop(faultsrv *s);

#endif
