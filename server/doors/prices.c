/*
 * server/doors/prices.c: the server's price table (see prices.h). The process's, not an engine's:
 * --price-file is read once at start, before any server opens, and every report of the process
 * is priced at it.
 */
#include "server/doors/prices.h"

enum {
    NBUILTIN = 0
#define X(...) +1
#include "server/doors/prices.def"
#undef X
};

static const ddb_prices builtin = {
    DDB_PRICES_REGION, DDB_PRICES_DATE, DDB_PRICES_SOURCE, NBUILTIN, {
#define X(cls, ...) {#cls, __VA_ARGS__},
#include "server/doors/prices.def"
#undef X
    }};

static ddb_prices loaded; /* --price-file's, written once at start before any request */
static int use_loaded;

const ddb_prices *ddb_prices_get(void)
{
    return use_loaded ? &loaded : &builtin;
}

int ddb_prices_load(const char *path, char *err, size_t errlen)
{
    if (ddb_prices_read(path, &loaded, err, errlen) != 0)
        return -1;
    use_loaded = 1;
    return 0;
}
