/*
 * server/engine/history/streams.h: DynamoDB Streams on the mutation pipeline.
 *
 * A table's stream is described in its catalog entry, "ddbdStream": {"Id": keyspace, "Label":
 * "2026-11-22T12:00:00.000", "View": "NEW_IMAGE", "Enabled": true, "Shards": [n0, n1, ...]}, a
 * member of the history row (ddb_member_stream, below: the catalog reads it into ddb_table's
 * stream, a ddb_stream_facts, once per table version; ddb_edit_stream writes it). Every change of an item of a table with an
 * enabled stream adds a record to the same atomic commit (ddb_stream_add_record, called by the
 * mutation pipeline), as a sequenced put (storage.h): the record's number is its SequenceNumber,
 * strictly increasing per shard, and in commit order for each item.
 *
 * Record keys: [stream id u32][shard tag u64: generation << 32 | shard][number u64], so one
 * stream shard's records are one prefix, read in number order. The value: a version byte,
 * the event (INSERT, MODIFY, REMOVE), flags (a service delete: TTL), the creation time in ms, then
 * the Keys, NewImage and OldImage items (each u32 length + item encoding; empty when the view
 * type leaves it out).
 *
 * Shards follow the store's shard count: generation g has Shards[g] shards. When ddbd starts with
 * more shards than the stream's last generation, every open shard closes and a new generation
 * opens in which each old shard splits into the children j with j % n_old == its index (one
 * parent each), so a reader that drains a parent before its children sees every record of an item
 * in order. A smaller shard count keeps the last generation's layout (shards never merge).
 *
 * The registry of streams, "stream/<id, 10 digits>" in the metadata space, keeps what outlives
 * the table's entry: the table's name and key schema, the label and view type, creation and
 * disable times, and each generation's start time and the last number of each of its shards once
 * closed. A disabled stream (or the stream of a deleted table) stays readable for 24 hours; then
 * the background worker deletes its records and its registry entry. Records older than 24 hours
 * are trimmed in the background too.
 */
#ifndef DDB_STREAMS_H
#define DDB_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/engine/feature.h"
#include "server/engine/table.h"
#include "server/engine/keycodec.h"
#include "server/storage/storage.h"

/* (a stream's view, ddb_stream_view, is the table's member's: engine/table.h) */

/* ---- the table member ---- */

#define DDB_MEMBER_STREAM "ddbdStream"

/* The member's value, as ddb_edit_stream takes it. */
typedef struct ddb_stream_member {
    uint32_t id;             /* the keyspace of its records */
    const char *label;
    int view;                /* ddb_stream_view */
    int enabled;
    unsigned counts[16];     /* shards per generation (DDB_MAX_STREAM_GENS) */
    unsigned ngens;
} ddb_stream_member;

/* "ddbdStream", read into t's stream (table.h's ddb_stream_facts: every reader asks that, never the
   member), and DynamoDB's StreamSpecification beside it, kept as stored in t->stream.spec. */
extern const ddb_table_member ddb_member_stream;
extern const ddb_table_member ddb_member_stream_spec;
struct ddb_desc_edit;
/* The table's stream: "ddbdStream" and, while it is enabled, StreamSpecification (as stored when
   the stream stays the one enabled, else {StreamEnabled, StreamViewType}); NULL: neither. */
void ddb_edit_stream(struct ddb_desc_edit *e, const ddb_stream_member *s);
/* The table's enabled stream gets a generation of n shards (only "ddbdStream" changes). */
void ddb_edit_stream_generation(struct ddb_desc_edit *e, unsigned n);

#define DDB_STREAM_RETENTION_MS (24 * 3600 * 1000ULL)
#define DDB_STREAM_PREFIX_BYTES 12 /* stream id + shard tag */

typedef enum ddb_stream_event { DDB_EV_INSERT = 1, DDB_EV_MODIFY = 2, DDB_EV_REMOVE = 3 } ddb_stream_event;
#define DDB_REC_SERVICE 0x01 /* flag: deleted by the service (TTL) */
#define DDB_REC_REPLICATED 0x02 /* flag: a global table's change made in another region (not replicated again) */
/* flag: an injected ReplicationLag (api/faults/inject.h) holds the change back from the other replicas; the
   record then ends with a u32 BE trailer after its images, the hold in ms after its creation time
   (engine/jobs/replication.h). Older binaries ignore the flag and the trailer. */
#define DDB_REC_HELD 0x04

/* The shard of a partition (its hash) in the stream's last generation; *gen gets the generation. */
unsigned ddb_stream_shard_of(const ddb_table *t, uint64_t part_hash, unsigned *gen);
/* The 12-byte prefix of a stream shard's records. */
void ddb_stream_prefix(uint32_t stream_id, unsigned gen, unsigned shard, char out[DDB_STREAM_PREFIX_BYTES]);

/*
 * Adds to `out` the record of an item whose stored encoding goes from `old_raw` (NULL: absent) to
 * `new_raw` (NULL: deleted), when the table's stream is enabled; `hold_ms` > 0 flags it
 * DDB_REC_HELD with that hold. The caller calls it only when
 * something changed (ddb_item_encodings_equal: a write that changes nothing, even with a map's keys
 * in another order, is one DynamoDB does not record). The images are the
 * stored encodings themselves; the Keys come from `keys_src`, any item or key holding the key
 * attributes (the new item, the request's Key, or the old item).
 */
void ddb_stream_add_record(ddb_arena *a, const ddb_table *t, const ddb_key *key, const ddb_attr *keys_src,
                           const char *old_raw, size_t old_rawlen, const char *new_raw, size_t new_rawlen, int flags,
                           uint64_t now_ms, unsigned hold_ms, ddb_batch *out);

/* The record itself, with the images `view` keeps, as a sequenced put under `prefix` (the Kinesis
   destinations' logs use it too: engine/history/kinesis_log.h; hold_ms as above, 0 there). */
void ddb_stream_record_put(ddb_arena *a, const ddb_table *t, const ddb_attr *keys_src, const char *old_raw,
                           size_t old_rawlen, const char *new_raw, size_t new_rawlen, int view, int flags,
                           uint64_t now_ms, unsigned hold_ms, const char *prefix, size_t plen, ddb_batch *out);

/* A decoded record (arena memory). */
typedef struct ddb_stream_record {
    uint64_t seq;
    ddb_stream_event event;
    int flags;
    uint64_t created_ms;
    unsigned hold_ms; /* DDB_REC_HELD: its hold after created_ms (0: none) */
    ddb_attr keys, new_image, old_image; /* len 0 / type NONE when absent */
    int has_new, has_old;
    size_t size_bytes;
} ddb_stream_record;
int ddb_stream_record_decode(ddb_arena *a, const char *key, size_t klen, const char *val, size_t vlen,
                             ddb_stream_record *out);

/* ---- the registry ---- */

struct ddb_stream_info;
/* Its Keys, NewImage and OldImage members (those it has), as GetRecords and Kinesis show them. */
void ddb_stream_record_images_json(ddb_jw *w, const ddb_stream_record *r);
/* A record as GetRecords (and, with `source_arn`, a Lambda event) shows it. */
void ddb_stream_record_json(ddb_jw *w, ddb_store *s, const struct ddb_stream_info *info, unsigned gen, unsigned shard,
                            const ddb_stream_record *r, const char *region, const char *source_arn);

typedef struct ddb_stream_gen {
    unsigned nshards;
    uint64_t started_ms;
    uint64_t *ends; /* per shard: the last number once the generation is closed (0: empty); NULL while open */
} ddb_stream_gen;

/* (DDB_MAX_STREAM_GENS, a stream's most generations, is engine/table.h's) */

typedef struct ddb_stream_info {
    uint32_t id;
    const char *table;     /* the table's name */
    const char *label;
    int view;
    const ddb_json *key_schema;
    uint64_t created_ms;
    uint64_t disabled_ms;  /* 0 while enabled */
    ddb_stream_gen gens[DDB_MAX_STREAM_GENS];
    unsigned ngens;
    int ordered_ids; /* ShardIds sort in creation order ("Ids": 2; streams made before: 0, see ddb_stream_shard_id) */
    int continued;   /* a generation numbers its records above the one before ("Ids": 3: ddb_stream_gen_base) */
} ddb_stream_info;

/* Reads one registry entry; 0, 1 when there is none, -1 on a storage error. */
int ddb_stream_info_get(ddb_store *s, ddb_arena *a, uint32_t id, ddb_stream_info *out);
/* Every registry entry (ordered by id); returns how many, -1 on error. */
long ddb_stream_info_list(ddb_store *s, ddb_arena *a, ddb_stream_info **out);
/* Adds the entry's JSON under its key to `b`. */
void ddb_stream_info_put(ddb_batch *b, ddb_arena *a, const ddb_stream_info *info);
void ddb_stream_info_delete(ddb_batch *b, ddb_arena *a, uint32_t id);

/* "arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>" (account NULL: the default) and its parts back. */
const char *ddb_stream_arn(ddb_arena *a, const char *region, const char *account, const char *table,
                           const char *label);
/*
 * The ShardId of a shard: "shardId-<generation start ms, 20 digits>-<8 hex>", as DynamoDB's look.
 * A generation starts after the one before it, and with ordered_ids the 8 hex digits begin with the
 * shard's index (4 digits, then 4 that name the stream), so ShardId order is creation order:
 * generation, then shard, parents before children. A stream made before ordered_ids keeps its ids
 * (readers hold them: checkpoints), whose suffix is a hash of the stream, generation and shard.
 */
const char *ddb_stream_shard_id(ddb_arena *a, const ddb_stream_info *info, unsigned gen, unsigned shard);
/* The generation and shard of a ShardId of this stream; -1 when it names none. */
int ddb_stream_shard_parse(const ddb_stream_info *info, const char *shard_id, unsigned *gen, unsigned *shard);
/*
 * What generation `gen` adds to its shards' stored numbers on the wire (SequenceNumber, a shard's
 * SequenceNumberRange, GetShardIterator's SequenceNumber): the generations before it, each its
 * largest shard end, summed, so that a child's numbers are above its parent's, as DynamoDB's are
 * (its DescribeStream example: a parent ending 20500000000000000910398, its child starting
 * 820400000000000001192334), and an item's records are in number order across a reshard. A shard
 * stores its records from 1 (the store's sequence under its prefix); 0 for a stream made before
 * (not `continued`: readers hold its numbers in their checkpoints).
 */
uint64_t ddb_stream_gen_base(const ddb_stream_info *info, unsigned gen);
/* The last number written to a shard (closed: its end; open: the store's). */
uint64_t ddb_stream_shard_last(ddb_store *s, const ddb_stream_info *info, unsigned gen, unsigned shard);
/* A record's number and creation time (ms), read from its key and head alone; -1 when it is not a
   record this version reads. */
int ddb_stream_record_head(const char *key, size_t klen, const char *val, size_t vlen, uint64_t *seq,
                           uint64_t *created_ms);
/* The lowest number still stored in a shard (records below were trimmed); last + 1 when none is. */
uint64_t ddb_stream_shard_first(ddb_store *s, const ddb_stream_info *info, unsigned gen, unsigned shard);

/* A stream's label: its creation time, "YYYY-MM-DDTHH:MM:SS.mmm" (UTC), as DynamoDB makes them. */
const char *ddb_stream_label(ddb_arena *a, uint64_t ms);

#endif
