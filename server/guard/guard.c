/*
 * server/guard/guard.c: the doors' one guard (see guard.h).
 */
#include "server/guard/guard.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "ddb/ddb_status.h"
#include "proto/errors.h"
#include "server/base/clock.h"

/* What each door asks of a key: the rights that open it (any one of them) and the IAM action named
   when none is held. */
static const struct door_rule {
    unsigned rights;
    const char *action;
} RULES[] = {
    [DDB_DOOR_API] = {0, NULL},
    [DDB_DOOR_ADMIN] = {DDB_RIGHT_ADMIN, "ddbd:Admin"},
    [DDB_DOOR_METRICS] = {DDB_RIGHT_METRICS | DDB_RIGHT_ADMIN, "ddbd:ReadMetrics"},
    [DDB_DOOR_MCP] = {0, NULL},
    [DDB_DOOR_CONSOLE] = {0, NULL},
};

int ddb_door_allow(const ddb_auth *auth, ddb_req *r, ddb_door door, const char *resource)
{
    const struct door_rule *rule = &RULES[door];
    const ddb_auth_key *k;
    const char *account, *region;

    if (auth == NULL || r->internal || rule->action == NULL)
        return DDB_OK;
    /* a caller the guard did not verify holds no right */
    k = r->access_key != NULL ? ddb_auth_key_of(auth, r->access_key) : NULL;
    if (k != NULL && (k->rights & rule->rights) != 0)
        return DDB_OK;
    account = k != NULL && k->account != NULL ? k->account : DDB_DEFAULT_ACCOUNT;
    region = r->region != NULL && r->region[0] ? r->region : "us-east-1";
    return ddb_req_fail(r, DDB_E_ACCESS_DENIED,
                        "User: arn:aws:iam::%s:user/%s is not authorized to perform: %s on resource: "
                        "arn:aws:ddbd:%s:%s:%s because no identity-based policy allows the %s action",
                        account, k == NULL ? "anonymous" : k->user != NULL ? k->user : k->access_key, rule->action,
                        region, account, resource, rule->action);
}

/* Whether the method may change state: all but GET and HEAD (OPTIONS never reaches a door). */
static int changes_state(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* A JSON content type: what a browser sends cross-site only after a preflight. Anything else
   (text/plain, a form, none) is a "simple" request a page can make without asking. */
static int json_media(const ddb_door_request *dr)
{
    static const char JSON[] = "application/json";

    return dr->media_type != NULL && dr->media_len == sizeof(JSON) - 1 &&
           strncasecmp(dr->media_type, JSON, sizeof(JSON) - 1) == 0;
}

static int cross_site(ddb_buf *out)
{
    ddb_jw w;

    out->len = 0;
    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "message");
    ddb_jw_str(&w, "a request that changes state must send Content-Type: application/json (text/plain, forms and "
                   "no content type are what a web page can send cross-site without asking)");
    ddb_jw_obj_end(&w);
    return 415;
}

/* ---- the Host rule ---- */

static const char *const LOOPBACK_NAMES[] = {"localhost", "127.0.0.1", "[::1]"}; /* and loopback_name's */
#define NLOOPBACK (sizeof(LOOPBACK_NAMES) / sizeof(LOOPBACK_NAMES[0]))

/* An address or name that only this machine reaches: 127.0.0.0/8, ::1, localhost. */
static int is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (host == NULL)
        return 0;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return strcasecmp(host, "localhost") == 0;
}

void ddb_door_hosts_init(ddb_door_hosts *hs, const char *bound, const char *allowed)
{
    hs->bound = bound;
    hs->allowed = allowed;
    hs->on = allowed != NULL ? strcmp(allowed, "*") != 0 : is_loopback(bound);
}

const char *ddb_door_hosts_invalid(const char *allowed)
{
    const char *p = allowed;

    if (allowed == NULL || strcmp(allowed, "*") == 0)
        return NULL;
    for (;;) {
        size_t n = strcspn(p, ",");
        if (n == 0)
            return "an empty name (two commas, or a comma at an end): name the hosts, or give * for any";
        size_t colons = 0;
        for (size_t i = 0; i < n; i++) {
            colons += p[i] == ':';
            if (!isalnum((unsigned char)p[i]) && strchr(".-_:[]", p[i]) == NULL)
                return "a name holds letters, digits, '.', '-', '_' (an IPv6 address: [ ] and ':'), and no port";
        }
        if (colons == 1 || (p[0] == '[' && p[n - 1] != ']'))
            return "a name holds letters, digits, '.', '-', '_' (an IPv6 address: [ ] and ':'), and no port";
        if (p[n] == 0)
            return NULL;
        p += n + 1;
    }
}

/* [h, h+n) without brackets around an IPv6 address. */
static void unbracket(const char **h, size_t *n)
{
    if (*n >= 2 && (*h)[0] == '[' && (*h)[*n - 1] == ']')
        (*h)++, *n -= 2;
}

/* Whether [a, a+n) and [b, b+n) are the same in any case of ASCII letters (a host name's): inline,
   as every API request compares its Host so, where strncasecmp's call and locale cost more. */
static int same_ascii_fold(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y && ((x | 0x20) != (y | 0x20) || (unsigned char)((x | 0x20) - 'a') > 'z' - 'a'))
            return 0;
    }
    return 1;
}

/* Whether the name [a, a+na) is [b, b+nb), in any case, brackets or not around an IPv6 address. */
static int same_name(const char *a, size_t na, const char *b, size_t nb)
{
    unbracket(&a, &na);
    unbracket(&b, &nb);
    return na == nb && na > 0 && same_ascii_fold(a, b, na);
}

/* The Host header's name: its port (":digits" after the name or after "]") left off. */
static size_t name_len(const char *host, size_t len)
{
    size_t i = len;

    while (i > 0 && host[i - 1] >= '0' && host[i - 1] <= '9')
        i--;
    if (i > 0 && i < len && host[i - 1] == ':' &&
        (host[0] == '[' ? i >= 2 && host[i - 2] == ']' : memchr(host, ':', i - 1) == NULL))
        return i - 1;
    return len;
}

static int listed(const char *list, const char *name, size_t n)
{
    for (const char *p = list; p != NULL && *p;) {
        size_t m = strcspn(p, ",");
        if (same_name(p, m, name, n))
            return 1;
        p += m + (p[m] == ',');
    }
    return 0;
}

/* Whether the name [host, host+n) is one of LOOPBACK_NAMES, as same_name compares them (every API
   request's Host is: lengths first, and no strlen). */
static int loopback_name(const char *host, size_t n)
{
    static const struct {
        const char *bare; /* brackets off */
        size_t n;
    } names[] = {{"localhost", 9}, {"127.0.0.1", 9}, {"::1", 3}}; /* LOOPBACK_NAMES' */

    unbracket(&host, &n);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (n == names[i].n && same_ascii_fold(names[i].bare, host, n))
            return 1;
    return 0;
}

int ddb_door_host_allowed(const ddb_door_hosts *hs, const char *host, size_t len)
{
    size_t n;

    if (hs == NULL || !hs->on || host == NULL || len == 0)
        return 1;
    n = name_len(host, len);
    if (loopback_name(host, n))
        return 1;
    return (hs->bound != NULL && same_name(hs->bound, strlen(hs->bound), host, n)) || listed(hs->allowed, host, n);
}

int ddb_door_host_check(const ddb_door_hosts *hs, ddb_req *r, const char *host, size_t len)
{
    size_t n;

    if (ddb_door_host_allowed(hs, host, len))
        return DDB_OK;
    n = name_len(host, len);
    return ddb_req_fail(r, DDB_E_ACCESS_DENIED,
                        "Host '%.*s' is not a name of this server: it answers to localhost, 127.0.0.1, [::1], "
                        "--host and --allowed-hosts (a page whose name was re-pointed to this machine, DNS "
                        "rebinding, sends its own)",
                        (int)(n < 255 ? n : 255), host);
}

/* ---- the CORS rule ---- */

/* [p, p+n) is nothing, or ':' and a port of 1 to 5 digits. */
static int port_or_none(const char *p, size_t n)
{
    if (n == 0)
        return 1;
    if (p[0] != ':' || n < 2 || n > 6)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* An origin's host and port, after its http:// or https:// (*rest their length); NULL for another
   scheme or an opaque origin ("null": a sandboxed frame, a file). */
static const char *after_scheme(const char *o, size_t n, size_t *rest)
{
    size_t s = n > 7 && memcmp(o, "http://", 7) == 0 ? 7 : n > 8 && memcmp(o, "https://", 8) == 0 ? 8 : 0;

    *rest = n - s;
    return s != 0 ? o + s : NULL;
}

/* A page served by this machine to itself: localhost, 127.0.0.1 or [::1], any port (as a browser
   writes them: lower case, no default port). */
static int loopback_origin(const char *o, size_t n)
{
    size_t rest, m;
    const char *h = after_scheme(o, n, &rest);

    for (size_t i = 0; h != NULL && i < NLOOPBACK; i++)
        if (rest >= (m = strlen(LOOPBACK_NAMES[i])) && memcmp(h, LOOPBACK_NAMES[i], m) == 0 &&
            port_or_none(h + m, rest - m))
            return 1;
    return 0;
}

/* One --cors entry [e, e+m) against the origin. */
static int entry_allows(const char *e, size_t m, const char *o, size_t n)
{
    if (m == 1 && e[0] == '*')
        return 1;
    if (m == sizeof(DDB_CORS_DEFAULT) - 1 && memcmp(e, DDB_CORS_DEFAULT, m) == 0)
        return loopback_origin(o, n);
    if (m >= 2 && e[m - 2] == ':' && e[m - 1] == '*') /* any port */
        return n >= m - 2 && memcmp(e, o, m - 2) == 0 && port_or_none(o + m - 2, n - (m - 2));
    return m == n && memcmp(e, o, n) == 0;
}

ddb_origin_verdict ddb_door_origin(const char *cors, const char *origin, size_t olen, const char *host, size_t hlen)
{
    size_t rest;
    const char *h;

    if (origin == NULL)
        return DDB_ORIGIN_NONE;
    if (cors != NULL && strcmp(cors, "*") == 0)
        return DDB_ORIGIN_ANY;
    for (const char *p = cors; p != NULL && *p;) {
        size_t m = strcspn(p, ",");
        if (entry_allows(p, m, origin, olen))
            return DDB_ORIGIN_LISTED;
        p += m + (p[m] == ',');
    }
    /* a browser sends Origin on a same-origin POST too (the console's calls) */
    h = after_scheme(origin, olen, &rest);
    if (h != NULL && host != NULL && rest == hlen && rest > 0 && strncasecmp(h, host, hlen) == 0)
        return DDB_ORIGIN_SAME;
    return DDB_ORIGIN_FOREIGN;
}

int ddb_door_origin_refused(const char *cors, const char *origin, size_t olen, unsigned origins, const char *host,
                            size_t hlen)
{
    return origins > 1 || ddb_door_origin(cors, origin, olen, host, hlen) == DDB_ORIGIN_FOREIGN;
}

int ddb_door_origin_refuse(ddb_req *r, const char *cors, const char *origin, size_t olen, unsigned origins)
{
    size_t n = cors != NULL ? strlen(cors) : 0;

    if (origins > 1)
        return ddb_req_fail(r, DDB_E_ACCESS_DENIED,
                            "The request carries %u Origin headers; a browser sends one, and this server judges "
                            "a request by the one it carries",
                            origins);
    return ddb_req_fail(r, DDB_E_ACCESS_DENIED,
                        "Origin '%.*s' may not call this server: --cors allows '%.*s' (loopback: pages on "
                        "localhost, 127.0.0.1 and [::1]); a page on another site could otherwise change or delete "
                        "the data. Give its origin to --cors, or --cors '*' for every page",
                        (int)(olen < 255 ? olen : 255), origin, (int)(n < 255 ? n : 255), cors != NULL ? cors : "");
}

/* ---- the guard ---- */

int ddb_door_guard(const ddb_auth *auth, ddb_req *r, const ddb_door_request *dr, ddb_buf *out)
{
    if (ddb_door_host_check(dr->hosts, r, dr->host, dr->host_len) != DDB_OK) {
        out->len = 0;
        ddb_req_render_error(r, out);
        return DDB_DOOR_HOST_STATUS;
    }
    /* a page on another site is refused at every door as at the API (--cors), whatever it sends */
    if (dr->origin != NULL &&
        ddb_door_origin_refused(dr->cors, dr->origin, dr->origin_len, dr->origins, dr->host, dr->host_len)) {
        ddb_door_origin_refuse(r, dr->cors, dr->origin, dr->origin_len, dr->origins);
        out->len = 0;
        ddb_req_render_error(r, out);
        return DDB_DOOR_ORIGIN_STATUS;
    }
    if (changes_state(dr->http->method) && !json_media(dr))
        return cross_site(out);
    if (auth == NULL || (dr->private_port && dr->door == DDB_DOOR_METRICS) || dr->door == DDB_DOOR_CONSOLE)
        return 0;
    if (ddb_auth_verify(auth, r, dr->http, ddb_clock_now_ms()) == DDB_OK &&
        ddb_door_allow(auth, r, dr->door, dr->resource) == DDB_OK)
        return 0;
    out->len = 0;
    ddb_req_render_error(r, out);
    return ddb_error_lookup(r->err.code)->http_status;
}
