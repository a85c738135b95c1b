/*
 * server/engine/xfer/anon_keys.c: the secrets of the anonymised imports under way, in memory only
 * (see anon.h). An import's record is persisted so that it can run again after a restart, and a
 * key written there would be in RocksDB's write-ahead log and files until they are rewritten, long
 * after the import ends (issue 73): so the record keeps the rules without their key, and the key
 * (its SHA-256, what the HMAC is keyed by) lives here, from the door's ImportTable to the import's
 * end, zeroed when it goes.
 */
#include <pthread.h>
#include <stddef.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/alloc.h"
#include "server/base/list.h"
#include "server/engine/xfer/anon.h"

typedef struct anon_key {
    struct anon_key *next;
    char id[32];
    unsigned char key[32];
} anon_key;

struct ddb_anon_keys {
    pthread_mutex_t lock;
    anon_key *head;
};

ddb_anon_keys *ddb_anon_keys_new(void)
{
    ddb_anon_keys *k = ddb_zalloc(sizeof(*k));

    pthread_mutex_init(&k->lock, NULL);
    return k;
}

static void forget(void *node)
{
    anon_key *e = node;

    sodium_memzero(e, sizeof(*e));
    free(e);
}

void ddb_anon_keys_free(ddb_anon_keys *k)
{
    if (k == NULL)
        return;
    ddb_list_free(k->head, offsetof(anon_key, next), forget);
    pthread_mutex_destroy(&k->lock);
    free(k);
}

void ddb_anon_keys_put(ddb_anon_keys *k, const char *id, const unsigned char key[32])
{
    anon_key *e = ddb_zalloc(sizeof(*e));

    strncpy(e->id, id, sizeof(e->id) - 1);
    memcpy(e->key, key, sizeof(e->key));
    pthread_mutex_lock(&k->lock);
    e->next = k->head;
    k->head = e;
    pthread_mutex_unlock(&k->lock);
}

int ddb_anon_keys_get(ddb_anon_keys *k, const char *id, unsigned char out[32])
{
    int found = 0;

    pthread_mutex_lock(&k->lock);
    for (anon_key *e = k->head; e != NULL && !found; e = e->next)
        if (strcmp(e->id, id) == 0) {
            memcpy(out, e->key, sizeof(e->key));
            found = 1;
        }
    pthread_mutex_unlock(&k->lock);
    return found ? 0 : -1;
}

void ddb_anon_keys_drop(ddb_anon_keys *k, const char *id)
{
    anon_key **p, *gone = NULL;

    pthread_mutex_lock(&k->lock);
    for (p = &k->head; *p != NULL; p = &(*p)->next)
        if (strcmp((*p)->id, id) == 0) {
            gone = *p;
            *p = gone->next;
            break;
        }
    pthread_mutex_unlock(&k->lock);
    if (gone != NULL)
        forget(gone);
}
