/*
 * server/ops/page.h: what Query and Scan share: the keyspace a request reads (the table, or one
 * of its indexes), and the page loop.
 *
 * A page is read straight from storage: entries in key order, each counted against Limit and
 * DynamoDB's 1 MB page measure before the filter, then filtered, projected and streamed into the
 * response. Only one page is ever in memory.
 */
#ifndef DDB_PAGE_H
#define DDB_PAGE_H

#include "server/engine/catalog/catalog.h"
#include "server/engine/keycodec.h"
#include "server/expr/expr.h"
#include "server/ops/ops_common.h"

/* The keys a request reads: the table's, or an index's (IndexName). */
typedef struct ddb_keyspace {
    const ddb_table *t;
    const ddb_index *ix; /* NULL: the table */
    uint32_t id;         /* key prefix */
    ddb_key_part hash[DDB_MAX_KEY_PARTS];
    unsigned nhash;
    ddb_key_part range[DDB_MAX_KEY_PARTS];
    unsigned nrange;
} ddb_keyspace;

/*
 * Resolves IndexName (absent: the table) with DynamoDB's checks for reading an index: it exists
 * and is readable, ConsistentRead on a GSI, Select ALL_ATTRIBUTES on a GSI that does not project
 * everything. Returns DDB_OK or the recorded error.
 */
int ddb_keyspace_or_fail(ddb_req *req, const ddb_table *t, ddb_keyspace *ks);

/* Whether `name` is a key attribute of the keyspace (its own keys; for an index, not the table's). */
int ddb_keyspace_is_key(const ddb_keyspace *ks, const char *name, uint32_t nlen);

/* The attributes an expression reads that index ix does not project, "a, b" (each once, in
   order), or NULL when it projects them all. */
const char *ddb_unprojected(ddb_arena *a, const ddb_table *t, const ddb_index *ix, const ddb_expr *e);

/* "Key attributes must be scalars; ...": a document path may not go below a key attribute. */
int ddb_nested_key_paths_or_fail(ddb_req *req, const ddb_keyspace *ks, const ddb_expr *e);

/*
 * A Query's key condition (req->parsed.key_condition) against the keyspace, then its projection's
 * and filter's key rules ("Filter Expression can only contain non-primary key attributes", "Key
 * attributes must be scalars") and the partition key's value, in Query's order (ops_query.c);
 * ExportTableToPointInTime's FilterSpecification takes the same. Returns DDB_OK or the recorded
 * error.
 */
int ddb_query_key_rules_or_fail(ddb_req *req, const ddb_keyspace *ks);

/*
 * The encoded key of ExclusiveStartKey in the keyspace: for an index, the start key must name the
 * table's key and the index's key attributes. Returns NULL (message) or the error text.
 */
const char *ddb_keyspace_start_key(ddb_req *req, const ddb_keyspace *ks, const ddb_attr *esk, ddb_key *out);

/*
 * Decodes and checks the request's ExclusiveStartKey for the keyspace, with DynamoDB's messages
 * and order for Query and Scan (start_key.c): its shape, the keyspace's key types, the table's key
 * and the values. *esk is NULL when the request has none; else *out is its encoded key. Whether a
 * Query's start key lies inside its key condition is the Query's to check (ops_query.c).
 */
int ddb_start_key_or_fail(ddb_req *req, const ddb_keyspace *ks, ddb_attr **esk, ddb_key *out);
/*
 * Whether the request may go on from a start key in the keyspace: every Scan and Query but a Query
 * of a table with no sort key, whose partition is its one item (DynamoDB refuses that start key,
 * so such a page answers no LastEvaluatedKey either; start_key.c).
 */
int ddb_restartable(const ddb_req *req, const ddb_keyspace *ks);

#define DDB_PAGE_KEY_NAMES (2 + 2 * DDB_MAX_KEY_PARTS)

typedef struct ddb_page {
    ddb_req *req;
    const ddb_keyspace *ks;
    long limit;               /* 0: none */
    int consistent;
    int count_only;           /* Select COUNT */
    int fetch_base;           /* LSI read of attributes it does not project: read the table's item */
    const ddb_expr *filter;
    const ddb_expr *projection;
    /* a projection of its own (PartiQL's SELECT list names nested paths differently); NULL: projection */
    void (*project)(ddb_arena *a, const void *ctx, const ddb_attr *item, ddb_attr *out);
    const void *project_ctx;
    size_t scanned, count;
    size_t size;              /* the 1 MB page measure */
    size_t cap_bytes;         /* entry bytes read, for capacity */
    size_t base_bytes;        /* table item bytes read for fetch_base */
    /*
     * The last item evaluated, for LastEvaluatedKey: its key attributes (the table's and the
     * index's) copied here, since the decoded item points into the iterator's buffers, which the
     * store may release once the iterator moves on.
     */
    const char *key_names[DDB_PAGE_KEY_NAMES];
    unsigned nkey_names;
    ddb_attr last;
    ddb_entry last_keys[DDB_PAGE_KEY_NAMES];
    char last_bytes[4 * (2048 + 1024) + 2048 + 1024];
    int has_last;
} ddb_page;

void ddb_page_init(ddb_page *p, ddb_req *req, const ddb_keyspace *ks);
/* Opens the response object (and Items). */
void ddb_page_begin(ddb_page *p);
/*
 * Reads [lo, hi) in key order, starting after `after` (exclusive) when given, until the page is
 * full. Returns 1 when the page filled, 0 when the range ran out, or an error code.
 */
int ddb_page_read_range(ddb_page *p, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse,
                        const char *after, size_t afterlen);
/* Closes Items and writes Count, ScannedCount, LastEvaluatedKey (when the page filled and the request is
   ddb_restartable) and ConsumedCapacity. */
void ddb_page_end(ddb_page *p);

/* The parts of ddb_page_end, for a caller that answers in another shape (PartiQL's SELECT). */
void ddb_page_close_items(ddb_page *p);
/* Whether the page filled with more to read: the last key (p->last) is where the next page starts. */
int ddb_page_more(const ddb_page *p);
/* The units the page consumed. */
void ddb_page_consumed(const ddb_page *p, ddb_consumed *used);

/*
 * The key range of a keyspace's partition `pk`, narrowed by a sort-key condition `rc` (NULL for
 * the whole partition): what Query reads (ops_query.c). *hi may be the keyspace's end.
 */
void ddb_keyspace_partition_range(ddb_arena *a, const ddb_keyspace *ks, const ddb_key *pk, const ddb_key_cond *rc,
                                  const char **lo, size_t *lolen, const char **hi, size_t *hilen);

#endif
