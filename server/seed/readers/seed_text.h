/*
 * server/seed/readers/seed_text.h: offsets into the text of a JSON document that parsed (yajl
 * keeps no positions), to name the line of a part of it in a seed's messages: a record of
 * seed_files.c, a table or item of a NoSQL Workbench model (seed_workbench.c).
 */
#ifndef DDB_SEED_TEXT_H
#define DDB_SEED_TEXT_H

#include <stddef.h>

/* Past the blanks at t[at]. */
size_t seed_text_skip_ws(const char *t, size_t n, size_t at);
/* The start of member `key`'s value in the object at t[at] (its last occurrence; at when absent). */
size_t seed_text_member(const char *t, size_t n, size_t at, const char *key);
/* The start of the idx-th element of the array at t[at] (at when absent). */
size_t seed_text_element(const char *t, size_t n, size_t at, int idx);
/* The start of the element after the one at t[at] (past its comma). */
size_t seed_text_next(const char *t, size_t n, size_t at);

#endif
