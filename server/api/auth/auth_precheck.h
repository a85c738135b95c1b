/*
 * server/api/auth/auth_precheck.h: a look at a request's Authorization header before its body arrives
 * (--auth), so that a body which cannot pass ddb_auth_verify is never read (docs/security.md).
 */
#ifndef DDB_AUTH_PRECHECK_H
#define DDB_AUTH_PRECHECK_H

#include <stddef.h>
#include <stdint.h>

#include "server/api/auth/auth.h"

/*
 * Whether the Authorization header authz[0..len) may be valid: SigV4's shape with its three
 * parameters, a key of `a`, and a credential scope for dynamodb ending in aws4_request, dated within
 * a day of the wall clock at now_ms (the request's own date, within 5 minutes, and its signature are
 * checked with the body, by ddb_auth_verify). 1 or 0.
 */
int ddb_auth_precheck(const ddb_auth *a, const char *authz, size_t len, uint64_t now_ms);

#endif
