/*
 * server/guard/guard.h: the one guard in front of every door that is not the DynamoDB API
 * (docs/security.md, "The doors"): the admin endpoints (/ddbd/), GET /metrics, MCP over HTTP
 * (/mcp), and MCP's tools that are no DynamoDB operation. The HTTP front passes each request to a
 * door through ddb_door_guard first; the MCP tools that reach the store as a whole pass through
 * ddb_door_allow.
 *
 * The rules:
 *   - with or without --auth, a request that changes state (any method but GET and HEAD) must say
 *     Content-Type: application/json. A web page can send text/plain, form posts and no content
 *     type cross-site without asking; application/json needs a CORS preflight, which the front
 *     never grants to a door (http.c).
 *   - with --auth, the request is SigV4-signed and verified as an API request is (same errors),
 *     and the key holds the door's right (auth.h's rights=): the admin door needs `admin`
 *     (action ddbd:Admin), GET /metrics `metrics` or `admin` (ddbd:ReadMetrics) except on
 *     --metrics-port, which the operator binds privately; /mcp needs a signature only, each tool
 *     being decided as what it does; --console's files (/ddbd/console/...) need nothing: they are
 *     the same for everyone and carry no data (the console signs its API calls with the key the
 *     user enters, and those are decided as any client's).
 *   - with or without --auth, on a server bound to loopback (or given --allowed-hosts), the Host
 *     header names this server: localhost, 127.0.0.1, [::1], the --host name, or one of
 *     --allowed-hosts, any port. A page whose own name an attacker re-points to 127.0.0.1 (DNS
 *     rebinding) is same-origin with the server and may send anything, but its requests carry its
 *     own name as Host. Refused: 403, AccessDeniedException. The API door asks the same
 *     (ddb_door_host_check), as its requests are as open to such a page.
 *   A key without the right is refused as
 *     IAM words it: AccessDeniedException "User: arn:aws:iam::ACCOUNT:user/NAME is not authorized to perform:
 *     ddbd:Admin on resource: arn:aws:ddbd:REGION:ACCOUNT:/ddbd/faults because no identity-based
 *     policy allows the ddbd:Admin action".
 */
#ifndef DDB_DOORS_GUARD_H
#define DDB_DOORS_GUARD_H

#include <stddef.h>

#include "proto/json.h"
#include "server/api/auth/auth.h"

typedef enum ddb_door {
    DDB_DOOR_API,     /* not a door: a DynamoDB operation, decided by --auth's policy (policy.c) */
    DDB_DOOR_ADMIN,   /* /ddbd/..., MCP's snapshot tools: the admin right, ddbd:Admin */
    DDB_DOOR_METRICS, /* GET /metrics, MCP's read_metrics: metrics or admin, ddbd:ReadMetrics */
    DDB_DOOR_MCP,     /* /mcp: a signature; its tools are decided one by one */
    DDB_DOOR_CONSOLE, /* GET /ddbd/console/...: the console's built-in files, open to every caller */
} ddb_door;

/* The Host rule (ddb_door_hosts_init): which names the server answers to. */
typedef struct ddb_door_hosts {
    int on;              /* bound to loopback, or --allowed-hosts given (and not "*") */
    const char *bound;   /* --host */
    const char *allowed; /* --allowed-hosts: comma-separated names and addresses; NULL: none */
} ddb_door_hosts;

/* The rule for a server listening on `bound` (--host) with `allowed` (--allowed-hosts, or NULL). */
void ddb_door_hosts_init(ddb_door_hosts *hs, const char *bound, const char *allowed);

/* Whether `allowed` (--allowed-hosts) is well formed: NULL, or the reason it is not. */
const char *ddb_door_hosts_invalid(const char *allowed);

/*
 * Whether a request whose Host header (or HTTP/2 :authority) is [host, host+len) may be served:
 * DDB_OK, or AccessDeniedException recorded on r (its status is DDB_DOOR_HOST_STATUS, not the
 * error's own 400). No Host at all passes: a browser always sends one.
 */
int ddb_door_host_check(const ddb_door_hosts *hs, ddb_req *r, const char *host, size_t len);
/* The same, as a yes (1) or no (0) with nothing recorded: the API's hot path asks this first. */
int ddb_door_host_allowed(const ddb_door_hosts *hs, const char *host, size_t len);
#define DDB_DOOR_HOST_STATUS 403

/*
 * The CORS rule (--cors) of the API door: which web pages may call the DynamoDB API from a
 * browser. A page on another origin can call it only after a preflight (its requests carry
 * X-Amz-Target and a JSON content type), which is granted, and a request carrying an Origin is
 * served, only when the origin is allowed: by default (DDB_CORS_DEFAULT) a page on this machine
 * alone, http or https on localhost, 127.0.0.1 or [::1], any port; `*` allows every page, as
 * DynamoDB Local does. A same-origin request (the console's: Origin is http(s):// and the Host
 * header) is always served. --cors is a comma-separated list of `*`, `loopback` and origins, an
 * origin ending in `:*` matching it on any port (or none).
 */
#define DDB_CORS_DEFAULT "loopback"

typedef enum ddb_origin_verdict {
    DDB_ORIGIN_NONE,    /* no Origin header: no browser's cross-origin request */
    DDB_ORIGIN_ANY,     /* --cors '*': granted as Access-Control-Allow-Origin: * */
    DDB_ORIGIN_LISTED,  /* granted: Access-Control-Allow-Origin names it */
    DDB_ORIGIN_SAME,    /* the server's own origin: served, nothing to grant */
    DDB_ORIGIN_FOREIGN, /* refused (DDB_DOOR_ORIGIN_STATUS) */
} ddb_origin_verdict;

/* The verdict on Origin [origin, +olen) (NULL: none) under `cors` (--cors; NULL: none allowed),
   for a request whose Host header is [host, +hlen). */
ddb_origin_verdict ddb_door_origin(const char *cors, const char *origin, size_t olen, const char *host, size_t hlen);
/* A foreign origin's refusal recorded on r: AccessDeniedException (status DDB_DOOR_ORIGIN_STATUS).
   `origins`: how many Origin headers the request carries; more than one is refused whatever they
   say (a browser sends one; a proxy in front may have judged another than the first). */
int ddb_door_origin_refuse(ddb_req *r, const char *cors, const char *origin, size_t olen, unsigned origins);
/* Whether a request with `origins` Origin headers, the first [origin, +olen), is refused: two or
   more, or one that ddb_door_origin finds foreign. The API and every door ask it alike. */
int ddb_door_origin_refused(const char *cors, const char *origin, size_t olen, unsigned origins, const char *host,
                            size_t hlen);
#define DDB_DOOR_ORIGIN_STATUS 403

/* One HTTP request to a door. */
typedef struct ddb_door_request {
    ddb_door door;
    const ddb_auth_request *http; /* method, raw path, headers, body, as SigV4 signs them */
    const char *media_type;       /* the Content-Type without its parameters; NULL when none */
    size_t media_len;
    const char *resource;         /* the path refusals name (no query) */
    int private_port;             /* on --metrics-port: no signature asked */
    const ddb_door_hosts *hosts;  /* the Host rule; NULL: none */
    const char *host;             /* the Host header (no NUL); NULL when none */
    size_t host_len;
    const char *cors;             /* --cors (NULL: none allowed): the API's rule, every door's too */
    const char *origin;           /* the first Origin header; NULL when none */
    size_t origin_len;
    unsigned origins;             /* how many Origin headers */
} ddb_door_request;

/*
 * Whether `dr` may pass to its door. 0, with r->access_key and r->region the verified key's (under
 * --auth; NULL without), or the HTTP status of the refusal, its JSON body written to `out`: a
 * DynamoDB error (the signature's, AccessDeniedException; 403 for a Host the server does not
 * answer to) or {"message": ...} for a request a browser could send cross-site (415). `r` needs only its arena.
 */
int ddb_door_guard(const ddb_auth *auth, ddb_req *r, const ddb_door_request *dr, ddb_buf *out);

/*
 * Whether the verified caller of `r` (r->access_key, or r->internal: MCP's stdio agent) may use
 * `door` on `resource` (a path: "/ddbd/snapshots", "/metrics"): DDB_OK, or AccessDeniedException
 * recorded on r. Always DDB_OK without --auth (auth NULL) and for DDB_DOOR_API and DDB_DOOR_MCP.
 */
int ddb_door_allow(const ddb_auth *auth, ddb_req *r, ddb_door door, const char *resource);

#endif
