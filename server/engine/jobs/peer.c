/*
 * server/engine/jobs/peer.c: requests to the peer servers of --region-peer (see peer.h).
 */
#include "server/engine/jobs/peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/sigv4.h"
#include "server/base/clock.h"
#include "server/base/http_client.h"

#define TIMEOUT_S 10

const char *ddb_peer_url(const ddb_engine *eng, const char *region)
{
    const ddb_peer_settings *p = &eng->settings.peers;
    size_t n = region != NULL ? strlen(region) : 0;

    for (unsigned i = 0; i < p->n && n > 0; i++)
        if (strncmp(p->specs[i], region, n) == 0 && p->specs[i][n] == '=')
            return p->specs[i] + n + 1;
    return NULL;
}

void ddb_peer_outbox_add(ddb_batch *b, ddb_arena *a, const char *from, const char *key, const char *region,
                         const char *op, const char *body)
{
    static unsigned seq;
    unsigned n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
    char *k = ddb_arena_sprintf(a, DDB_PEER_OUTBOX "%016llu%08u", (unsigned long long)ddb_clock_now_ms(), n % 100000000u);
    ddb_buf out = {0};
    ddb_jw w;

    ddb_jw_init(&w, &out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "From");
    ddb_jw_str(&w, from);
    ddb_jw_key(&w, "Key");
    ddb_jw_str(&w, key);
    ddb_jw_key(&w, "Region");
    ddb_jw_str(&w, region);
    ddb_jw_key(&w, "Op");
    ddb_jw_str(&w, op);
    ddb_jw_key(&w, "Body");
    ddb_jw_str(&w, body);
    ddb_jw_obj_end(&w);
    ddb_batch_meta_put(b, k, strlen(k), ddb_arena_memdup(a, out.data, out.len), out.len);
    ddb_buf_free(&out);
}

/* The request head, signed as the DynamoDB service of `region`. */
static void build_head(const ddb_engine *eng, const ddb_http_url *u, const char *from, const char *region,
                       const char *target, const char *body, size_t len, ddb_buf *tx)
{
    const ddb_peer_settings *p = &eng->settings.peers;
    char amz_date[17], hash[DDB_SIGV4_HEX_LEN + 1];
    ddb_sigv4_header hs[] = {{"content-type", "application/x-amz-json-1.0"},
                             {"host", u->hostport},
                             {"x-amz-date", amz_date},
                             {"x-amz-target", target},
                             {DDB_PEER_HEADER, from}};
    ddb_sigv4_request r = {"POST", u->path, NULL, hs, sizeof(hs) / sizeof(hs[0]), body, len, hash};
    time_t now = ddb_clock_system_s(); /* signed: AWS compares it with its own clock */
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
    ddb_sigv4_sha256_hex(body, len, hash);
    ddb_buf_printf(tx, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.0\r\n", u->path,
                   u->hostport);
    ddb_buf_printf(tx, "X-Amz-Date: %s\r\nX-Amz-Target: %s\r\n%s: %s\r\nContent-Length: %zu\r\nConnection: close\r\n",
                   amz_date, target, DDB_PEER_HEADER, from, len);
    ddb_buf_puts(tx, "Authorization: ");
    ddb_sigv4_sign_request(&r, amz_date, region, "dynamodb", p->access_key, p->secret_key, tx);
    ddb_buf_puts(tx, "\r\n\r\n");
}

int ddb_peer_call(const ddb_engine *eng, ddb_arena *a, const char *from, const char *region, const char *op,
                  const char *body, size_t len, int *status, ddb_buf *resp, char *err, size_t errlen)
{
    const char *url = ddb_peer_url(eng, region);
    ddb_http_url u;
    ddb_buf tx = {0};
    int fd, rc;

    if (url == NULL) {
        snprintf(err, errlen, "no --region-peer for %s", region);
        return -1;
    }
    if (ddb_http_url_parse(url, &u, err, errlen) != 0 || (fd = ddb_http_connect(u.host, u.port, TIMEOUT_S, err, errlen)) < 0)
        return -1;
    build_head(eng, &u, from, region, ddb_arena_sprintf(a, "DynamoDB_20120810.%s", op), body, len, &tx);
    rc = ddb_http_send_all(fd, tx.data, tx.len) == 0 && ddb_http_send_all(fd, body, len) == 0 ? 0 : -1;
    ddb_buf_free(&tx);
    resp->len = 0;
    if (rc != 0)
        snprintf(err, errlen, "%s to %s: %s", op, url, strerror(errno));
    else
        rc = ddb_http_read_answer(fd, status, NULL, resp, err, errlen);
    close(fd);
    return rc;
}

const char *ddb_peer_error(ddb_arena *a, const ddb_buf *resp)
{
    const ddb_json *j = resp->len > 0 ? ddb_json_parse(a, resp->data, resp->len) : NULL;
    const char *type = ddb_json_get_str(j, "__type"), *hash;

    if (type == NULL)
        return "";
    hash = strchr(type, '#');
    return hash != NULL ? hash + 1 : type;
}
