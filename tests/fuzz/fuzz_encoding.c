/*
 * tests/fuzz/fuzz_encoding.c: libFuzzer target for compressed bodies (server/http/encoding.h).
 * The input's first byte picks what it is: an Accept-Encoding or Content-Encoding header value
 * (any answer must be one of the codings), or a gzip or a deflate (zlib) body, inflated under a
 * small limit (never past it); a body that inflates is compressed again with both codings and
 * must round-trip through each.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_encoding -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/encoding.h"

#define LIMIT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ddb_buf out = {0}, z = {0}, back = {0};
    ddb_encoding e;

    if (size == 0)
        return 0;
    switch (data[0] % 4) {
    case 0:
        e = ddb_accept_encoding((const char *)data + 1, size - 1);
        if (e != DDB_ENC_NONE && e != DDB_ENC_GZIP && e != DDB_ENC_DEFLATE)
            abort();
        break;
    case 1:
        e = ddb_content_encoding((const char *)data + 1, size - 1);
        if (e != DDB_ENC_NONE && e != DDB_ENC_GZIP && e != DDB_ENC_DEFLATE && e != DDB_ENC_UNSUPPORTED)
            abort();
        break;
    default:
        e = data[0] % 4 == 2 ? DDB_ENC_GZIP : DDB_ENC_DEFLATE;
        switch (ddb_inflate(e, (const char *)data + 1, size - 1, LIMIT, &out)) {
        case 0:
            if (out.len > LIMIT)
                abort();
            for (int c = DDB_ENC_GZIP; c <= DDB_ENC_DEFLATE; c++)
                if (ddb_compress((ddb_encoding)c, out.data, out.len, &z) != 0 ||
                    ddb_inflate((ddb_encoding)c, z.data, z.len, LIMIT, &back) != 0 || back.len != out.len ||
                    memcmp(back.data, out.data, out.len) != 0)
                    abort();
            break;
        case -1:
        case -2:
            break;
        default:
            abort();
        }
        break;
    }
    free(out.data);
    free(z.data);
    free(back.data);
    return 0;
}
