/*
 * server/api/validate/validate_streams.c: what the DynamoDB Streams operations accept (ListStreams,
 * DescribeStream, GetShardIterator, GetRecords), as data, in the order of the Streams API's model.
 * Their cross-member rules (a SequenceNumber with the iterator types that take one) are the
 * handlers' (ops/ops_streams.c), where the shard is known.
 */
#include "server/api/validate/validate_internal.h"

#define F_STREAM_ARN(flags) {"StreamArn", DDB_V_STRING, (flags) | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024}
#define F_SHARD_ID(name, flags) {name, DDB_V_STRING, (flags) | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 28, .len_max = 65}
#define F_LIMIT(most) {"Limit", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = (most)}

static const ddb_field LIST_STREAMS_FIELDS[] = {
    {"TableName", DDB_V_STRING, NAME_FLAGS, .len_min = 3, .len_max = 255},
    F_LIMIT(100),
    {"ExclusiveStartStreamArn", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024},
    {NULL},
};

static const ddb_field SHARD_FILTER_FIELDS[] = {
    {"Type", DDB_V_STRING, .one_of = ENUM("CHILD_SHARDS")},
    F_SHARD_ID("ShardId", 0),
    {NULL},
};

static const ddb_field DESCRIBE_STREAM_FIELDS[] = {
    F_STREAM_ARN(DDB_VF_NOT_NULL),
    F_LIMIT(100),
    F_SHARD_ID("ExclusiveStartShardId", 0),
    {"ShardFilter", DDB_V_STRUCT, .children = SHARD_FILTER_FIELDS},
    {NULL},
};

static const ddb_field GET_SHARD_ITERATOR_FIELDS[] = {
    F_STREAM_ARN(DDB_VF_NOT_NULL),
    F_SHARD_ID("ShardId", DDB_VF_NOT_NULL),
    {"ShardIteratorType", DDB_V_STRING, DDB_VF_NOT_NULL,
     .one_of = ENUM("TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")},
    {"SequenceNumber", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 21, .len_max = 40},
    {NULL},
};

static const ddb_field GET_RECORDS_FIELDS[] = {
    {"ShardIterator", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 2048},
    F_LIMIT(1000),
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_list_streams = {LIST_STREAMS_FIELDS};
const ddb_spec ddb_spec_describe_stream = {DESCRIBE_STREAM_FIELDS};
const ddb_spec ddb_spec_get_shard_iterator = {GET_SHARD_ITERATOR_FIELDS};
const ddb_spec ddb_spec_get_records = {GET_RECORDS_FIELDS};
