/*
 * proto/secret_key.c: the weak secrets refused (see secret_key.h).
 */
#include "proto/secret_key.h"

#include <string.h>

static const char *const examples[] = {
#define X(s) s,
    DDB_SECRET_KEY_EXAMPLES(X)
#undef X
};

static int blank(const char *key, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (strchr(" \t\r\n\v\f", key[i]) == NULL || key[i] == '\0')
            return 0;
    return 1;
}

/* One character repeated: its first character's bytes (a UTF-8 sequence: "\u00e9" * 12 too) over
   and over. */
static int one_char(const char *key, size_t len)
{
    unsigned char b = (unsigned char)key[0];
    size_t w = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;

    if (w > len || len % w != 0)
        return 0;
    for (size_t i = w; i < len; i += w)
        if (memcmp(key + i, key, w) != 0)
            return 0;
    return 1;
}

static int distinct(const char *key, size_t len)
{
    unsigned char seen[256] = {0};
    int n = 0;

    for (size_t i = 0; i < len; i++) {
        n += !seen[(unsigned char)key[i]];
        seen[(unsigned char)key[i]] = 1;
    }
    return n;
}

const char *ddb_secret_key_weakness(const char *key, size_t len)
{
    if (key == NULL || len < DDB_SECRET_KEY_MIN)
        return "shorter than 16 bytes";
    if (blank(key, len))
        return "blank";
    if (one_char(key, len))
        return "one character repeated";
    if (distinct(key, len) < DDB_SECRET_KEY_DISTINCT)
        return "of fewer than 6 different characters";
    for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
        if (strlen(examples[i]) == len && memcmp(examples[i], key, len) == 0)
            return "an example printed in ddbd's docs";
    return NULL;
}
