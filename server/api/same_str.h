/*
 * server/api/same_str.h: two strings that may be NULL compared as JavaScript's `==` compares two
 * possibly-undefined strings (dynalite's validations, the key file's entries). One definition that
 * the validators and the key file both include, not one copy in each.
 */
#ifndef DDB_SAME_STR_H
#define DDB_SAME_STR_H

#include <string.h>

static inline int same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

#endif
