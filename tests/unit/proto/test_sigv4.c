/*
 * tests/unit/proto/test_sigv4.c: proto/sigv4.c against AWS's published Signature V4 test suite
 * (aws-sig-v4-test-suite, https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html).
 * The vectors below are copied from that suite: credential scope AKIDEXAMPLE/20150830/us-east-1/
 * service/aws4_request, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
 */
#include <stdlib.h>

#include "test.h"

#include "proto/sigv4.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE "20150830T123600Z"
#define HOST {"Host", "example.amazonaws.com"}
#define XDATE {"X-Amz-Date", DATE}
#define EMPTY_HASH "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct vector {
    const char *name, *method, *path, *query, *body;
    ddb_sigv4_header headers[6];
    size_t nheaders;
    const char *creq; /* NULL: only the Authorization header is checked */
    const char *authz;
} vector;

#define AUTHZ(sh, sig)                                                                                                 \
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" sh              \
    ", Signature=" sig

static const vector vectors[] = {
    {"get-vanilla", "GET", "/", NULL, "", {HOST, XDATE}, 2,
     "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_HASH,
     AUTHZ("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
    {"get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", "", {HOST, XDATE}, 2,
     "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
     "date\n" EMPTY_HASH,
     AUTHZ("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")},
    {"get-vanilla-query-order-key", "GET", "/", "Param1=value2&Param1=Value1", "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1")},
    {"get-vanilla-query-order-value", "GET", "/", "Param1=value2&Param1=value1", "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694")},
    {"get-vanilla-utf8-query", "GET", "/", "\xe1\x88\xb4=bar", "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")},
    {"get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", NULL, "",
     {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")},
    {"get-header-key-duplicate", "GET", "/", NULL, "",
     {HOST, {"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}, XDATE}, 5,
     "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-"
     "header1;x-amz-date\n" EMPTY_HASH,
     AUTHZ("host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")},
    {"get-header-value-order", "GET", "/", NULL, "",
     {HOST, {"My-Header1", "value4"}, {"My-Header1", "value1"}, {"My-Header1", "value3"}, {"My-Header1", "value2"},
      XDATE},
     6, NULL, AUTHZ("host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01")},
    {"get-header-value-trim", "GET", "/", NULL, "",
     {HOST, {"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}, XDATE}, 4,
     "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
     "host;my-header1;my-header2;x-amz-date\n" EMPTY_HASH,
     AUTHZ("host;my-header1;my-header2;x-amz-date",
           "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")},
    {"post-vanilla", "POST", "/", NULL, "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")},
    {"post-vanilla-query", "POST", "/", "Param1=value1", "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")},
    {"post-header-key-sort", "POST", "/", NULL, "", {HOST, {"My-Header1", "value1"}, XDATE}, 3, NULL,
     AUTHZ("host;my-header1;x-amz-date", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c")},
    {"post-header-value-case", "POST", "/", NULL, "", {HOST, {"My-Header1", "VALUE1"}, XDATE}, 3, NULL,
     AUTHZ("host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d")},
    {"post-x-www-form-urlencoded", "POST", "/", NULL, "Param1=value1",
     {{"Content-Type", "application/x-www-form-urlencoded"}, HOST, XDATE}, 3, NULL,
     AUTHZ("content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")},
    /* normalize-path group */
    {"get-relative-relative", "GET", "/example1/example2/../..", NULL, "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
    {"get-slash-pointless-dot", "GET", "/./example", NULL, "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5")},
    {"get-slashes", "GET", "//example//", NULL, "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84")},
    {"get-space", "GET", "/example space/", NULL, "", {HOST, XDATE}, 2, NULL,
     AUTHZ("host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741")},
};

/* Signs one vector the way a client does and returns the Authorization header (caller frees). */
static char *sign_vector(const vector *v, ddb_buf *creq)
{
    ddb_sigv4_request r = {v->method, v->path, v->query, v->headers, v->nheaders, v->body, strlen(v->body), NULL};
    ddb_buf sh = {0}, scope = {0}, sts = {0}, auth = {0};
    uint8_t key[32];
    char sig[DDB_SIGV4_HEX_LEN + 1];

    ddb_sigv4_canonical_request(&r, creq, &sh);
    ddb_sigv4_scope(&scope, DATE, "us-east-1", "service");
    ddb_sigv4_string_to_sign(&sts, DATE, scope.data, creq->data, creq->len);
    ddb_sigv4_signing_key(SECRET, DATE, "us-east-1", "service", key);
    ddb_sigv4_sign(key, sts.data, sts.len, sig);
    ddb_sigv4_authorization(&auth, "AKIDEXAMPLE", scope.data, sh.data, sig);
    ddb_buf_free(&sh);
    ddb_buf_free(&scope);
    ddb_buf_free(&sts);
    return auth.data;
}

TEST(sigv4_aws_test_suite)
{
    for (size_t i = 0; i < ARRAY_LEN(vectors); i++) {
        ddb_buf creq = {0};
        char *auth = sign_vector(&vectors[i], &creq);
        int ok = strcmp(auth, vectors[i].authz) == 0 && (vectors[i].creq == NULL || strcmp(creq.data, vectors[i].creq) == 0);

        if (!ok)
            fprintf(stderr, "  vector %s:\n    creq:\n%s\n    got  %s\n    want %s\n", vectors[i].name, creq.data, auth,
                    vectors[i].authz);
        free(auth);
        ddb_buf_free(&creq);
        ASSERT(ok);
    }
}

/* The suite's get-vanilla string to sign, checked on its own. */
TEST(sigv4_string_to_sign)
{
    const char *creq = vectors[0].creq;
    ddb_buf sts = {0};

    ddb_sigv4_string_to_sign(&sts, DATE, "20150830/us-east-1/service/aws4_request", creq, strlen(creq));
    ASSERT_STR_EQ(sts.data, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    ddb_buf_free(&sts);
}

/* A secret longer than an HMAC block still signs (the first key is "AWS4" + secret). */
TEST(sigv4_long_secret)
{
    char secret[200];
    uint8_t a[32], b[32];

    memset(secret, 'k', sizeof(secret) - 1);
    secret[sizeof(secret) - 1] = '\0';
    ddb_sigv4_signing_key(secret, DATE, "us-east-1", "dynamodb", a);
    secret[10] = 'j';
    ddb_sigv4_signing_key(secret, DATE, "us-east-1", "dynamodb", b);
    ASSERT(memcmp(a, b, 32) != 0);
}

/*
 * The allocation-free builder the verifier tries first gives exactly the general builder's text
 * for every simple request (random names of mixed case, values with runs of blanks, tabs, CR and
 * LF), and declines (0) what it does not handle: a path, a query, unsorted or repeated names, too
 * small a buffer.
 */
TEST(sigv4_canonical_simple_matches_general)
{
    static const char alphabet[] = "aZ- \t\r\nx:/=,;";
    const char *hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    srand(7);
    for (int round = 0; round < 2000; round++) {
        char names[6][32], values[6][24], buf[1024];
        ddb_sigv4_header hs[6];
        size_t nh = 1 + (size_t)(rand() % 6), len;
        ddb_buf creq = {0};

        for (size_t i = 0; i < nh; i++) {
            /* sorted, distinct names: "h<i>-<random case>" */
            snprintf(names[i], sizeof(names[i]), "%ch%u-%s", rand() % 2 ? 'X' : 'x', (unsigned)i, rand() % 2 ? "Amz" : "amz");
            size_t vl = (size_t)(rand() % 20);
            for (size_t k = 0; k < vl; k++)
                values[i][k] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
            values[i][vl] = 0;
            hs[i] = (ddb_sigv4_header){names[i], values[i]};
        }
        ddb_sigv4_request r = {"POST", "/", NULL, hs, nh, "", 0, hash};
        ddb_sigv4_canonical_request(&r, &creq, NULL);
        len = ddb_sigv4_canonical_simple(&r, buf, sizeof(buf));
        ASSERT(len == creq.len && memcmp(buf, creq.data, len) == 0);
        ASSERT(ddb_sigv4_canonical_simple(&r, buf, len - 1) == 0); /* one byte short: declined */
        ddb_buf_free(&creq);
    }
    ddb_sigv4_header two[2] = {{"x-b", "1"}, {"X-A", "2"}};
    char buf[256];
    ASSERT(ddb_sigv4_canonical_simple(&(ddb_sigv4_request){"POST", "/", NULL, two, 2, "", 0, hash}, buf, sizeof(buf)) == 0);
    ASSERT(ddb_sigv4_canonical_simple(&(ddb_sigv4_request){"POST", "/a", NULL, two + 1, 1, "", 0, hash}, buf, sizeof(buf)) == 0);
    ASSERT(ddb_sigv4_canonical_simple(&(ddb_sigv4_request){"POST", "/", "a=b", two + 1, 1, "", 0, hash}, buf, sizeof(buf)) == 0);
    ASSERT(ddb_sigv4_canonical_simple(&(ddb_sigv4_request){"POST", "/", NULL, two + 1, 1, "", 0, NULL}, buf, sizeof(buf)) == 0);
}
