/*
 * proto/json.c: builds a ddb_json tree from yajl's SAX callbacks, and writes JSON.
 *
 * yajl's event parser is the cheapest on this machine (0.8 us for a 365-byte request against
 * 3-5.5 us for DOM libraries); the tree is assembled in the request arena with a small stack of
 * open containers whose children are collected in a scratch vector and copied out on close. A
 * parse calls no malloc unless it is large: yajl's blocks and the first scratch vector are on the
 * stack.
 *
 * What clients send (ddb_json_parse_input) is first checked to be Unicode (json_unicode.c): yajl's
 * own check passes overlong forms, encoded surrogates, code points above U+10FFFF and \u escapes of
 * half a surrogate pair, which ddbd would store and answer as bytes no SDK can decode.
 */
#include "proto/json.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#define SCRATCH_INLINE 64 /* the scratch vector's first elements, on the parser's stack */

typedef struct open_container {
    ddb_json *node;
    size_t first;     /* index of its first child in the scratch vector */
    const void *desc; /* its description (a filtered parse's) */
    uint32_t limit;   /* an array's elements built at most, or 0 (a filtered parse's) */
} open_container;

typedef struct builder {
    ddb_arena *a;
    ddb_json *root;
    open_container stack[DDB_JSON_RECORD_DEPTH];
    int depth, max_depth;
    /* scratch: children of open containers; for objects, (key, value) pairs as two slots */
    void **scratch;
    size_t nscratch, capscratch;
    const char *pending_key;
    uint32_t pending_klen;
    /* a filtered parse's (ddb_json_parse_input_filtered): the next value's description, whether it
       is skipped, and the containers open inside the one skipped */
    const ddb_json_filter *filter;
    const void *pending_desc;
    int skip_next, skip_depth;
    /* and its bounds: values built (DDB_JSON_MAX_NODES), and the AttributeValue being built (the
       depth of its outermost container, or 0), its size counted from below, and whether its
       rest is read and not built (DDB_JSON_AV_BUILT) */
    uint32_t nodes;
    int av_root, av_past, av_over, av_kind;
    size_t av_size, av_start;
    char tag;           /* the one-letter member name a value follows, or 0 */
    int opened;         /* the last value read opened an array */
    const char *text;   /* the document, and its parser: where an AttributeValue starts */
    yajl_handle h;
} builder;

/* Outgrown: twice the room, from malloc, given back after the parse (parse()). In the arena, each
   vector outgrown stayed until the request's end, zeroed: a 15 MB array of numbers left 128 MB of
   them (issue 49). The first (SCRATCH_INLINE) is on the parser's stack; larger ones are malloc'd. */
static void scratch_grow(builder *b)
{
    size_t cap = b->capscratch * 2;
    void **v = b->capscratch == SCRATCH_INLINE ? malloc(cap * sizeof(*v)) : realloc(b->scratch, cap * sizeof(*v));

    if (v == NULL)
        abort();
    if (b->capscratch == SCRATCH_INLINE)
        memcpy(v, b->scratch, b->nscratch * sizeof(*v));
    b->scratch = v;
    b->capscratch = cap;
}

static void scratch_push(builder *b, void *p)
{
    if (b->nscratch == b->capscratch)
        scratch_grow(b);
    b->scratch[b->nscratch++] = p;
}

/* Attaches a finished value to the innermost open container (or makes it the root). */
static int add_value(builder *b, ddb_json *v)
{
    if (b->depth == 0) {
        b->root = v;
        return 1;
    }
    if (b->stack[b->depth - 1].node->type == DDB_JSON_OBJECT) {
        ddb_json_member *m = ddb_arena_alloc(b->a, sizeof(*m));
        m->key = b->pending_key;
        m->klen = b->pending_klen;
        m->val = v;
        scratch_push(b, m);
    } else {
        scratch_push(b, v);
    }
    return 1;
}

static ddb_json *new_node(builder *b, ddb_json_type t)
{
    ddb_json *v = ddb_arena_alloc(b->a, sizeof(*v));
    v->type = t;
    v->n = 0;
    v->u.s = NULL;
    return v;
}

static int on_null(void *ctx)
{
    builder *b = ctx;
    return add_value(b, new_node(b, DDB_JSON_NULL));
}

static int on_boolean(void *ctx, int val)
{
    builder *b = ctx;
    ddb_json *v = new_node(b, DDB_JSON_BOOL);
    v->u.b = val != 0;
    return add_value(b, v);
}

static int on_number(void *ctx, const char *s, size_t len)
{
    builder *b = ctx;
    ddb_json *v = new_node(b, DDB_JSON_NUMBER);
    v->u.s = ddb_arena_strndup(b->a, s, len);
    v->n = (uint32_t)len;
    return add_value(b, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    builder *b = ctx;
    ddb_json *v = new_node(b, DDB_JSON_STRING);
    v->u.s = ddb_arena_strndup(b->a, (const char *)s, len);
    v->n = (uint32_t)len;
    return add_value(b, v);
}

static int open_container_of(builder *b, ddb_json_type t)
{
    ddb_json *v;

    if (b->depth == b->max_depth)
        return 0;
    v = new_node(b, t);
    if (!add_value(b, v))
        return 0;
    /* the container was pushed as a child of its parent; its own children follow */
    b->stack[b->depth].node = v;
    b->stack[b->depth].first = b->nscratch;
    b->depth++;
    return 1;
}

static int close_container(builder *b)
{
    open_container *c = &b->stack[--b->depth];
    size_t n = b->nscratch - c->first;

    c->node->n = (uint32_t)n;
    if (c->node->type == DDB_JSON_OBJECT) {
        ddb_json_member *ms = ddb_arena_alloc(b->a, sizeof(*ms) * (n ? n : 1));
        for (size_t i = 0; i < n; i++)
            ms[i] = *(ddb_json_member *)b->scratch[c->first + i];
        c->node->u.members = ms;
    } else {
        ddb_json **items = ddb_arena_alloc(b->a, sizeof(*items) * (n ? n : 1));
        if (n > 0)
            memcpy(items, b->scratch + c->first, n * sizeof(*items));
        c->node->u.items = items;
    }
    b->nscratch = c->first;
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container_of(ctx, DDB_JSON_OBJECT);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
    builder *b = ctx;
    b->pending_key = ddb_arena_strndup(b->a, (const char *)key, len);
    b->pending_klen = (uint32_t)len;
    return 1;
}

static int on_end(void *ctx)
{
    return close_container(ctx);
}

static int on_start_array(void *ctx)
{
    return open_container_of(ctx, DDB_JSON_ARRAY);
}

/*
 * yajl's own memory (the handle, its lexer, buffers, the state stack: five blocks and two
 * reallocations a parse, plus a 2 KB decode buffer for a string with escapes) comes from a
 * buffer on the parser's stack, so a request's parse costs no malloc and no free and leaves
 * nothing behind in the arena (a table's description is parsed into one that lives as long).
 * A parse needing more (long escaped strings) gets the rest from malloc. Each block starts with
 * its size, for realloc.
 */
typedef struct yajl_mem {
    char *cur, *end;
    _Alignas(16) char buf[4096];
} yajl_mem;

static int in_stack(const yajl_mem *m, const void *p)
{
    return (const char *)p >= m->buf && (const char *)p < m->end;
}

static void *mem_malloc(void *ctx, size_t n)
{
    yajl_mem *m = ctx;
    size_t need = (sizeof(size_t) + n + 15) & ~(size_t)15;
    size_t *p;

    if ((size_t)(m->end - m->cur) >= need) {
        p = (size_t *)m->cur;
        m->cur += need;
    } else if ((p = malloc(sizeof(size_t) + n)) == NULL) {
        abort();
    }
    *p = n;
    return p + 1;
}

static void mem_free(void *ctx, void *p)
{
    if (p != NULL && !in_stack(ctx, p))
        free((size_t *)p - 1);
}

static void *mem_realloc(void *ctx, void *old, size_t n)
{
    size_t had;
    void *p;

    if (old == NULL)
        return mem_malloc(ctx, n);
    had = ((size_t *)old)[-1];
    if (n <= had)
        return old;
    p = mem_malloc(ctx, n);
    memcpy(p, old, had);
    mem_free(ctx, old);
    return p;
}

static const yajl_callbacks callbacks = {
    on_null, on_boolean, NULL, NULL, on_number, on_string, on_start_map, on_map_key, on_end, on_start_array, on_end,
};

/* ---- a filtered parse: the unfiltered one's callbacks around what a skipped value does ---- */

static ddb_json *parse(ddb_arena *a, const char *text, size_t len, size_t *err_at, int checked,
                       const ddb_json_filter *filter);

/* The next value's description, in an array (its element's); in an object on_map_key set it. */
static void next_in_array(builder *b)
{
    const open_container *c = b->depth > 0 ? &b->stack[b->depth - 1] : NULL;

    if (c != NULL && c->node->type == DDB_JSON_ARRAY)
        b->pending_desc = c->desc != NULL ? b->filter->element(c->desc) : NULL;
}

/* Whether the next value is past what is built: an element past its array's bound, or a part of
   an AttributeValue past AV_BUILT_FIRST (counted, not built). */
static int past_bound(const builder *b)
{
    const open_container *c = b->depth > 0 ? &b->stack[b->depth - 1] : NULL;

    return c != NULL && (b->av_over || (c->limit != 0 && b->nscratch - c->first >= c->limit));
}

/*
 * An AttributeValue (or an item, a key) is built while its size is under AV_BUILT_FIRST, and only
 * counted past it: at its end, one of 400 KB or less is built whole from its text (a second parse
 * of that span, for a value over 16 KB only), one over is left cut (*filter->cut) and the caller
 * refuses the request. So no tree of more than ~16 KB of attribute data is built beside one that
 * DynamoDB can hold: a list of 1.3 million numbers (13 MB of body) builds 8,000 of them.
 */
#define AV_BUILT_FIRST (16 * 1024)

/* A value's size from below (proto/attr.h's rules): a string that is member "S"'s value its bytes
   (an empty S is 0), member "N"'s 2 when it has a digit other than 0 (a number's exponent byte and
   its first pair of digits; zero is 1), any other scalar 1, an object 1 (an element's or a map
   entry's own byte at least, an M's map is in its 3) and an empty array 1 (an L's 3; a set is
   never empty): every value built is then a byte at least but a list's own array, so a value
   counted under the limit is at most ~800,000 values. Counted whether built or not. */
static void av_count(builder *b, size_t size)
{
    if (b->av_root > 0) {
        b->av_size += size;
        if (b->av_size > AV_BUILT_FIRST)
            b->av_past = 1;
    }
    b->tag = 0;
    b->opened = 0;
}

static size_t scalar_size(const builder *b, const unsigned char *s, size_t len)
{
    if (b->tag == 'S')
        return len;
    if (b->tag == 'N')
        for (size_t i = 0; i < len; i++)
            if (s[i] >= '1' && s[i] <= '9')
                return 2;
    return 1;
}

/* Whether a scalar is skipped: inside a skipped container, itself the member skipped, or past a
   bound (see past_bound); counted in its AttributeValue either way. A part of an AttributeValue
   stops being built where one is complete (a scalar, a container's end), so what is built of one
   is an AttributeValue. */
static int skip_scalar(builder *b, size_t size)
{
    int skip = b->skip_depth > 0 || b->skip_next || past_bound(b);

    av_count(b, size);
    b->skip_next = 0;
    if (skip)
        return 1;
    if (++b->nodes > DDB_JSON_MAX_NODES)
        return -1;
    next_in_array(b);
    b->av_over = b->av_root > 0 && b->av_past;
    return 0;
}

static int f_null(void *ctx)
{
    int skip = skip_scalar(ctx, 1);
    return skip > 0 || (skip == 0 && on_null(ctx));
}

static int f_boolean(void *ctx, int val)
{
    int skip = skip_scalar(ctx, 1);
    return skip > 0 || (skip == 0 && on_boolean(ctx, val));
}

static int f_number(void *ctx, const char *s, size_t len)
{
    int skip = skip_scalar(ctx, 1);
    return skip > 0 || (skip == 0 && on_number(ctx, s, len));
}

static int f_string(void *ctx, const unsigned char *s, size_t len)
{
    int skip = skip_scalar(ctx, scalar_size(ctx, s, len));
    return skip > 0 || (skip == 0 && on_string(ctx, s, len));
}

/* A container opens: counted when skipped (the depth limit holds there as elsewhere), else built
   with its description, its bound if an array, and as an AttributeValue's start or part. */
static int f_open(builder *b, ddb_json_type t)
{
    const ddb_json_filter *f = b->filter;
    const void *desc;
    uint32_t bound;

    av_count(b, t == DDB_JSON_OBJECT);
    b->opened = t == DDB_JSON_ARRAY;
    if (b->skip_depth > 0 || b->skip_next || past_bound(b)) {
        b->skip_next = 0;
        if (b->depth + b->skip_depth == b->max_depth)
            return 0;
        b->skip_depth++;
        return 1;
    }
    next_in_array(b);
    desc = b->depth == 0 ? f->root : b->pending_desc;
    if (++b->nodes > DDB_JSON_MAX_NODES || !open_container_of(b, t))
        return 0;
    bound = desc != NULL && t == DDB_JSON_ARRAY && f->bound != NULL ? f->bound(desc) : 0;
    b->stack[b->depth - 1].desc = desc;
    b->stack[b->depth - 1].limit = bound != 0 ? bound + 1 : 0;
    if (b->av_root == 0 && desc != NULL && f->attr != NULL && (b->av_kind = f->attr(desc)) != 0) {
        b->av_root = b->depth;
        b->av_size = 0;
        b->av_past = b->av_over = 0;
        b->av_start = yajl_get_bytes_consumed(b->h) - 1; /* (the '{' or '[' just read) */
    }
    return 1;
}

static int f_start_map(void *ctx)
{
    return f_open(ctx, DDB_JSON_OBJECT);
}

static int f_start_array(void *ctx)
{
    return f_open(ctx, DDB_JSON_ARRAY);
}

static int f_map_key(void *ctx, const unsigned char *key, size_t len)
{
    builder *b = ctx;
    const void *desc = b->stack[b->depth - 1].desc;
    int skip = 0;

    b->tag = len == 1 ? (char)key[0] : 0;
    if (b->skip_depth > 0 || b->av_over) /* (an unbuilt part's key: its value is not built) */
        return 1;
    b->pending_desc = desc != NULL ? b->filter->member(desc, (const char *)key, len, &skip) : NULL;
    if (skip) {
        b->skip_next = 1;
        return 1;
    }
    return on_map_key(ctx, key, len);
}

/* An AttributeValue's end: over 400 KB it stays cut, else what was only counted of it is built now,
   the whole value from its text in place of its part. */
static int av_end(builder *b)
{
    open_container *c = &b->stack[b->depth - 1];
    ddb_json *whole;
    size_t end = yajl_get_bytes_consumed(b->h);

    b->av_root = b->av_past = 0;
    if (!b->av_over)
        return close_container(b);
    if (b->av_size > DDB_JSON_AV_BUILT) {
        if (b->filter->cut != NULL)
            *b->filter->cut |= b->av_kind;
        b->av_over = 0;
        return close_container(b);
    }
    b->av_over = 0;
    whole = parse(b->a, b->text + b->av_start, end - b->av_start, NULL, 1, NULL);
    if (whole == NULL || whole->type != c->node->type)
        return 0; /* (not reached: the span was read as this value) */
    *c->node = *whole;
    b->nscratch = c->first;
    b->depth--;
    return 1;
}

static int f_end(void *ctx)
{
    builder *b = ctx;

    av_count(b, b->opened); /* (an array just opened is empty) */
    if (b->skip_depth > 0) {
        b->skip_depth--;
        return 1;
    }
    if (b->av_root == b->depth)
        return av_end(b);
    if (b->av_root > 0)
        b->av_over = b->av_past; /* (a part complete) */
    return close_container(ctx);
}

static const yajl_callbacks filtered_callbacks = {
    f_null, f_boolean, NULL, NULL, f_number, f_string, f_start_map, f_map_key, f_end, f_start_array, f_end,
};

static ddb_json *parse(ddb_arena *a, const char *text, size_t len, size_t *err_at, int checked,
                       const ddb_json_filter *filter)
{
    builder b;
    yajl_handle h;
    yajl_status st;
    size_t at = len;
    void *scratch[SCRATCH_INLINE];
    yajl_mem mem;
    yajl_alloc_funcs af = {mem_malloc, mem_realloc, mem_free, &mem};

    mem.cur = mem.buf;
    mem.end = mem.buf + sizeof(mem.buf);
    /* every member but the stack, which is written as containers open before it is read: zeroing
       its 6 KB was a sixth of a GetItem's parse */
    b.a = a;
    b.root = NULL;
    b.depth = 0;
    b.max_depth = checked ? DDB_JSON_MAX_DEPTH : DDB_JSON_RECORD_DEPTH;
    b.scratch = scratch;
    b.nscratch = 0;
    b.capscratch = SCRATCH_INLINE;
    b.pending_key = NULL;
    b.pending_klen = 0;
    b.filter = filter;
    b.pending_desc = NULL;
    b.skip_next = b.skip_depth = 0;
    b.nodes = 0;
    b.av_root = b.av_past = b.av_over = b.av_kind = 0;
    b.av_size = b.av_start = 0;
    b.tag = 0;
    b.opened = 0;
    b.text = text;
    h = yajl_alloc(filter != NULL ? &filtered_callbacks : &callbacks, &af, &b);
    if (h == NULL)
        abort();
    b.h = h;
    if (checked) /* yajl's own check lets overlong forms, surrogates and lone \u halves through */
        yajl_config(h, yajl_dont_validate_strings, 1);
    st = yajl_parse(h, (const unsigned char *)text, len);
    if (st != yajl_status_ok)
        at = yajl_get_bytes_consumed(h);
    else
        st = yajl_complete_parse(h);
    yajl_free(h);
    if (b.capscratch > SCRATCH_INLINE)
        free(b.scratch);
    if (err_at != NULL)
        *err_at = at;
    if (st != yajl_status_ok || b.depth != 0)
        return NULL;
    return b.root;
}

ddb_json *ddb_json_parse_at(ddb_arena *a, const char *text, size_t len, size_t *err_at)
{
    return parse(a, text, len, err_at, 0, NULL);
}

ddb_json *ddb_json_parse(ddb_arena *a, const char *text, size_t len)
{
    return parse(a, text, len, NULL, 0, NULL);
}

ddb_json *ddb_json_parse_input_filtered(ddb_arena *a, const char *text, size_t len, size_t *err_at,
                                        const ddb_json_filter *f)
{
    size_t bad = ddb_json_unicode_error(text, len);

    if (bad < len) {
        if (err_at != NULL)
            *err_at = bad;
        return NULL;
    }
    return parse(a, text, len, err_at, 1, f);
}

ddb_json *ddb_json_parse_input(ddb_arena *a, const char *text, size_t len, size_t *err_at)
{
    return ddb_json_parse_input_filtered(a, text, len, err_at, NULL);
}

/*
 * Whether the n bytes at a and b are the same: eight at a time, inline. A memcmp call made every
 * lookup save and restore registers, hit or miss: a PutItem makes ~30 lookups (the spec's members,
 * then the handler's), and that was ~400 of its ~62,000 instructions (bench/callgrind_ab.py).
 */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y;

    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    for (size_t i = 0; i + 8 < n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return 0;
    }
    memcpy(&x, a + n - 8, 8); /* the last eight, overlapping what was compared */
    memcpy(&y, b + n - 8, 8);
    return x == y;
}

const ddb_json *ddb_json_get_n(const ddb_json *obj, const char *key, size_t klen)
{
    if (obj == NULL || obj->type != DDB_JSON_OBJECT)
        return NULL;
    for (uint32_t i = obj->n; i-- > 0;) {
        const ddb_json_member *m = &obj->u.members[i];
        if (m->klen == klen && same_bytes(m->key, key, klen))
            return m->val;
    }
    return NULL;
}

long long ddb_json_integer(const ddb_json *v, long long dflt)
{
    double d;
    long long n;

    if (v == NULL || v->type != DDB_JSON_NUMBER)
        return dflt;
    d = strtod(v->u.s, NULL);
    if (!(d > -9.2e18))
        return d != d ? dflt : LLONG_MIN;
    if (d >= 9.2e18)
        return LLONG_MAX;
    n = (long long)d; /* toward zero; one less below zero for floor (no libm in libddb) */
    return (double)n > d ? n - 1 : n;
}

/* ---- text ---- */

/* Eight bytes at a time (a validated string's length is counted for every member a request's spec
   bounds: a BatchExecuteStatement's 25 statements were 5 % of its instructions byte by byte). A
   byte counts one unit unless it continues a character (10xxxxxx); a 4-byte sequence's lead
   (11110xxx) counts one more, for the surrogate pair. Bit 7 of each byte of `x << k` is that
   byte's bit 7 - k, so the masks below test each byte's own bits. */
static size_t utf16_units_of_word(uint64_t x)
{
    const uint64_t highs = 0x8080808080808080ULL;
    uint64_t cont, lead4;

    if ((x & highs) == 0)
        return 8;
    cont = x & ~(x << 1) & highs;
    lead4 = x & (x << 1) & (x << 2) & (x << 3) & highs;
    return 8 - (size_t)__builtin_popcountll(cont) + (size_t)__builtin_popcountll(lead4);
}

size_t ddb_utf16_len(const char *s, size_t n)
{
    size_t len = 0, i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        len += utf16_units_of_word(x);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c & 0xC0) != 0x80)
            len += c >= 0xF0 ? 2 : 1;
    }
    return len;
}

/* ---- writer ---- */

/* 1 for the bytes JSON requires escaped: controls, '"' and '\\'. */
static const uint8_t needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* Nonzero when one of the 8 bytes of x needs escaping: < 0x20, '"' or '\\' (bit tricks on words). */
static inline uint64_t word_needs_escape(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

    return ((x - ones * 0x20) | (q - ones) | (b - ones)) & ~x & highs;
}

/* Length of the leading run of s[0..n) that needs no escaping. */
static size_t plain_run(const char *s, size_t n)
{
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (word_needs_escape(w))
            break;
    }
    while (i < n && !needs_escape[(unsigned char)s[i]])
        i++;
    return i;
}

/* Escapes s[0..n) into a buffer with room for 6n bytes; returns the bytes written. */
static size_t escape_into(char *d, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *start = d;

    for (size_t i = 0; i < n;) {
        size_t run = plain_run(s + i, n - i);
        memcpy(d, s + i, run);
        d += run;
        i += run;
        if (i == n)
            break;
        unsigned char c = (unsigned char)s[i++];
        *d++ = '\\';
        switch (c) {
        case '"':
        case '\\':
            *d++ = (char)c;
            break;
        case '\n':
            *d++ = 'n';
            break;
        case '\r':
            *d++ = 'r';
            break;
        case '\t':
            *d++ = 't';
            break;
        default:
            memcpy(d, "u00", 3);
            d[3] = hex[c >> 4];
            d[4] = hex[c & 15];
            d += 5;
        }
    }
    return (size_t)(d - start);
}

void ddb_json_escape(ddb_buf *b, const char *s, size_t n)
{
    /* the usual case, nothing to escape: one copy */
    if (plain_run(s, n) == n) {
        ddb_buf_append(b, s, n);
        return;
    }
    ddb_buf_reserve(b, n * 6);
    b->len += escape_into(b->data + b->len, s, n);
    b->data[b->len] = '\0';
}

void ddb_jw_init(ddb_jw *w, ddb_buf *out)
{
    w->out = out;
    w->need_comma = 0;
}

/* Emits the comma that separates this value from the previous sibling. */
static void before_value(ddb_jw *w)
{
    if (w->need_comma)
        ddb_buf_putc(w->out, ',');
    w->need_comma = 1;
}

static void open_scope(ddb_jw *w, char c)
{
    before_value(w); /* the parent now owes a comma to whatever follows this container */
    ddb_buf_putc(w->out, c);
    w->need_comma = 0;
}

/* The closed container was a value of its parent, which therefore owes a comma (open_scope set
   the parent's flag before the child's began: no stack of flags is needed). */
static void close_scope(ddb_jw *w, char c)
{
    ddb_buf_putc(w->out, c);
    w->need_comma = 1;
}

void ddb_jw_obj_begin(ddb_jw *w)
{
    open_scope(w, '{');
}

void ddb_jw_obj_end(ddb_jw *w)
{
    close_scope(w, '}');
}

void ddb_jw_arr_begin(ddb_jw *w)
{
    open_scope(w, '[');
}

void ddb_jw_arr_end(ddb_jw *w)
{
    close_scope(w, ']');
}

void ddb_jw_keyn(ddb_jw *w, const char *key, size_t n)
{
    ddb_buf *b = w->out;
    char *d;

    before_value(w);
    ddb_buf_reserve(b, n * 6 + 4);
    d = b->data + b->len;
    *d++ = '"';
    d += escape_into(d, key, n);
    memcpy(d, "\":", 3); /* with the NUL */
    b->len = (size_t)(d + 2 - b->data);
    /* the value that follows must not emit a comma */
    w->need_comma = 0;
}

void ddb_jw_key(ddb_jw *w, const char *key)
{
    ddb_jw_keyn(w, key, strlen(key));
}

void ddb_jw_strn(ddb_jw *w, const char *s, size_t n)
{
    before_value(w);
    ddb_buf_putc(w->out, '"');
    ddb_json_escape(w->out, s, n);
    ddb_buf_putc(w->out, '"');
}

void ddb_jw_str(ddb_jw *w, const char *s)
{
    ddb_jw_strn(w, s, strlen(s));
}

void ddb_jw_member_str(ddb_jw *w, const char *key, const char *s)
{
    ddb_jw_key(w, key);
    ddb_jw_str(w, s != NULL ? s : "");
}

void ddb_jw_member_int(ddb_jw *w, const char *key, long long v)
{
    ddb_jw_key(w, key);
    ddb_jw_int(w, v);
}

void ddb_jw_member_bool(ddb_jw *w, const char *key, int v)
{
    ddb_jw_key(w, key);
    ddb_jw_bool(w, v);
}

void ddb_jw_member_double(ddb_jw *w, const char *key, double v)
{
    ddb_jw_key(w, key);
    ddb_jw_double(w, v);
}

void ddb_jw_tagged_str(ddb_jw *w, const char *tag, const char *s, size_t n)
{
    size_t tlen = strlen(tag);
    ddb_buf *b = w->out;
    char *d;

    before_value(w);
    ddb_buf_reserve(b, tlen + n * 6 + 8);
    d = b->data + b->len;
    memcpy(d, "{\"", 2);
    memcpy(d + 2, tag, tlen);
    memcpy(d + 2 + tlen, "\":\"", 3);
    d += 5 + tlen;
    d += escape_into(d, s, n);
    memcpy(d, "\"}", 3); /* with the NUL */
    b->len = (size_t)(d + 2 - b->data);
}

void ddb_jw_raw_number(ddb_jw *w, const char *text)
{
    before_value(w);
    ddb_buf_puts(w->out, text);
}

void ddb_jw_int(ddb_jw *w, long long v)
{
    before_value(w);
    ddb_buf_printf(w->out, "%lld", v);
}

void ddb_jw_double(ddb_jw *w, double v)
{
    char tmp[64];

    before_value(w);
    if (v == (double)(long long)v && v > -1e15 && v < 1e15) {
        snprintf(tmp, sizeof(tmp), "%.1f", v);
    } else {
        /* the shortest digits that read back as v (5.562, not %.17g's 5.5620000000000003), as
           Java's Double.toString, which DynamoDB's own JSON uses, prints it */
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(tmp, sizeof(tmp), "%.*g", digits, v);
            if (strtod(tmp, NULL) == v)
                break;
        }
    }
    ddb_buf_puts(w->out, tmp);
}

void ddb_jw_bool(ddb_jw *w, int v)
{
    before_value(w);
    ddb_buf_puts(w->out, v ? "true" : "false");
}

void ddb_jw_null(ddb_jw *w)
{
    before_value(w);
    ddb_buf_puts(w->out, "null");
}

void ddb_jw_json(ddb_jw *w, const ddb_json *v)
{
    switch (v->type) {
    case DDB_JSON_NULL:
        ddb_jw_null(w);
        break;
    case DDB_JSON_BOOL:
        ddb_jw_bool(w, v->u.b);
        break;
    case DDB_JSON_NUMBER:
        ddb_jw_raw_number(w, v->u.s);
        break;
    case DDB_JSON_STRING:
        ddb_jw_strn(w, v->u.s, v->n);
        break;
    case DDB_JSON_ARRAY:
        ddb_jw_arr_begin(w);
        for (uint32_t i = 0; i < v->n; i++)
            ddb_jw_json(w, v->u.items[i]);
        ddb_jw_arr_end(w);
        break;
    case DDB_JSON_OBJECT:
        ddb_jw_obj_begin(w);
        for (uint32_t i = 0; i < v->n; i++) {
            ddb_jw_keyn(w, v->u.members[i].key, v->u.members[i].klen);
            ddb_jw_json(w, v->u.members[i].val);
        }
        ddb_jw_obj_end(w);
        break;
    }
}

/* (json.h) */
int ddb_json_number_text(const char *s, size_t n)
{
    size_t i = 0, d;

    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else {
        for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && s[i] == '.') {
        for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    return i == n;
}
