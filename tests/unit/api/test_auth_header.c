/*
 * tests/unit/api/test_auth_header.c: the Authorization header's parameters (server/api/auth/auth.c,
 * ddb_auth_header_parse), whose separators are found eight bytes at a time, against a reference
 * that reads a byte at a time, with a separator at every offset of a word.
 */
#include <stdio.h>
#include <string.h>

#include "server/api/auth/auth.h"
#include "test.h"

/* The rules written out plainly: tokens end at ',' or ' '; a token's name ends at its first '=';
   the first Credential, SignedHeaders and Signature win. */
static void reference_parse(const char *s, size_t len, ddb_auth_header *out)
{
    const char *p = s, *end = s + len;

    memset(out, 0, sizeof(*out));
    while (p < end) {
        const char *tok = p, *eq = NULL;
        while (p < end && *p != ',' && *p != ' ')
            p++;
        for (const char *q = tok; q < p && eq == NULL; q++)
            if (*q == '=')
                eq = q;
        if (eq != NULL) {
            size_t n = (size_t)(eq - tok), v = (size_t)(p - eq - 1);
            if (n == 10 && memcmp(tok, "Credential", 10) == 0 && out->cred == NULL) {
                out->cred = eq + 1;
                out->cred_len = v;
            } else if (n == 13 && memcmp(tok, "SignedHeaders", 13) == 0 && out->sh == NULL) {
                out->sh = eq + 1;
                out->sh_len = v;
            } else if (n == 9 && memcmp(tok, "Signature", 9) == 0 && out->sig == NULL) {
                out->sig = eq + 1;
                out->sig_len = v;
            }
        }
        p++;
    }
}

static int same(const ddb_auth_header *a, const ddb_auth_header *b)
{
    return a->cred == b->cred && a->cred_len == b->cred_len && a->sh == b->sh && a->sh_len == b->sh_len &&
           a->sig == b->sig && a->sig_len == b->sig_len;
}

TEST(parameters_match_the_reference_at_every_offset)
{
    static const char *const seps[] = {", ", ",", " ", "  ,", ",,"};
    char h[512];

    for (size_t pad = 0; pad < 16; pad++) {
        for (size_t k = 0; k < sizeof(seps) / sizeof(seps[0]); k++) {
            ddb_auth_header got, want;
            int n = snprintf(h, sizeof(h),
                             "AWS4-HMAC-SHA256%.*s Credential=AKID%.*s/20260101/us-east-1/dynamodb/aws4_request%s"
                             "SignedHeaders=host;x-amz-date%sSignature=%.*s0123456789abcdef%s",
                             (int)(pad % 3), "xyz", (int)pad, "0123456789abcdef", seps[k], seps[k], (int)pad,
                             "fedcba9876543210", pad % 2 ? "," : "");
            for (size_t len = 0; len <= (size_t)n; len++) { /* every truncation too */
                ddb_auth_header_parse(h, len, &got);
                reference_parse(h, len, &want);
                ASSERT(same(&got, &want));
            }
            ddb_auth_header_parse(h, (size_t)n, &got);
            ASSERT(got.cred != NULL && got.sh != NULL && got.sig != NULL);
            ASSERT_EQ(got.sig_len, pad + 16);
        }
    }
}

TEST(a_separator_in_any_byte_of_a_word_ends_the_token)
{
    char h[64];

    for (size_t at = 0; at < 24; at++) {
        for (int sep = 0; sep < 2; sep++) {
            ddb_auth_header got, want;
            memset(h, 'a', sizeof(h));
            memcpy(h, "Signature=", 10);
            h[10 + at] = sep ? ',' : ' ';
            ddb_auth_header_parse(h, sizeof(h), &got);
            reference_parse(h, sizeof(h), &want);
            ASSERT(same(&got, &want));
            ASSERT_EQ(got.sig_len, at);
        }
    }
}
