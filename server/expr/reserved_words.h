/*
 * server/expr/reserved_words.h: DynamoDB's list of reserved words (573, from the "Reserved words in
 * DynamoDB" page). A bare identifier in an expression that matches one, in any letter case, is
 * refused with "Attribute name is a reserved keyword; reserved keyword: <word as written>".
 */
#ifndef DDB_RESERVED_WORDS_H
#define DDB_RESERVED_WORDS_H

#include <stddef.h>

/* Number of words in the table (573). */
size_t ddb_reserved_word_count(void);
/* Nonzero when the `n` bytes at `s` spell a reserved word, ignoring ASCII case. */
int ddb_is_reserved_word(const char *s, size_t n);

#endif
