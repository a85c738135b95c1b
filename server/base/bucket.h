/*
 * server/base/bucket.h: what a bucket name may be, for the API's checks (api/validate/validate_export.c,
 * validate_bulk.c) and the object store's (engine/xfer/objstore.c) alike.
 */
#ifndef DDB_BUCKET_H
#define DDB_BUCKET_H

/* DynamoDB's pattern for S3Bucket (ExportTableToPointInTime, ImportTable's S3BucketSource,
   StartBulkPutItems' Input/OutputS3Configuration), as its API reference writes it. */
#define DDB_BUCKET_PATTERN "^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"

/* 1 when s matches DDB_BUCKET_PATTERN: two characters or more, letters and digits at both ends,
   letters, digits, '.', '-' and '_' between. So never "", ".", "..", nor a '/' or a control
   character: a name is one path component below --export-dir, never the directory itself. */
int ddb_bucket_pattern_ok(const char *s);

#endif
