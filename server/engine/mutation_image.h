/*
 * server/engine/mutation_image.h: a decided mutation's new image (mutation_image.c).
 */
#ifndef DDB_MUTATION_IMAGE_H
#define DDB_MUTATION_IMAGE_H

#include "server/engine/derive.h"

/* The new image into `out`, or the item's removal: 0, or the error left in d->out->err. */
int ddb_decide_image(ddb_decision *d, ddb_batch *out);

#endif
