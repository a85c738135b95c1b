/*
 * client/cli/replay_iterators.c: a recording's shard iterators stood for by the replay's own (see
 * replay_iterators.h). The iterators are kept raw, as their JSON strings' contents (escapes kept):
 * a recorded request names one as the recorded answer wrote it, and the replay's goes into the
 * request as its server wrote it, so nothing is unescaped or escaped again.
 */
#include "client/cli/replay_iterators.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS (2 * RP_ITERS_KEEP) /* a power of two */

typedef struct entry {
    char *rec; /* the recorded iterator (NULL: a free slot) */
    size_t rlen;
    char *rep; /* the replay's stand-in; NULL until its request is answered again with one */
    size_t plen;
    uint64_t seq;      /* the request that got it */
    uint32_t hash;
    unsigned next;     /* the next entry of its bucket, its index + 1 (0: none) */
} entry;

struct rp_iters {
    entry e[RP_ITERS_KEEP];
    unsigned bucket[BUCKETS]; /* each chain's first entry, its index + 1 */
    size_t added;             /* the next entry goes in slot added % RP_ITERS_KEEP, the oldest's */
};

static uint32_t hash_of(const char *p, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static char *dup(const char *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s == NULL)
        abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

rp_iters *rp_iters_new(void)
{
    rp_iters *it = calloc(1, sizeof(*it));

    if (it == NULL)
        abort();
    return it;
}

void rp_iters_free(rp_iters *it)
{
    for (size_t i = 0; it != NULL && i < RP_ITERS_KEEP; i++) {
        free(it->e[i].rec);
        free(it->e[i].rep);
    }
    free(it);
}

static entry *find(rp_iters *it, ddb_jspan s)
{
    uint32_t h = hash_of(s.p, s.n);

    for (unsigned i = it->bucket[h & (BUCKETS - 1)]; i != 0; i = it->e[i - 1].next) {
        entry *e = &it->e[i - 1];
        if (e->hash == h && e->rlen == s.n && memcmp(e->rec, s.p, s.n) == 0)
            return e;
    }
    return NULL;
}

/* Slot `slot` forgotten: out of its chain, its strings freed. */
static void forget(rp_iters *it, unsigned slot)
{
    entry *e = &it->e[slot];
    unsigned *link = &it->bucket[e->hash & (BUCKETS - 1)];

    while (*link != 0 && *link != slot + 1)
        link = &it->e[*link - 1].next;
    if (*link != 0)
        *link = e->next;
    free(e->rec);
    free(e->rep);
    memset(e, 0, sizeof(*e));
}

/* The iterator an answer of op hands out: its string's contents, or {NULL, 0}. */
static ddb_jspan handed_in(ddb_jspan op, ddb_jspan answer)
{
    if (op.n == 16 && memcmp(op.p, "GetShardIterator", 16) == 0)
        return ddb_jscan_string(ddb_jscan_member(answer, "ShardIterator"));
    if (op.n == 10 && memcmp(op.p, "GetRecords", 10) == 0)
        return ddb_jscan_string(ddb_jscan_member(answer, "NextShardIterator"));
    return (ddb_jspan){NULL, 0};
}

int rp_iters_hands_out(ddb_jspan op)
{
    return (op.n == 16 && memcmp(op.p, "GetShardIterator", 16) == 0) || (op.n == 10 && memcmp(op.p, "GetRecords", 10) == 0);
}

void rp_iters_handed(rp_iters *it, ddb_jspan op, ddb_jspan response, uint64_t seq)
{
    ddb_jspan s = handed_in(op, response);
    entry *e;
    unsigned slot;

    if (s.p == NULL)
        return;
    if ((e = find(it, s)) != NULL) { /* handed out again: the later request's stands for it */
        e->seq = seq;
        free(e->rep);
        e->rep = NULL;
        return;
    }
    slot = (unsigned)(it->added++ % RP_ITERS_KEEP);
    if (it->e[slot].rec != NULL)
        forget(it, slot);
    e = &it->e[slot];
    *e = (entry){dup(s.p, s.n), s.n, NULL, 0, seq, hash_of(s.p, s.n), 0};
    e->next = it->bucket[e->hash & (BUCKETS - 1)];
    it->bucket[e->hash & (BUCKETS - 1)] = slot + 1;
}

int rp_iters_named(rp_iters *it, ddb_jspan request, uint64_t *seq, int *known)
{
    ddb_jspan s = ddb_jscan_string(ddb_jscan_member(request, "ShardIterator"));
    entry *e = s.p != NULL ? find(it, s) : NULL;

    if (e == NULL)
        return 0;
    *seq = e->seq;
    *known = e->rep != NULL;
    return 1;
}

void rp_iters_answered(rp_iters *it, ddb_jspan op, ddb_jspan response, const char *body, size_t len)
{
    ddb_jspan rec = handed_in(op, response), rep = handed_in(op, (ddb_jspan){body, len});
    entry *e = rec.p != NULL && rep.p != NULL ? find(it, rec) : NULL;

    if (e == NULL)
        return;
    free(e->rep);
    e->rep = dup(rep.p, rep.n);
    e->plen = rep.n;
}

char *rp_iters_rewrite(rp_iters *it, ddb_jspan request, size_t *len)
{
    ddb_jspan v = ddb_jscan_member(request, "ShardIterator"), s = ddb_jscan_string(v);
    entry *e = s.p != NULL ? find(it, s) : NULL;
    size_t head, tail;
    char *out;

    if (e == NULL || e->rep == NULL)
        return NULL;
    head = (size_t)(s.p - request.p);              /* up to the string's contents, its quote kept */
    tail = request.n - (size_t)(s.p + s.n - request.p); /* from its closing quote on */
    *len = head + e->plen + tail;
    if ((out = malloc(*len + 1)) == NULL)
        abort();
    memcpy(out, request.p, head);
    memcpy(out + head, e->rep, e->plen);
    memcpy(out + head + e->plen, s.p + s.n, tail);
    out[*len] = '\0';
    return out;
}
