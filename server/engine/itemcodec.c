/*
 * server/engine/itemcodec.c: item <-> bytes (layout in itemcodec.h).
 */
#include "server/engine/itemcodec.h"

#include <string.h>

#include "proto/buf.h"

static void put_varint(ddb_buf *b, uint64_t v)
{
    char tmp[10];
    size_t n = 0;

    while (v >= 0x80) {
        tmp[n++] = (char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (char)v;
    ddb_buf_append(b, tmp, n);
}

static void put_bytes(ddb_buf *b, const char *p, size_t n)
{
    put_varint(b, n);
    ddb_buf_append(b, p, n);
}

static void put_value(ddb_buf *b, const ddb_attr *v)
{
    ddb_buf_putc(b, (char)v->type);
    switch (v->type) {
    case DDB_T_S:
    case DDB_T_N:
    case DDB_T_B:
        put_bytes(b, v->u.s, v->len);
        break;
    case DDB_T_BOOL:
        ddb_buf_putc(b, (char)(v->boolean ? 1 : 0));
        break;
    case DDB_T_NULL:
        break;
    case DDB_T_M:
        put_varint(b, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            put_bytes(b, v->u.entries[i].name, v->u.entries[i].nlen);
            put_value(b, &v->u.entries[i].val);
        }
        break;
    case DDB_T_L:
        put_varint(b, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            put_value(b, &v->u.items[i]);
        break;
    default: /* sets */
        put_varint(b, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            put_bytes(b, v->u.items[i].u.s, v->u.items[i].len);
        break;
    }
}

void ddb_item_encode(ddb_arena *a, const ddb_attr *item, size_t item_size, char **out, size_t *len)
{
    ddb_buf b = {0};

    ddb_buf_putc(&b, DDB_ITEM_FORMAT_VERSION);
    put_varint(&b, item_size);
    put_varint(&b, item->len);
    for (uint32_t i = 0; i < item->len; i++) {
        put_bytes(&b, item->u.entries[i].name, item->u.entries[i].nlen);
        put_value(&b, &item->u.entries[i].val);
    }
    *out = ddb_arena_memdup(a, b.data, b.len);
    *len = b.len;
    ddb_buf_free(&b);
}

/* ---- decoding ---- */

typedef struct reader {
    const unsigned char *p, *end;
    ddb_arena *a;
    int bad;
} reader;

static uint64_t get_varint(reader *r)
{
    uint64_t v = 0;

    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

static const char *get_bytes(reader *r, uint32_t *len)
{
    uint64_t n = get_varint(r);
    const char *s = (const char *)r->p;

    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = 1;
        *len = 0;
        return "";
    }
    r->p += n;
    *len = (uint32_t)n;
    return s;
}

/* Reads a count and checks it could fit in the remaining bytes (each element needs at least one). */
static uint32_t get_count(reader *r)
{
    uint64_t n = get_varint(r);

    if (n > (uint64_t)(r->end - r->p)) {
        r->bad = 1;
        return 0;
    }
    return (uint32_t)n;
}

static void get_value(reader *r, ddb_attr *v, int depth)
{
    if (r->p >= r->end || depth > DDB_MAX_NESTING + 1) {
        r->bad = 1;
        return;
    }
    memset(v, 0, sizeof(*v));
    v->type = *r->p++;
    switch (v->type) {
    case DDB_T_S:
    case DDB_T_N:
    case DDB_T_B:
        v->u.s = get_bytes(r, &v->len);
        break;
    case DDB_T_BOOL:
        if (r->p >= r->end)
            r->bad = 1;
        else
            v->boolean = *r->p++ != 0;
        break;
    case DDB_T_NULL:
        break;
    case DDB_T_M:
        v->len = get_count(r);
        v->u.entries = ddb_arena_alloc(r->a, sizeof(ddb_entry) * (v->len ? v->len : 1));
        for (uint32_t i = 0; i < v->len && !r->bad; i++) {
            v->u.entries[i].name = get_bytes(r, &v->u.entries[i].nlen);
            get_value(r, &v->u.entries[i].val, depth + 1);
        }
        break;
    case DDB_T_L:
        v->len = get_count(r);
        v->u.items = ddb_arena_alloc(r->a, sizeof(ddb_attr) * (v->len ? v->len : 1));
        for (uint32_t i = 0; i < v->len && !r->bad; i++)
            get_value(r, &v->u.items[i], depth + 1);
        break;
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS: {
        uint8_t et = v->type == DDB_T_SS ? DDB_T_S : v->type == DDB_T_NS ? DDB_T_N : DDB_T_B;
        v->len = get_count(r);
        v->u.items = ddb_arena_alloc(r->a, sizeof(ddb_attr) * (v->len ? v->len : 1));
        for (uint32_t i = 0; i < v->len && !r->bad; i++) {
            memset(&v->u.items[i], 0, sizeof(ddb_attr));
            v->u.items[i].type = et;
            v->u.items[i].u.s = get_bytes(r, &v->u.items[i].len);
        }
        break;
    }
    default:
        r->bad = 1;
    }
}

int ddb_item_decode(ddb_arena *a, const char *buf, size_t len, ddb_attr *item)
{
    reader r = {(const unsigned char *)buf, (const unsigned char *)buf + len, a, 0};

    if (len < 1 || buf[0] != DDB_ITEM_FORMAT_VERSION)
        return -1;
    r.p++;
    (void)get_varint(&r); /* stored size */
    memset(item, 0, sizeof(*item));
    item->type = DDB_T_M;
    item->len = get_count(&r);
    item->u.entries = ddb_arena_alloc(a, sizeof(ddb_entry) * (item->len ? item->len : 1));
    for (uint32_t i = 0; i < item->len && !r.bad; i++) {
        item->u.entries[i].name = get_bytes(&r, &item->u.entries[i].nlen);
        get_value(&r, &item->u.entries[i].val, 1);
    }
    return r.bad || r.p != r.end ? -1 : 0;
}

size_t ddb_item_stored_size(const char *buf, size_t len)
{
    reader r = {(const unsigned char *)buf, (const unsigned char *)buf + len, NULL, 0};
    uint64_t size;

    if (len < 2 || buf[0] != DDB_ITEM_FORMAT_VERSION)
        return 0;
    r.p++;
    size = get_varint(&r);
    return r.bad ? 0 : (size_t)size;
}

int ddb_item_encodings_equal(ddb_arena *a, const char *x, size_t xlen, const char *y, size_t ylen)
{
    ddb_attr xi, yi;

    if (xlen != ylen)
        return 0;
    if (memcmp(x, y, xlen) == 0)
        return 1;
    return ddb_item_decode(a, x, xlen, &xi) == 0 && ddb_item_decode(a, y, ylen, &yi) == 0 && ddb_attr_equal(&xi, &yi);
}
