/*
 * server/base/regions.c: which Regions exist and which a server serves (see regions.h).
 */
#include "server/base/regions.h"

#include <string.h>

typedef struct region {
    const char *name;
    int global_tables;
} region;

static const region REGIONS[] = {
#define X(NAME, GLOBAL_TABLES) {NAME, GLOBAL_TABLES},
#include "server/base/regions.def"
#undef X
};

#define NREGIONS (sizeof(REGIONS) / sizeof(REGIONS[0]))

int ddb_region_is_aws(const char *name, size_t n)
{
    for (size_t i = 0; i < NREGIONS; i++)
        if (strlen(REGIONS[i].name) == n && memcmp(REGIONS[i].name, name, n) == 0)
            return 1;
    return 0;
}

const char *ddb_region_global_tables(unsigned i)
{
    return i < NREGIONS && REGIONS[i].global_tables ? REGIONS[i].name : NULL;
}

/* Whether one --regions entry (e, elen bytes) serves the Region. */
static int entry_serves(const char *e, size_t elen, const char *name, size_t n)
{
    if (elen == 3 && memcmp(e, "aws", 3) == 0)
        return ddb_region_is_aws(name, n);
    if (elen > 0 && e[elen - 1] == '*')
        return n >= elen - 1 && memcmp(e, name, elen - 1) == 0;
    return elen == n && memcmp(e, name, n) == 0;
}

int ddb_region_served(const char *list, const char *name, size_t n)
{
    if (list == NULL)
        return ddb_region_is_aws(name, n);
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t elen = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (entry_serves(p, elen, name, n))
            return 1;
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

/* A name's characters: what a credential scope's Region may hold (api/auth/auth.c). */
static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

const char *ddb_regions_check(const char *list)
{
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t elen = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (elen == 0)
            return "an empty entry";
        for (size_t i = 0; i < elen; i++)
            if (!name_char(p[i]) && !(p[i] == '*' && i == elen - 1))
                return "an entry that is neither a Region name (a-z, 0-9, '-'), \"aws\", nor a prefix ending in '*'";
        if (comma == NULL)
            return NULL;
        p = comma + 1;
    }
}
