/*
 * server/engine/jobs/peer.c: requests to the peer servers of --region-peer (see peer.h).
 */
#include "server/engine/jobs/peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/base/aws_call.h"
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
    /* process-wide on purpose (layers.check's allow-list): it only tells apart entries of one
       millisecond, and across engines it makes their keys more distinct, never less */
    static unsigned seq;
    unsigned n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
    char *k = ddb_arena_sprintf(a, DDB_PEER_OUTBOX "%016llu%08u", (unsigned long long)ddb_clock_now_ms(), n % 100000000u);
    ddb_buf out = {0};
    ddb_jw w;

    ddb_jw_init(&w, &out);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "From", from);
    ddb_jw_member_str(&w, "Key", key);
    ddb_jw_member_str(&w, "Region", region);
    ddb_jw_member_str(&w, "Op", op);
    ddb_jw_member_str(&w, "Body", body);
    ddb_jw_obj_end(&w);
    ddb_batch_meta_put(b, k, strlen(k), ddb_arena_memdup(a, out.data, out.len), out.len);
    ddb_buf_free(&out);
}

int ddb_peer_call(const ddb_engine *eng, ddb_arena *a, const char *from, const char *region, const char *op,
                  const char *body, size_t len, int *status, ddb_buf *resp, char *err, size_t errlen)
{
    return ddb_peer_call_within(eng, a, from, region, op, body, len, TIMEOUT_S, status, resp, err, errlen);
}

int ddb_peer_call_within(const ddb_engine *eng, ddb_arena *a, const char *from, const char *region, const char *op,
                         const char *body, size_t len, unsigned timeout_s, int *status, ddb_buf *resp, char *err,
                         size_t errlen)
{
    const ddb_peer_settings *p = &eng->settings.peers;
    const char *url = ddb_peer_url(eng, region);
    const ddb_aws_signer s = {"dynamodb", region, p->access_key, p->secret_key};
    const ddb_sigv4_header from_header = {DDB_PEER_HEADER, from};

    if (url == NULL) {
        snprintf(err, errlen, "no --region-peer for %s", region);
        return -1;
    }
    return ddb_aws_json_call(url, &s, "application/x-amz-json-1.0", ddb_arena_sprintf(a, "DynamoDB_20120810.%s", op),
                             &from_header, 1, body, len, timeout_s, ddb_arena_sprintf(a, "%s to %s", op, url), status,
                             resp, err, errlen);
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
