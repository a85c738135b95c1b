/*
 * proto/item_scan.c: an item's size counted as its request's text is read, before any tree is
 * built (see ddb_item_text_exceeds in attr.h).
 *
 * Why before the tree: a 15 MB item (a 30 KB gzip body) made a 197 MB JSON tree and 38 MB of
 * decoded values, 0.3-0.9 s of its loop, before the item-size check refused it (issue 49,
 * measured with perf: the tree's page faults were two thirds of the time). Read by yajl's events
 * with no tree and no allocation, the scan stops as soon as the item is known to be too large.
 *
 * The count is a lower bound of ddb_item_size's (attr_value.c) for the same item: names' bytes,
 * S's bytes, B's decoded bytes (at least 3 per 4 characters, less 2 for padding), 1 for a number
 * (each takes 1 at least), BOOL and NULL 1, 3 for each L and M, and 1 for each element of either.
 * So an item it finds too large is, and a smaller one, or text that is not JSON, goes on to the
 * parse and the checks in their order.
 */
#include "proto/attr.h"

#include <string.h>

#include <yajl/yajl_parse.h>

typedef struct item_scan {
    const char *member; /* the top-level member holding the item ("Item") */
    size_t mlen;
    size_t limit, size;
    int depth;      /* open containers */
    int item_depth; /* depth of the item's own map once open; 0: not in the item */
    int item_next;  /* the next value is the item's map */
    int set_tag;    /* the type tag of the wrapper open (S, B, N, SS, BS, NS, L, M...): its letters */
    int array_at;   /* depth of the innermost open array (0: none since the wrapper) */
} item_scan;

/* Depth of the current container relative to the item's map: even for maps of names (the item's,
   an M's) and arrays (L, sets), odd for a value's wrapper ({"S": ...}). */
static int rel(const item_scan *s)
{
    return s->depth - s->item_depth;
}

static int add(item_scan *s, size_t n)
{
    s->size += n;
    return s->size <= s->limit; /* 0 stops the parse: too large */
}

#define TAG(a, b) ((a) | (b) << 8)

/* A scalar in the item: the value of its wrapper's tag, or an element of a set. */
static int on_scalar(item_scan *s, size_t len)
{
    size_t b64 = len / 4 * 3 > 2 ? len / 4 * 3 - 2 : 0;

    s->item_next = 0;
    if (s->item_depth == 0 || s->depth <= s->item_depth)
        return 1;
    switch (s->set_tag) {
    case 'S':
    case TAG('S', 'S'):
        return add(s, len);
    case 'B':
    case TAG('B', 'S'):
        return add(s, b64);
    default:
        return add(s, 1); /* N, NS, BOOL, NULL */
    }
}

static int on_null(void *ctx)
{
    return on_scalar(ctx, 0);
}

static int on_boolean(void *ctx, int v)
{
    (void)v;
    return on_scalar(ctx, 0);
}

static int on_number(void *ctx, const char *p, size_t len)
{
    (void)p;
    return on_scalar(ctx, len);
}

static int on_string(void *ctx, const unsigned char *p, size_t len)
{
    (void)p;
    return on_scalar(ctx, len);
}

static int open_container(item_scan *s, int is_map)
{
    s->depth++;
    if (s->item_next) {
        s->item_next = 0;
        if (!is_map)
            return 1;
        s->item_depth = s->depth;
        s->size = 0;
        return 1;
    }
    if (s->item_depth == 0 || s->depth <= s->item_depth)
        return 1;
    if (rel(s) % 2 == 1) /* a wrapper: in a list it is an element (1 byte) */
        return add(s, s->array_at == s->depth - 1 ? 1 : 0);
    return add(s, s->set_tag == 'L' || s->set_tag == 'M' ? 3 : 0);
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, 1);
}

static int on_start_array(void *ctx)
{
    item_scan *s = ctx;
    int ok = open_container(s, 0);

    s->array_at = s->depth;
    return ok;
}

static int on_end(void *ctx)
{
    item_scan *s = ctx;

    if (s->array_at == s->depth)
        s->array_at = 0;
    if (s->depth == s->item_depth)
        s->item_depth = 0;
    s->depth--;
    return 1;
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
    item_scan *s = ctx;

    if (s->depth == 1) {
        s->item_next = len == s->mlen && memcmp(key, s->member, len) == 0;
        return 1;
    }
    if (s->item_depth == 0 || s->depth < s->item_depth)
        return 1;
    if (rel(s) % 2 == 1) { /* a wrapper's type tag */
        s->set_tag = len == 1 ? key[0] : len == 2 ? TAG(key[0], key[1]) : 0;
        return 1;
    }
    return add(s, len + (rel(s) > 0)); /* a name; an M's entries take 1 byte more each */
}

static const yajl_callbacks callbacks = {
    on_null, on_boolean, NULL, NULL, on_number, on_string, on_start_map, on_map_key, on_end, on_start_array, on_end,
};

int ddb_item_text_exceeds(const char *text, size_t len, const char *member, size_t limit)
{
    item_scan s = {.member = member, .mlen = strlen(member), .limit = limit};
    yajl_handle h;
    yajl_status st;

    if (len <= limit) /* the text of an item is longer than its size */
        return 0;
    if ((h = yajl_alloc(&callbacks, NULL, &s)) == NULL)
        return 0;
    st = yajl_parse(h, (const unsigned char *)text, len);
    yajl_free(h);
    return st == yajl_status_client_canceled;
}
