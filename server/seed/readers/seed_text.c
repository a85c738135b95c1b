/*
 * server/seed/readers/seed_text.c: offsets into the text of a JSON document that parsed (see
 * seed_text.h): where a part of a seed document is, to name its line.
 */
#include "server/seed/readers/seed_text.h"

#include <string.h>

size_t seed_text_skip_ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
        i++;
    return i;
}

/* Past the string starting at t[i] == '"'. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
    for (i++; i < n && t[i] != '"'; i++) {
        if (t[i] == '\\')
            i++;
    }
    return i + 1;
}

/* Past the value starting at t[i] (the text is valid JSON: it parsed). */
static size_t skip_value(const char *t, size_t n, size_t i)
{
    int depth = 0;

    do {
        i = seed_text_skip_ws(t, n, i);
        if (i >= n)
            return n;
        if (t[i] == '"') {
            i = skip_string(t, n, i);
        } else if (t[i] == '{' || t[i] == '[') {
            depth++;
            i++;
        } else if (t[i] == '}' || t[i] == ']') {
            depth--;
            i++;
        } else if (t[i] == ',' || t[i] == ':') {
            i++;
        } else {
            while (i < n && strchr(",:]} \t\r\n", t[i]) == NULL)
                i++;
        }
    } while (depth > 0);
    return i;
}

/* The start of the idx-th element of the array at t[i] (or i when not found). */
size_t seed_text_element(const char *t, size_t n, size_t i, int idx)
{
    size_t at = seed_text_skip_ws(t, n, i);

    if (at >= n || t[at] != '[')
        return i;
    at = seed_text_skip_ws(t, n, at + 1);
    for (int k = 0; k < idx && at < n && t[at] != ']'; k++) {
        at = seed_text_skip_ws(t, n, skip_value(t, n, at));
        if (at < n && t[at] == ',')
            at = seed_text_skip_ws(t, n, at + 1);
    }
    return at;
}

/* The start of member `key`'s value (its last occurrence) in the object at t[i] (or i). */
size_t seed_text_member(const char *t, size_t n, size_t i, const char *key)
{
    size_t at = seed_text_skip_ws(t, n, i), klen = strlen(key), found = i;

    if (at >= n || t[at] != '{')
        return i;
    at = seed_text_skip_ws(t, n, at + 1);
    while (at < n && t[at] == '"') {
        size_t kend = skip_string(t, n, at);
        int match = kend - at - 2 == klen && memcmp(t + at + 1, key, klen) == 0;
        at = seed_text_skip_ws(t, n, kend);
        at = seed_text_skip_ws(t, n, at + 1); /* ':' */
        if (match)
            found = at;
        at = seed_text_skip_ws(t, n, skip_value(t, n, at));
        if (at < n && t[at] == ',')
            at = seed_text_skip_ws(t, n, at + 1);
    }
    return found;
}

size_t seed_text_next(const char *t, size_t n, size_t i)
{
    i = seed_text_skip_ws(t, n, skip_value(t, n, i));
    return i < n && t[i] == ',' ? seed_text_skip_ws(t, n, i + 1) : i;
}
