/*
 * client/cli/replay_keys.c: the --keys file read (see replay_keys.h). A line is split into words
 * at spaces and tabs as ddbd's reader splits it (server/api/auth/keyfile.c); the positional words
 * are taken, the options (a word with '=') left to the server.
 */
#include "client/cli/replay_keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* The next word of *p (advanced past it): its start and length, or 0 at the line's end. */
static size_t word(const char **p, const char **w)
{
    const char *s = *p;
    size_t n = 0;

    while (*s == ' ' || *s == '\t')
        s++;
    *w = s;
    while (s[n] != '\0' && s[n] != ' ' && s[n] != '\t')
        n++;
    *p = s + n;
    return n;
}

static char *dup_word(const char *w, size_t n)
{
    char *s = strndup(w, n);

    if (s == NULL)
        abort();
    return s;
}

int rp_keys_parse_line(const char *line, ddb_pipe_key *k)
{
    const char *p = line, *w[4];
    size_t n[4], words = 0;

    while (words < 4 && (n[words] = word(&p, &w[words])) > 0 && memchr(w[words], '=', n[words]) == NULL)
        words++;
    if (words == 0 && (n[0] == 0 || w[0][0] == '#'))
        return 0;
    if (words < 2)
        return -1;
    *k = (ddb_pipe_key){dup_word(w[0], n[0]), dup_word(w[1], n[1]), words == 4 ? dup_word(w[3], n[3]) : NULL};
    return 1;
}

int rp_keys_load(const char *path, ddb_pipe_key **keys, size_t *n, FILE *err)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, lines = 0, room = 0;
    ssize_t len;
    int rc = 0;

    *keys = NULL;
    *n = 0;
    if (f == NULL) {
        fprintf(err, "ddb: replay: --keys: cannot read '%s': %s\n", path, strerror(errno));
        return 2;
    }
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        ddb_pipe_key k;
        int got;
        lines++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if ((got = rp_keys_parse_line(line, &k)) < 0) {
            fprintf(err, "ddb: replay: --keys: '%s' line %zu is no key (ACCESS_KEY_ID SECRET_ACCESS_KEY ...)\n", path,
                    lines);
            rc = 2;
        } else if (got > 0) {
            if (*n == room && (*keys = realloc(*keys, (room = room * 2 + 4) * sizeof(**keys))) == NULL)
                abort();
            (*keys)[(*n)++] = k;
        }
    }
    if (line != NULL)
        sodium_memzero(line, cap); /* (secrets) */
    free(line);
    fclose(f);
    if (rc != 0) {
        rp_keys_free(*keys, *n);
        *keys = NULL;
        *n = 0;
    }
    return rc;
}

const ddb_pipe_key *rp_keys_find(const ddb_pipe_key *keys, size_t n, ddb_jspan id)
{
    for (size_t i = 0; id.p != NULL && i < n; i++)
        if (ddb_jspan_is(id, keys[i].access_key))
            return &keys[i];
    return NULL;
}

void rp_key_clear(ddb_pipe_key *k)
{
    sodium_memzero((char *)k->secret, strlen(k->secret));
    free((char *)k->access_key);
    free((char *)k->secret);
    free((char *)k->token);
}

void rp_keys_free(ddb_pipe_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rp_key_clear(&keys[i]);
    free(keys);
}
