/*
 * server/api/rates.h: DynamoDB's per-account request rates of control plane operations
 * (rates.def), as token buckets on the server's clock (issue 61: 20,000 TagResource calls in 15 s
 * were served where DynamoDB serves 75).
 *
 * Each account (with --namespaces, each account and Region: DynamoDB's quotas are regional) has a
 * bucket per row, holding one second of its rate and refilled as the server's clock moves
 * (base/clock.h): a frozen clock refills nothing until a test steps it, so a test of the limit
 * repeats exactly. The bucket's size is ddbd's choice: DynamoDB documents the rate, not its burst.
 *
 * One step of the pipeline (dispatch.c), after validation and before an injected fault: a request
 * DynamoDB would refuse as malformed is refused as before and takes no token. Off (the default,
 * --control-plane-rates), it is one test of a NULL; on, an operation without a row costs a call,
 * one table load and one test.
 */
#ifndef DDB_RATES_H
#define DDB_RATES_H

#include <stdint.h>

#include "server/api/req.h"

/* ThrottlingException's text in the developer guide's table of errors, for a control plane call
   made too rapidly; it has no ThrottlingReasons (they name a table's or index's throughput) */
#define DDB_RATE_TEXT "Rate of requests exceeds the allowed throughput."

typedef struct ddb_rates ddb_rates;

/* A server's buckets, none taken yet; NULL when out of memory. */
ddb_rates *ddb_rates_new(void);
void ddb_rates_free(ddb_rates *r);

/* Takes a token of req's operation from its account's bucket, refilled to the server clock's
   reading (read only for an operation with a rate); with none left, fails req with
   ThrottlingException and returns its code. r NULL: no limits. */
int ddb_rates_take(ddb_rates *r, ddb_req *req);

#endif
