/*
 * server/base/list.h: freeing a singly linked list, node by node (the short lists kept under a
 * lock: engine/emulate/table_states.c's deleted tables, engine/xfer/anon_keys.c's keys,
 * engine/vector/vector_cache.c's indexes).
 */
#ifndef DDB_LIST_H
#define DDB_LIST_H

#include <stddef.h>

/* Frees head and every node after it: `next_at` is offsetof(the node's type, its next pointer),
   free_node frees one node. */
static inline void ddb_list_free(void *head, size_t next_at, void (*free_node)(void *node))
{
    while (head != NULL) {
        void *next = *(void **)((char *)head + next_at);
        free_node(head);
        head = next;
    }
}

#endif
