/*
 * server/engine/mutation_image.h: a decided mutation's new image (mutation_image.c).
 */
#ifndef DDB_MUTATION_IMAGE_H
#define DDB_MUTATION_IMAGE_H

#include "server/engine/derive.h"

/* The new image into `out`, or the item's removal: 0, or the error left in d->out->err. */
int ddb_decide_image(ddb_decision *d, ddb_batch *out);

/*
 * The size a write refused by its condition is billed: "the size of the item. This item can be an
 * existing item in the table or a new one you're attempting to create or update" (the developer
 * guide's write capacity, its example charging the larger): the larger of the existing item and
 * the one the write would have made (a Put's item, an update applied; 0 when neither is).
 */
size_t ddb_decide_refused_size(ddb_decision *d);
/* The index checks of an item written in t: the core's GSIs and LSIs (index.h), then the kinds of
   index of the rows fs (feature.h's check_item). NULL, or the ValidationException message. */
const char *ddb_decide_check_item(const ddb_features *fs, ddb_arena *a, const ddb_table *t, const ddb_attr *item,
                                  int by_update);

#endif
