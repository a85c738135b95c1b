/*
 * server/engine/xfer/ion.h: the Amazon Ion text of DynamoDB's exports and imports.
 *
 * An export line is "$ion_1_0 {Item:{...}}": S is an Ion string, N a decimal ("103.", "6d2",
 * "1.5"), B a blob ({{base64}}), BOOL a bool, NULL null, L a list, M a struct, and SS/NS/BS lists
 * annotated $dynamodb_SS, $dynamodb_NS, $dynamodb_BS (DynamoDB's export output format page).
 * The reader takes any Ion text value of that shape (ints and floats read as N, quoted or bare
 * field names, comments, long strings) and writes the item as DynamoDB JSON, which then goes
 * through the same PutItem path as a DYNAMODB_JSON line.
 */
#ifndef DDB_ION_H
#define DDB_ION_H

#include <stddef.h>

#include "proto/attr.h"
#include "proto/json.h"

/* Appends "$ion_1_0 {Item:{...}}" (no newline) for an item (an M). */
void ddb_ion_write_item(ddb_buf *b, const ddb_attr *item);
/* Appends one value's Ion text (an item: its struct), as ddb_ion_write_item writes it. */
void ddb_ion_write_value(ddb_buf *b, const ddb_attr *v);

/*
 * Reads one line's Ion text: a struct with an Item member (a leading $ion_1_0 is skipped) and
 * writes the Item's value as a DynamoDB JSON object on `w`. Returns NULL, or a message saying what
 * could not be read (the writer's output is then partial and must be dropped).
 */
const char *ddb_ion_read_item(const char *text, size_t len, ddb_jw *w);

#endif
