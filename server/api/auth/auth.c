/*
 * server/api/auth/auth.c: SigV4 verification (see auth.h); the key file is read by keyfile.c.
 *
 * Messages are AWS's for JSON services (captured from DynamoDB, STS and SQS answers in public
 * reports): "The security token included in the request is invalid.", "Credential should be
 * scoped to a valid region. ", "Signature expired: 20240820T230143Z is now earlier than
 * 20240820T230302Z (20240820T230802Z - 5 min.)", and the signature mismatch text. DynamoDB's
 * window was 15 minutes until about 2015 (aws-sdk-js issue 254, 2014: "- 15 min."); it has been 5
 * since (aws-sdk-js-v3 issue 7605, DynamoDB GetItem in 2025: "... - 5 min.").
 */
#include "server/api/auth/auth.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "ddb/ddb_status.h"
#include "proto/sigv4_sha.h" /* OpenSSL's SHA-256 (the CPU's SHA extensions) */
#include "server/api/auth/keyfile.h"
#include "server/base/clock.h"

#define SKEW_MS (5ULL * 60 * 1000)
#define MISMATCH                                                                                                      \
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "   \
    "Key and signing method. Consult the service documentation for details."

typedef ddb_auth_key key_entry;

struct ddb_auth {
    key_entry *keys;
    size_t n;
    uint64_t gen; /* unique per load: what the signing-key cache is keyed on, with the key's index */
};

static uint64_t auth_generation;

/* ---------------------------------------------------------------- the key file (keyfile.c) */

ddb_auth *ddb_auth_load(const char *path, char **err)
{
    FILE *f = fopen(path, "r");
    ddb_auth *a;

    if (f == NULL) {
        if (asprintf(err, "--auth %s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return NULL;
    }
    a = calloc(1, sizeof(*a));
    a->gen = __atomic_add_fetch(&auth_generation, 1, __ATOMIC_RELAXED);
    if (ddb_keyfile_read(f, path, &a->keys, &a->n, err) != 0) {
        fclose(f);
        free(a);
        return NULL;
    }
    fclose(f);
    return a;
}

void ddb_auth_free(ddb_auth *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->n; i++)
        ddb_keyfile_key_free(&a->keys[i]);
    free(a->keys);
    free(a);
}

const ddb_auth_key *ddb_auth_key_of(const ddb_auth *a, const char *access_key)
{
    for (size_t i = 0; access_key != NULL && i < a->n; i++)
        if (strcmp(a->keys[i].access_key, access_key) == 0)
            return &a->keys[i];
    return NULL;
}

int ddb_auth_user_known(const ddb_auth *a, const char *account, size_t alen, const char *user)
{
    for (size_t i = 0; i < a->n; i++) {
        const char *acct = a->keys[i].account != NULL ? a->keys[i].account : DDB_DEFAULT_ACCOUNT;
        const char *name = a->keys[i].user != NULL ? a->keys[i].user : a->keys[i].access_key;
        if (strlen(acct) == alen && memcmp(acct, account, alen) == 0 && strcmp(name, user) == 0)
            return 1;
    }
    return 0;
}

static const key_entry *find_key(const ddb_auth *a, const char *ak, size_t len)
{
    for (size_t i = 0; i < a->n; i++)
        if (strlen(a->keys[i].access_key) == len && memcmp(a->keys[i].access_key, ak, len) == 0)
            return &a->keys[i];
    return NULL;
}

/* ---------------------------------------------------------------- the request */

/* Two characters that are equal ignoring ASCII case are equal once OR-ed with 0x20: a cheap
 * first test before strcasecmp, which is called for every header and name. */
#define SAME_FOLDED(a, b) ((((unsigned char)(a)) | 0x20) == (((unsigned char)(b)) | 0x20))

static const char *header(const ddb_auth_request *hr, const char *name)
{
    for (size_t i = 0; i < hr->nheaders; i++)
        if (SAME_FOLDED(hr->headers[i].name[0], name[0]) && strcasecmp(hr->headers[i].name, name) == 0)
            return hr->headers[i].value;
    return NULL;
}

/* The first ',' or ' ' in [p, end), or end; eight bytes at a time, as every request's ~200-byte
   Authorization header is scanned (a byte loop was 3 % of a GetItem's instructions). */
__attribute__((always_inline)) static inline const char *separator(const char *p, const char *end)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;

    while (end - p >= 8) {
        uint64_t x, comma, space;
        memcpy(&x, p, 8);
        comma = x ^ (ones * ',');
        space = x ^ (ones * ' ');
        if (((comma - ones) & ~comma & highs) | ((space - ones) & ~space & highs))
            break; /* one of these eight bytes is a separator */
        p += 8;
    }
    while (p < end && *p != ',' && *p != ' ')
        p++;
    return p;
}

/* Whether the token [tok, p) is `name` (with its '=') and a value: a token's name is what comes
   before its first '=', and none of the three names has one, so a prefix compare finds it. */
#define NAMED(tok, p, name) ((size_t)((p) - (tok)) >= sizeof(name) - 1 && memcmp((tok), (name), sizeof(name) - 1) == 0)

void ddb_auth_header_parse(const char *authz, size_t len, ddb_auth_header *out)
{
    const char *p = authz, *end = authz + len;

    memset(out, 0, sizeof(*out));
    while (p < end) {
        const char *tok = p;
        p = separator(p, end);
        /* (no memchr for each token's '=': every request's header has six tokens, two of them empty) */
        if (NAMED(tok, p, "Credential=") && out->cred == NULL) {
            out->cred = tok + 11;
            out->cred_len = (size_t)(p - tok - 11);
        } else if (NAMED(tok, p, "SignedHeaders=") && out->sh == NULL) {
            out->sh = tok + 14;
            out->sh_len = (size_t)(p - tok - 14);
        } else if (NAMED(tok, p, "Signature=") && out->sig == NULL) {
            out->sig = tok + 10;
            out->sig_len = (size_t)(p - tok - 10);
        }
        p++;
    }
}

/* "20150830T123600Z" as milliseconds since the epoch; 0 when malformed. Parsed by hand: strptime
 * and timegm take the time-zone lock on every request. */
static uint64_t amz_date_ms(const char *s)
{
    unsigned v[14];
    unsigned y, mo, d, h, mi, sec;
    int64_t t;

    if (s == NULL || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return 0;
    for (int i = 0, j = 0; i < 15; i++) {
        if (i == 8)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v[j++] = (unsigned)(s[i] - '0');
    }
    y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    mo = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
    h = v[8] * 10 + v[9], mi = v[10] * 10 + v[11], sec = v[12] * 10 + v[13];
    /* the ranges strptime's %m %d %H %M %S accept */
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 61)
        return 0;
    t = ddb_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return (uint64_t)t * 1000; /* as (uint64_t)timegm(...) * 1000 was */
}

/* An RFC 1123 Date header ("Sun, 30 Aug 2015 12:36:00 GMT") as the basic ISO-8601 form. */
static int http_date_to_amz(const char *s, char out[17])
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    if (s == NULL || (end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm)) == NULL || *end != 0)
        return -1;
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
    return 0;
}

static void fmt_amz(uint64_t ms, char out[17])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int region_ok(const char *r, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
            return 0;
    return 1;
}

static int invalid(ddb_req *req, const char *msg)
{
    return ddb_req_fail_msg(req, DDB_E_INVALID_SIGNATURE, msg);
}

/* Which sides of the clock check_date looks at: a signed header's date may be 5 minutes early or
   late; a presigned URL's is good until it expires (check_expiry), never 5 minutes ahead of now. */
enum { CLOCK_PAST = 1, CLOCK_FUTURE = 2 };

/*
 * The request's date: its form, and on the `clock` sides the 5 minutes of skew, measured on the
 * wall clock (--admin's moved clock is the data's, not the signer's). DynamoDB checks it before it
 * looks the key up, so a stale request with an unknown key is "Signature expired".
 */
static int check_date(ddb_req *req, const char *amz, uint64_t now_ms, int clock)
{
    uint64_t t = amz_date_ms(amz);
    char lo[17], hi[17], now[17];

    if (t == 0)
        return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE,
                            "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601",
                            amz ? amz : "");
    if ((clock & CLOCK_PAST) && t + SKEW_MS < now_ms) {
        fmt_amz(now_ms, now);
        fmt_amz(now_ms - SKEW_MS, lo);
        return invalid(req, ddb_arena_sprintf(req->arena, "Signature expired: %s is now earlier than %s (%s - 5 min.)",
                                              amz, lo, now));
    }
    if ((clock & CLOCK_FUTURE) && t > now_ms + SKEW_MS) {
        fmt_amz(now_ms, now);
        fmt_amz(now_ms + SKEW_MS, hi);
        return invalid(req, ddb_arena_sprintf(req->arena,
                                              "Signature not yet current: %s is still later than %s (%s + 5 min.)", amz,
                                              hi, now));
    }
    return DDB_OK;
}

static uint64_t wall_ms(uint64_t server_now_ms)
{
    return server_now_ms - (uint64_t)ddb_clock_offset_ms();
}

/* The credential scope against the request's date (check_date made it well-formed). */
static int check_scope(ddb_req *req, const char *const part[5], const size_t plen[5], const char *amz)
{
    if (plen[1] != 8 || memcmp(part[1], amz, 8) != 0)
        return invalid(req, ddb_arena_sprintf(req->arena,
                                              "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                                              "date from HTTP: '%.*s' != '%.8s', from '%s'.",
                                              (int)plen[1], part[1], amz, amz));
    if (!region_ok(part[2], plen[2]))
        return invalid(req, "Credential should be scoped to a valid region. ");
    if (plen[3] != 8 || memcmp(part[3], "dynamodb", 8) != 0)
        return invalid(req, "Credential should be scoped to correct service: 'dynamodb'. ");
    if (plen[4] != 12 || memcmp(part[4], "aws4_request", 12) != 0)
        return invalid(req, ddb_arena_sprintf(req->arena,
                                              "Credential should be scoped with a valid terminator: 'aws4_request', "
                                              "not '%.*s'. ",
                                              (int)plen[4], part[4]));
    return DDB_OK;
}

/*
 * The headers SignedHeaders names, in the request's values (a name sent twice is signed twice).
 * Content-Length, which the HTTP layer keeps apart from the other headers (h2o does), is the
 * length of the body as received; the JavaScript SDK v3 signs it. A list naming more header
 * values than the request has room for (a name repeated in SignedHeaders) cannot match: -1.
 */
static ssize_t signed_headers(ddb_req *req, const ddb_auth_request *hr, const char *sh, size_t shlen,
                              ddb_sigv4_header **out, int *has_host)
{
    size_t cap = hr->nheaders + 1, n = 0;
    ddb_sigv4_header *v = DDB_NEW_ARRAY(req->arena, ddb_sigv4_header, cap);
    const char *p = sh, *end = sh + shlen;

    *has_host = 0;
    while (p < end) {
        const char *e = memchr(p, ';', (size_t)(end - p));
        size_t len = e ? (size_t)(e - p) : (size_t)(end - p), found = 0;
        *has_host |= len == 4 && strncasecmp(p, "host", 4) == 0;
        for (size_t i = 0; i < hr->nheaders; i++)
            if (len > 0 && SAME_FOLDED(hr->headers[i].name[0], p[0]) && strlen(hr->headers[i].name) == len &&
                strncasecmp(hr->headers[i].name, p, len) == 0) {
                if (n == cap)
                    return -1;
                v[n++] = hr->headers[i];
                found++;
            }
        if (found == 0 && len == 14 && strncasecmp(p, "content-length", 14) == 0) {
            if (n == cap)
                return -1;
            v[n++] = (ddb_sigv4_header){"content-length", ddb_arena_sprintf(req->arena, "%zu", hr->body_len)};
        }
        p += len + 1;
    }
    *out = v;
    return (ssize_t)n;
}

/* What a request claims: from its Authorization header, or from its query (a presigned URL). */
typedef struct claim {
    const char *alg, *cred, *sh, *sig, *amz, *token;
    size_t alglen, clen, shlen, siglen;
    const char *query;        /* the query to sign: the request's, without X-Amz-Signature when presigned */
    long long expires;        /* presigned: X-Amz-Expires seconds, or -1 */
} claim;

static int claim_of_header(ddb_req *req, const ddb_auth_request *hr, const char *authz, char amz_buf[17], claim *c)
{
    ddb_auth_header ah;

    /* dispatch.c checked the shape and words its problems; this only refuses to go on without it */
    ddb_auth_header_parse(authz, strlen(authz), &ah);
    if (ah.cred == NULL || ah.sh == NULL || ah.sig == NULL)
        return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE, "Authorization header is incomplete");
    c->alg = authz; /* the header's first token */
    c->alglen = (size_t)(separator(authz, authz + strlen(authz)) - authz);
    c->cred = ah.cred;
    c->clen = ah.cred_len;
    c->sh = ah.sh;
    c->shlen = ah.sh_len;
    c->sig = ah.sig;
    c->siglen = ah.sig_len;
    c->token = header(hr, "x-amz-security-token");
    if ((c->amz = header(hr, "x-amz-date")) == NULL)
        c->amz = http_date_to_amz(header(hr, "date"), amz_buf) == 0 ? amz_buf : header(hr, "date");
    c->query = hr->query;
    c->expires = -1;
    return DDB_OK;
}

static int hexv(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* A query value, %-decoded into the arena. */
static const char *qdecode(ddb_arena *a, const char *s, size_t n, size_t *outlen)
{
    char *out = ddb_arena_alloc(a, n + 1);
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0) {
            out[o++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = 0;
    *outlen = o;
    return out;
}

/*
 * X-Amz-Expires: whole seconds, 1 to 604800, the 7 days a signing key is good for (0 has expired by
 * the time it arrives). AWS's DynamoDB texts for these are not recorded; the words are S3's
 * (AuthorizationQueryParametersError), under the exception DynamoDB gives a malformed query.
 */
static int parse_expires(ddb_req *req, const char *v, size_t n, long long *out)
{
    size_t i = n > 0 && v[0] == '-';
    long long x = 0;

    if (i == n)
        return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE, "X-Amz-Expires should be a number");
    for (size_t j = i; j < n; j++) {
        if (v[j] < '0' || v[j] > '9')
            return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE, "X-Amz-Expires should be a number");
        x = x > 604800 ? x : x * 10 + (v[j] - '0'); /* past a week it only has to stay past it */
    }
    if (i == 1)
        return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE, "X-Amz-Expires must be non-negative");
    if (x > 604800)
        return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE,
                            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
                            "must be less than 604800 seconds");
    *out = x;
    return DDB_OK;
}

/* A presigned request: the X-Amz-* parameters of its query (the signature left out of what is signed),
   each read from its first occurrence; every one of them is required, X-Amz-Expires included. */
static int claim_of_query(ddb_req *req, const ddb_auth_request *hr, claim *c)
{
    enum { ALG, CRED, SIG, DATE, SH, EXPIRES, TOKEN, NPARAMS, NNEED = TOKEN };
    static const char *const names[NPARAMS] = {"X-Amz-Algorithm", "X-Amz-Credential",    "X-Amz-Signature",
                                               "X-Amz-Date",      "X-Amz-SignedHeaders", "X-Amz-Expires",
                                               "X-Amz-Security-Token"};
    const char *vals[NPARAMS] = {NULL}, *p = hr->query, *end = hr->query + strlen(hr->query);
    size_t lens[NPARAMS] = {0};
    ddb_buf rest = {0};

    memset(c, 0, sizeof(*c));
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p)), *e = amp ? amp : end, *eq = memchr(p, '=', (size_t)(e - p));
        size_t nlen = eq ? (size_t)(eq - p) : (size_t)(e - p), dlen;
        const char *v = eq ? qdecode(req->arena, eq + 1, (size_t)(e - eq - 1), &dlen) : "";
        int used = 0;
        if (!eq)
            dlen = 0;
        for (int i = 0; i < NPARAMS; i++)
            if (strlen(names[i]) == nlen && memcmp(p, names[i], nlen) == 0 && vals[i] == NULL)
                vals[i] = v, lens[i] = dlen, used = i == SIG;
        if (!used) { /* everything but the signature is signed */
            if (rest.len)
                ddb_buf_putc(&rest, '&');
            ddb_buf_append(&rest, p, (size_t)(e - p));
        }
        p = e + 1;
    }
    c->query = ddb_arena_strndup(req->arena, rest.data ? rest.data : "", rest.len);
    ddb_buf_free(&rest);
    for (int i = 0; i < NNEED; i++)
        if (vals[i] == NULL)
            return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE,
                                "AWS query-string parameters must include '%s'. Re-examine the query-string parameters.",
                                names[i]);
    c->alg = vals[ALG], c->alglen = lens[ALG];
    c->cred = vals[CRED], c->clen = lens[CRED];
    c->sig = vals[SIG], c->siglen = lens[SIG];
    c->amz = vals[DATE];
    c->sh = vals[SH], c->shlen = lens[SH];
    c->token = vals[TOKEN];
    return parse_expires(req, vals[EXPIRES], lens[EXPIRES], &c->expires);
}

/* A presigned URL is good until X-Amz-Expires seconds after its X-Amz-Date (check_date refused a
   date more than 5 minutes ahead). */
static int check_expiry(ddb_req *req, const claim *c, uint64_t now_ms)
{
    uint64_t t = amz_date_ms(c->amz);
    char lo[17], now[17];

    if (now_ms <= t + (uint64_t)c->expires * 1000)
        return DDB_OK;
    fmt_amz(now_ms - (uint64_t)c->expires * 1000, lo);
    fmt_amz(now_ms, now);
    return invalid(req, ddb_arena_sprintf(req->arena, "Signature expired: %s is now earlier than %s (%s - %lld sec.)", c->amz,
                                          lo, now, c->expires));
}

/* The signing algorithm, header or query: AWS4-HMAC-SHA256 only (AWS4-HMAC-SHA1 and the rest are
   refused as DynamoDB refuses them, whatever the signature). */
static int check_algorithm(ddb_req *req, const claim *c)
{
    if (c->alglen == sizeof(DDB_SIGV4_ALGORITHM) - 1 && memcmp(c->alg, DDB_SIGV4_ALGORITHM, c->alglen) == 0)
        return DDB_OK;
    return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE,
                        "Unsupported AWS 'algorithm': '%.*s' (only " DDB_SIGV4_ALGORITHM " for now). ", (int)c->alglen,
                        c->alg);
}

/* ---------------------------------------------------------------- the signature */

#define HEX2(b) "0123456789abcdef"[(b) >> 4], "0123456789abcdef"[(b) & 15]
#define HEX16(r) HEX2(r + 0), HEX2(r + 1), HEX2(r + 2), HEX2(r + 3), HEX2(r + 4), HEX2(r + 5), HEX2(r + 6), \
    HEX2(r + 7), HEX2(r + 8), HEX2(r + 9), HEX2(r + 10), HEX2(r + 11), HEX2(r + 12), HEX2(r + 13), HEX2(r + 14), HEX2(r + 15)
/* every byte's two lowercase hex digits */
static const char hexpairs[512] = {HEX16(0x00), HEX16(0x10), HEX16(0x20), HEX16(0x30), HEX16(0x40), HEX16(0x50),
                                   HEX16(0x60), HEX16(0x70), HEX16(0x80), HEX16(0x90), HEX16(0xa0), HEX16(0xb0),
                                   HEX16(0xc0), HEX16(0xd0), HEX16(0xe0), HEX16(0xf0)};

static void to_hex(const uint8_t h[32], char hex[DDB_SIGV4_HEX_LEN + 1])
{
    for (int i = 0; i < 32; i++)
        memcpy(hex + 2 * i, hexpairs + 2 * h[i], 2);
    hex[DDB_SIGV4_HEX_LEN] = 0;
}

static void sha256_hex(const void *p, size_t n, char hex[DDB_SIGV4_HEX_LEN + 1])
{
    uint8_t h[32];
    SHA256_CTX c;

    SHA256_Init(&c);
    SHA256_Update(&c, p, n);
    SHA256_Final(h, &c);
    to_hex(h, hex);
}

/*
 * The signing keys last used by this thread: HMAC("AWS4" + secret, date, region, service,
 * "aws4_request") changes once a day per key and region, so deriving it (four HMACs) on every
 * request is wasted; a hit costs a few compares. Keyed on the key file's load (gen) and the key's
 * index in it, so a key file loaded later never meets an older one's keys.
 */
#define SKEY_SLOTS 4
#define SKEY_REGION_MAX 32
typedef struct skey_slot {
    uint64_t gen;
    size_t key;
    char date8[8];
    char region[SKEY_REGION_MAX];
    size_t region_len;
    ddb_hmac_sha256 hk;
} skey_slot;

static _Thread_local skey_slot skey_cache[SKEY_SLOTS];
static _Thread_local unsigned skey_next;

/* The signing key of the request's key, date and region: a cache slot, or `tmp` filled in. */
static const ddb_hmac_sha256 *signing_key(ddb_req *req, const ddb_auth *a, const key_entry *k,
                                          const char *const part[5], const size_t plen[5], ddb_hmac_sha256 *tmp)
{
    size_t ki = (size_t)(k - a->keys);
    uint8_t key[32];
    skey_slot *s;
    char date8[9], *region;

    for (unsigned i = 0; i < SKEY_SLOTS; i++) {
        s = &skey_cache[i];
        if (s->gen == a->gen && s->key == ki && memcmp(s->date8, part[1], 8) == 0 && s->region_len == plen[2] &&
            memcmp(s->region, part[2], plen[2]) == 0)
            return &s->hk;
    }
    region = ddb_arena_strndup(req->arena, part[2], plen[2]);
    memcpy(date8, part[1], 8); /* check_scope made it 8 characters */
    date8[8] = 0;
    ddb_sigv4_signing_key(k->secret, date8, region, "dynamodb", key);
    if (plen[2] > SKEY_REGION_MAX) { /* no real region: not worth a slot */
        ddb_hmac_sha256_init(tmp, key);
        sodium_memzero(key, sizeof(key));
        return tmp;
    }
    s = &skey_cache[skey_next++ % SKEY_SLOTS];
    ddb_hmac_sha256_init(&s->hk, key);
    sodium_memzero(key, sizeof(key));
    s->gen = a->gen;
    s->key = ki;
    memcpy(s->date8, part[1], 8);
    memcpy(s->region, part[2], plen[2]);
    s->region_len = plen[2];
    return &s->hk;
}

/* Two 64-character signatures compared in constant time: every byte is looked at, whatever differs. */
static int same_signature(const char *a, const char *b)
{
    uint64_t x, y;
    volatile uint64_t d = 0;

    for (int i = 0; i < DDB_SIGV4_HEX_LEN; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        d |= x ^ y;
    }
    return d == 0;
}

/*
 * The signature over the canonical request, compared in constant time. The string to sign,
 * "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex SHA-256 of the canonical request>", goes straight into
 * the HMAC; the scope is the credential after the access key id, as sent.
 */
static int check_signature(ddb_req *req, const ddb_auth *a, const ddb_auth_request *hr, const claim *c,
                           const key_entry *k, const char *const part[5], const size_t plen[5])
{
    ddb_sigv4_header *hs;
    ddb_sigv4_request sreq;
    ddb_buf creq = {0};
    char hex[DDB_SIGV4_HEX_LEN + 1], body_hash[DDB_SIGV4_HEX_LEN + 1], simple[1024];
    size_t clen, alen, stslen;
    uint8_t mac[32];
    ddb_hmac_sha256 tmp;
    const ddb_hmac_sha256 *hk;
    SHA256_CTX ctx;
    int has_host, ok;
    ssize_t found = signed_headers(req, hr, c->sh, c->shlen, &hs, &has_host);
    size_t nh = found > 0 ? (size_t)found : 0;
    size_t scope_len = (size_t)(part[4] + plen[4] - part[1]);

    if (!has_host)
        return invalid(req, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    if (found < 0)
        return invalid(req, MISMATCH);
    sha256_hex(hr->body_len ? hr->body : "", hr->body_len, body_hash);
    sreq = (ddb_sigv4_request){hr->method, hr->path, c->query, hs, nh, hr->body, hr->body_len, body_hash};
    if ((clen = ddb_sigv4_canonical_simple(&sreq, simple, sizeof(simple))) > 0) {
        sha256_hex(simple, clen, hex);
    } else {
        ddb_sigv4_canonical_request(&sreq, &creq, NULL);
        sha256_hex(creq.data, creq.len, hex);
        ddb_buf_free(&creq);
    }
    hk = signing_key(req, a, k, part, plen, &tmp);
    ctx = hk->in;
    alen = strlen(c->amz);
    if ((stslen = sizeof(DDB_SIGV4_ALGORITHM) + alen + 1 + scope_len + 1 + DDB_SIGV4_HEX_LEN) <= sizeof(simple)) {
        char *o = simple; /* the string to sign in one piece: one update */
        memcpy(o, DDB_SIGV4_ALGORITHM "\n", sizeof(DDB_SIGV4_ALGORITHM));
        o += sizeof(DDB_SIGV4_ALGORITHM);
        memcpy(o, c->amz, alen);
        o += alen;
        *o++ = '\n';
        memcpy(o, part[1], scope_len);
        o += scope_len;
        *o++ = '\n';
        memcpy(o, hex, DDB_SIGV4_HEX_LEN);
        SHA256_Update(&ctx, simple, stslen);
    } else {
        SHA256_Update(&ctx, DDB_SIGV4_ALGORITHM "\n", sizeof(DDB_SIGV4_ALGORITHM));
        SHA256_Update(&ctx, c->amz, alen);
        SHA256_Update(&ctx, "\n", 1);
        SHA256_Update(&ctx, part[1], scope_len);
        SHA256_Update(&ctx, "\n", 1);
        SHA256_Update(&ctx, hex, DDB_SIGV4_HEX_LEN);
    }
    SHA256_Final(mac, &ctx);
    ctx = hk->out;
    SHA256_Update(&ctx, mac, sizeof(mac));
    SHA256_Final(mac, &ctx);
    to_hex(mac, hex);
    ok = c->siglen == DDB_SIGV4_HEX_LEN && same_signature(hex, c->sig);
    if (hk == &tmp)
        sodium_memzero(&tmp, sizeof(tmp));
    sodium_memzero(&ctx, sizeof(ctx));
    sodium_memzero(mac, sizeof(mac));
    if (!ok)
        return invalid(req, MISMATCH);
    return DDB_OK;
}

int ddb_auth_verify(const ddb_auth *a, ddb_req *req, const ddb_auth_request *hr, uint64_t now_ms)
{
    const char *authz = header(hr, "authorization"), *cred, *part[5];
    size_t plen[5], clen;
    const key_entry *k;
    char amz_buf[17];
    claim c = {0};

    if (authz != NULL ? claim_of_header(req, hr, authz, amz_buf, &c) != DDB_OK
                      : hr->query == NULL || strstr(hr->query, "X-Amz-Signature=") == NULL
                            ? ddb_req_fail(req, DDB_E_MISSING_AUTH_TOKEN, "Request is missing Authentication Token") != DDB_OK
                            : claim_of_query(req, hr, &c) != DDB_OK)
        return req->err.code;
    cred = c.cred;
    clen = c.clen;
    for (int i = 0; i < 5; i++) {
        const char *slash = i < 4 ? memchr(cred, '/', clen) : NULL;
        if (i < 4 && slash == NULL)
            return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE,
                                "Credential must have exactly 5 slash-delimited elements, e.g. "
                                "keyid/date/region/service/term, got '%.*s'",
                                (int)c.clen, c.cred);
        part[i] = cred;
        plen[i] = slash ? (size_t)(slash - cred) : clen;
        clen -= slash ? plen[i] + 1 : clen;
        cred = slash ? slash + 1 : cred + plen[i];
    }
    /* the date first: a signed header is good for 5 minutes either way, a presigned URL from at most 5
       minutes ahead until it expires; then the algorithm (DynamoDB: the date, then the algorithm) */
    now_ms = wall_ms(now_ms);
    if (check_date(req, c.amz, now_ms, c.expires < 0 ? CLOCK_PAST | CLOCK_FUTURE : CLOCK_FUTURE) != DDB_OK ||
        (c.expires >= 0 && check_expiry(req, &c, now_ms) != DDB_OK) || check_algorithm(req, &c) != DDB_OK)
        return req->err.code;
    if ((k = find_key(a, part[0], plen[0])) == NULL)
        return ddb_req_fail(req, DDB_E_UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
    if ((c.token != NULL) != (k->token != NULL) || (c.token != NULL && strcmp(c.token, k->token) != 0))
        return ddb_req_fail(req, DDB_E_UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
    if (check_scope(req, part, plen, c.amz) != DDB_OK)
        return req->err.code;
    if (check_signature(req, a, hr, &c, k, part, plen) != DDB_OK)
        return req->err.code;
    req->access_key = ddb_arena_strndup(req->arena, part[0], plen[0]);
    req->region = ddb_arena_strndup(req->arena, part[2], plen[2]);
    return DDB_OK;
}
