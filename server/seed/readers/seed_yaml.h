/*
 * server/seed/readers/seed_yaml.h: a YAML document (a CloudFormation or SAM template) read with libyaml into
 * the JSON tree the rest of the seed reads (proto/json.h), so a YAML template and a JSON one are
 * one code path from there on.
 *
 * CloudFormation's short-form tags become their long forms: `!Ref X` is {"Ref": "X"},
 * `!Condition X` is {"Condition": "X"}, `!GetAtt A.B` is {"Fn::GetAtt": ["A", "B"]}, and any
 * other `!Name v` is {"Fn::Name": v}. Plain scalars are typed as CloudFormation's YAML reader types
 * them (null, true/false, numbers in JSON's syntax; everything else, and every quoted scalar, a
 * string). Anchors and aliases are followed; the tree they expand to is bounded
 * (SEED_YAML_MAX_NODES, a long scalar counting as several), as is its depth (DDB_JSON_MAX_DEPTH).
 */
#ifndef DDB_SEED_YAML_H
#define DDB_SEED_YAML_H

#include <stddef.h>

#include "proto/json.h"

#define SEED_YAML_MAX_NODES 1000000
/* A scalar counts a node for each so many bytes of it besides its own: aliases of a long one
   (100,000 of a 500 KB string: 50 GB) cannot expand to more text than nodes would. */
#define SEED_YAML_NODE_BYTES 16

/* The tree of the one document in text[0..len), allocated from `a`; NULL when it is not YAML
   (or not one document), with the problem in err and its 1-based line in *line. */
ddb_json *seed_yaml_parse(ddb_arena *a, const char *text, size_t len, char *err, size_t errlen, unsigned *line);


#endif
