/*
 * tests/fuzz/fuzz_sigv4.c: libFuzzer target for SigV4 verification (--auth). The input is split
 * at its first two NUL bytes into an Authorization header, an X-Amz-Date header and a body; the
 * request is verified against a fixed key file, so the header parser, the scope and clock checks
 * and the canonical request see arbitrary text.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_sigv4 -max_total_time=60
 */
#include "server/api/auth/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ddb_auth *keys;

static void setup(void)
{
    char path[] = "/tmp/fuzz_sigv4_keysXXXXXX", *err = NULL;
    int fd = mkstemp(path);
    static const char text[] = "AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\nAKIDT secret 111122223333 tok\n";

    if (fd < 0 || write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1))
        abort();
    close(fd);
    if ((keys = ddb_auth_load(path, &err)) == NULL)
        abort();
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ddb_arena arena;
    const char *parts[3] = {"", "", ""};
    size_t lens[3] = {0, 0, 0}, k = 0, start = 0;
    ddb_sigv4_header hs[4];
    ddb_req req;

    if (keys == NULL) {
        setup();
        ddb_arena_init(&arena);
    }
    for (size_t i = 0; i <= size && k < 3; i++) {
        if (i == size || (data[i] == 0 && k < 2)) {
            parts[k] = (const char *)data + start;
            lens[k++] = i - start;
            start = i + 1;
        }
    }
    ddb_arena_reset(&arena);
    memset(&req, 0, sizeof(req));
    req.arena = &arena;
    hs[0] = (ddb_sigv4_header){"Authorization", ddb_arena_strndup(&arena, parts[0], lens[0])};
    hs[1] = (ddb_sigv4_header){"X-Amz-Date", ddb_arena_strndup(&arena, parts[1], lens[1])};
    hs[2] = (ddb_sigv4_header){"host", "localhost:8000"};
    hs[3] = (ddb_sigv4_header){"x-amz-security-token", "tok"};
    ddb_auth_verify(keys, &req, &(ddb_auth_request){"POST", "/", NULL, hs, 4, parts[2], lens[2]}, 1440938160000ULL);
    ddb_auth_verify(keys, &req, &(ddb_auth_request){"POST", "/a/../b", "x=1&y", hs, 3, parts[2], lens[2]}, 0);
    return 0;
}
