/*
 * server/engine/capacity/pattern.c: consumed capacity by access pattern (see pattern.h).
 */
#include "server/engine/capacity/pattern.h"

#include <string.h>

/* The bytes of v up to and including its first separator, at most DDB_PATTERN_PREFIX; 0 when it
   has none (any value: "*"). */
static uint8_t prefix_len(const char *v, uint32_t len)
{
    uint32_t max = len < DDB_PATTERN_PREFIX ? len : DDB_PATTERN_PREFIX;

    for (uint32_t i = 0; v != NULL && i < max; i++)
        switch (v[i]) { /* one jump a byte, where four compares cost three more instructions */
        case '#':
        case ':':
        case '|':
        case '/': return (uint8_t)(i + 1);
        default: break;
        }
    return 0;
}

/* A hash of k, eight bytes at a time (k is 56 bytes, zero-filled past its prefixes). */
static uint64_t hash_of(const ddb_pattern_key *k)
{
    const unsigned char *b = (const unsigned char *)k;
    uint64_t h = 0xcbf29ce484222325ULL, w;

    for (size_t i = 0; i + 8 <= sizeof(*k); i += 8) {
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    return h | 1; /* never 0: 0 is a free slot */
}

/* The key of the pattern noted (the operation's alone when n is NULL). */
static void key_of(ddb_pattern_key *k, int op, const ddb_pattern_note *n)
{
    memset(k, 0, sizeof(*k));
    k->op = (uint16_t)op;
    k->skop = DDB_PATTERN_SK_NONE;
    if (n == NULL)
        return;
    k->keyed = n->keyed;
    k->ix = n->ix;
    k->skop = n->skop;
    if ((k->pklen = prefix_len(n->pk, n->pklen)) > 0) /* a NULL value has none (memcpy's pointer is never NULL) */
        memcpy(k->pk, n->pk, k->pklen);
    if ((k->sklen = prefix_len(n->sk, n->sklen)) > 0)
        memcpy(k->sk, n->sk, k->sklen);
}

/* The slot of k: found by its hash, or claimed (its key written before `ready`); NULL when every
   slot holds another pattern. */
static ddb_pattern_slot *slot_of(ddb_table_patterns *p, const ddb_pattern_key *k)
{
    uint64_t h = hash_of(k);

    for (unsigned i = 0, s = (unsigned)(h % DDB_PATTERNS); i < DDB_PATTERNS; i++, s = (s + 1) % DDB_PATTERNS) {
        ddb_pattern_slot *slot = &p->slot[s];
        uint64_t cur = __atomic_load_n(&slot->hash, __ATOMIC_ACQUIRE), zero = 0;
        if (cur == h)
            return slot;
        if (cur != 0)
            continue;
        if (__atomic_compare_exchange_n(&slot->hash, &zero, h, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            slot->key = *k;
            __atomic_store_n(&slot->ready, 1, __ATOMIC_RELEASE);
            return slot;
        }
        if (zero == h)
            return slot;
    }
    return NULL;
}

void ddb_patterns_add(ddb_table_patterns *p, int op, const ddb_pattern_note *n, double read, double write)
{
    ddb_pattern_key k;
    ddb_pattern_slot *slot;

    key_of(&k, op, n);
    slot = slot_of(p, &k);
    ddb_usage_count(slot != NULL ? &slot->u : &p->other, read, write);
}
