/*
 * server/api/validate/validate_kinesis.c: the specs of the Kinesis streaming destinations' operations
 * (ops/ops_kinesis.c).
 *
 * Members in the API reference's (alphabetical) order; StreamArn's 37 to 1024 characters and
 * ApproximateCreationDateTimePrecision's two values are the reference's constraints. A StreamArn
 * of the right length is never refused here: DynamoDB accepts any and fails the destination later
 * (ENABLE_FAILED), as ops_kinesis.c does.
 */
#include "server/api/validate/validate_internal.h"

#define F_STREAM_ARN                                                                                                   \
    {"StreamArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024}

static const ddb_field PRECISION_FIELDS[] = {
    {"ApproximateCreationDateTimePrecision", DDB_V_STRING, 0, .one_of = ENUM("MILLISECOND", "MICROSECOND")},
    {NULL},
};

/* Enable and Disable share their input shape (KinesisStreamingDestinationInput) */
static const ddb_field DESTINATION_FIELDS[] = {
    {"EnableKinesisStreamingConfiguration", DDB_V_STRUCT, 0, .children = PRECISION_FIELDS},
    F_STREAM_ARN,
    F_TABLE_OR_ARN,
    {NULL},
};

static const ddb_field UPDATE_FIELDS[] = {
    F_STREAM_ARN,
    F_TABLE_OR_ARN,
    {"UpdateKinesisStreamingConfiguration", DDB_V_STRUCT, 0, .children = PRECISION_FIELDS},
    {NULL},
};

const ddb_spec ddb_spec_enable_kinesis_streaming_destination = {DESTINATION_FIELDS};
const ddb_spec ddb_spec_disable_kinesis_streaming_destination = {DESTINATION_FIELDS};
const ddb_spec ddb_spec_update_kinesis_streaming_destination = {UPDATE_FIELDS};
const ddb_spec ddb_spec_describe_kinesis_streaming_destination = {ddb_table_or_arn_fields};
