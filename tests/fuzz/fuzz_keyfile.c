/*
 * tests/fuzz/fuzz_keyfile.c: libFuzzer target for the --auth key file (server/api/auth/keyfile.c). The
 * input is read as a whole key file (its lines, any bytes, any length) and each of its lines is
 * parsed alone; every line accepted must round-trip exactly: formatted back it parses to the same
 * key and formats to the same text (no truncation, no split). A refused line must say why.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_keyfile -max_total_time=60
 */
#include "server/api/auth/keyfile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_round_trip(const ddb_auth_key *k)
{
    ddb_auth_key again;
    char *line = ddb_keyfile_format(k), *line2, *err = NULL;

    if (line == NULL || ddb_keyfile_parse_line(line, strlen(line), &again, &err) != 1)
        abort(); /* an accepted key that cannot be written back as a line */
    if (!ddb_keyfile_key_equal(k, &again) || (line2 = ddb_keyfile_format(&again)) == NULL || strcmp(line, line2) != 0)
        abort(); /* written back, it reads as another key */
    ddb_keyfile_key_free(&again);
    free(line);
    free(line2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    ddb_auth_key *keys = NULL, k;
    size_t n = 0, accepted = 0;
    char *err = NULL;
    FILE *f;

    while (p < end) { /* each line alone */
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        int rc = ddb_keyfile_parse_line(p, len, &k, &err);
        if (rc == -1 && err == NULL)
            abort();
        if (rc == 1) {
            check_round_trip(&k);
            ddb_keyfile_key_free(&k);
            accepted++;
        }
        free(err);
        err = NULL;
        p += len + 1;
    }
    if (size > 0 && (f = fmemopen((void *)data, size, "r")) != NULL) { /* and as a file */
        if (ddb_keyfile_read(f, "fuzz", &keys, &n, &err) == 0) {
            if (n > accepted)
                abort(); /* the file made more keys than its lines hold */
            for (size_t i = 0; i < n; i++)
                ddb_keyfile_key_free(&keys[i]);
            free(keys);
        } else if (err == NULL) {
            abort();
        }
        free(err);
        fclose(f);
    }
    return 0;
}
