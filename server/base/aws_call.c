/*
 * server/base/aws_call.c: signed requests to AWS services (see aws_call.h).
 */
#include "server/base/aws_call.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/base/clock.h"
#include "server/base/http_client.h"

#define MAX_HEADERS 16

static void put_header(ddb_buf *b, const char *name, const char *value)
{
    ddb_buf_printf(b, "%s: %s\r\n", name, value);
}

void ddb_aws_head(const ddb_aws_request *r, const ddb_aws_signer *s, ddb_buf *tx)
{
    char amz_date[17], hash[DDB_SIGV4_HEX_LEN + 1], clen[24];
    ddb_sigv4_header hs[MAX_HEADERS] = {{"host", r->hostport}, {"x-amz-date", amz_date}};
    ddb_sigv4_request sr = {r->method, r->path, r->query, hs, 2, r->body, r->len, hash};
    time_t now = ddb_clock_system_s(); /* signed: AWS compares it with its own clock */
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
    ddb_sigv4_sha256_hex(r->body, r->len, hash);
    if (r->content_sha256)
        hs[sr.nheaders++] = (ddb_sigv4_header){"x-amz-content-sha256", hash};
    for (size_t i = 0; i < r->nheaders && sr.nheaders < MAX_HEADERS; i++)
        hs[sr.nheaders++] = r->headers[i];
    ddb_buf_printf(tx, "%s %s%s%s HTTP/1.1\r\n", r->method, r->path, r->query ? "?" : "", r->query ? r->query : "");
    for (size_t i = 0; i < sr.nheaders; i++)
        put_header(tx, hs[i].name, hs[i].value);
    snprintf(clen, sizeof(clen), "%zu", r->len);
    put_header(tx, "content-length", clen);
    put_header(tx, "connection", "close");
    for (size_t i = 0; i < r->nplain; i++)
        put_header(tx, r->plain[i].name, r->plain[i].value);
    ddb_buf_puts(tx, "authorization: ");
    ddb_sigv4_sign_request(&sr, amz_date, s->region, s->service, s->access_key, s->secret_key, tx);
    ddb_buf_puts(tx, "\r\n\r\n");
}

int ddb_aws_json_call(const char *url, const ddb_aws_signer *s, const char *content_type, const char *target,
                      const ddb_sigv4_header *extra, size_t nextra, const void *body, size_t len, unsigned timeout_s,
                      const char *what, int *status, ddb_buf *resp, char *err, size_t errlen)
{
    ddb_sigv4_header hs[MAX_HEADERS] = {{"content-type", content_type}, {"x-amz-target", target}};
    ddb_aws_request r = {"POST", NULL, NULL, NULL, hs, 2, NULL, 0, 0, body, len};
    ddb_http_url u;
    ddb_buf tx = {0};
    int fd, rc;

    for (size_t i = 0; i < nextra && r.nheaders < MAX_HEADERS - 3; i++)
        hs[r.nheaders++] = extra[i];
    if (ddb_http_url_parse(url, &u, err, errlen) != 0 || (fd = ddb_http_connect(u.host, u.port, timeout_s, err, errlen)) < 0)
        return -1;
    r.path = u.path;
    r.hostport = u.hostport;
    ddb_aws_head(&r, s, &tx);
    rc = ddb_http_send_all(fd, tx.data, tx.len) == 0 && ddb_http_send_all(fd, body, len) == 0 ? 0 : -1;
    ddb_buf_free(&tx);
    resp->len = 0;
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", what, strerror(errno));
    else
        rc = ddb_http_read_answer(fd, status, NULL, resp, err, errlen);
    close(fd);
    return rc;
}
