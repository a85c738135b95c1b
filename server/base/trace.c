/*
 * server/base/trace.c: trace headers read, and child spans noted (see trace.h).
 */
#include "server/base/trace.h"

#include <string.h>
#include <time.h>

#include <sodium.h>

#include "server/base/clock.h"

__thread ddb_span *ddb_trace_active;

static int hexval(char c, int lower_only)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (!lower_only && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* n bytes from 2n hex digits at s; -1 on a bad digit. */
static int unhex(const char *s, size_t n, uint8_t *out, int lower_only)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i], lower_only), lo = hexval(s[2 * i + 1], lower_only);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

int ddb_trace_parse_traceparent(const char *s, size_t n, ddb_trace_ctx *ctx)
{
    uint8_t version, flags;

    if (n < 55 || unhex(s, 1, &version, 1) != 0 || version == 0xff || (version == 0 && n != 55) ||
        (n > 55 && s[55] != '-') || s[2] != '-' || s[35] != '-' || s[52] != '-')
        return -1;
    if (unhex(s + 3, 16, ctx->trace_id, 1) != 0 || unhex(s + 36, 8, ctx->parent_id, 1) != 0 ||
        unhex(s + 53, 1, &flags, 1) != 0 || all_zero(ctx->trace_id, 16) || all_zero(ctx->parent_id, 8))
        return -1;
    ctx->has_parent = 1;
    ctx->sampled = flags & 1;
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One Key=Value field of X-Amzn-Trace-Id (trimmed); -1 when a known one is malformed. */
static int amzn_field(const char *k, size_t kn, const char *v, size_t vn, ddb_trace_ctx *ctx, int *root)
{
    if (kn == 4 && memcmp(k, "Root", 4) == 0) {
        if (vn != 35 || v[0] != '1' || v[1] != '-' || v[10] != '-' || unhex(v + 2, 4, ctx->trace_id, 0) != 0 ||
            unhex(v + 11, 12, ctx->trace_id + 4, 0) != 0 || all_zero(ctx->trace_id, 16))
            return -1;
        *root = 1;
    } else if (kn == 6 && memcmp(k, "Parent", 6) == 0) {
        if (vn != 16 || unhex(v, 8, ctx->parent_id, 0) != 0)
            return -1;
        ctx->has_parent = !all_zero(ctx->parent_id, 8);
    } else if (kn == 7 && memcmp(k, "Sampled", 7) == 0) {
        if (vn != 1 || (v[0] != '0' && v[0] != '1' && v[0] != '?'))
            return -1;
        ctx->sampled = v[0] != '0';
    }
    return 0;
}

int ddb_trace_parse_amzn(const char *s, size_t n, ddb_trace_ctx *ctx)
{
    const char *end = s + n;
    int root = 0;

    memset(ctx, 0, sizeof(*ctx));
    ctx->sampled = 1;
    while (s < end) {
        const char *f = s, *fe = memchr(s, ';', (size_t)(end - s)), *eq;
        if (fe == NULL)
            fe = end;
        s = fe + (fe < end);
        while (f < fe && is_blank(*f))
            f++;
        while (fe > f && is_blank(fe[-1]))
            fe--;
        if (f == fe)
            continue;
        if ((eq = memchr(f, '=', (size_t)(fe - f))) == NULL)
            return -1;
        if (amzn_field(f, (size_t)(eq - f), eq + 1, (size_t)(fe - eq - 1), ctx, &root) != 0)
            return -1;
    }
    return root ? 0 : -1;
}

void ddb_trace_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void ddb_trace_new(ddb_trace_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    do
        randombytes_buf(ctx->trace_id, sizeof(ctx->trace_id));
    while (all_zero(ctx->trace_id, 16));
    ctx->sampled = 1;
}

int ddb_trace_child_open_slow(const char *name)
{
    ddb_span *s = ddb_trace_active;
    ddb_span_child *c;

    if (s->nchildren == DDB_TRACE_CHILDREN) {
        s->children_dropped++;
        return -1;
    }
    c = &s->children[s->nchildren];
    c->name = name;
    c->parent = s->open_child;
    c->start_ns = ddb_clock_system_ns();
    c->end_ns = c->start_ns;
    s->open_child = (int)s->nchildren;
    return (int)s->nchildren++;
}

void ddb_trace_child_close_slow(int child)
{
    ddb_span *s = ddb_trace_active;

    if (s == NULL || child >= (int)s->nchildren)
        return;
    s->children[child].end_ns = ddb_clock_system_ns();
    s->open_child = s->children[child].parent;
}
