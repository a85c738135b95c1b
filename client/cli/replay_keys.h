/*
 * client/cli/replay_keys.h: `ddb replay --keys FILE` (docs/record-replay.md, "Keys"): the keys of
 * ddbd's --auth key file, each line `ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID [SESSION_TOKEN]]
 * [OPTION=VALUE ...]` (docs/security.md, "The key file"; the options are the server's, not read
 * here), so a line ddbd recorded under --auth (its `key`) is signed with the key it ran with.
 */
#ifndef DDB_CLI_REPLAY_KEYS_H
#define DDB_CLI_REPLAY_KEYS_H

#include <stddef.h>
#include <stdio.h>

#include "ddb/ddb_pipe.h"
#include "proto/json_scan.h"

/* The file's keys into *keys (*n of them; free with rp_keys_free): 0, or 2 with what is wrong said
   on err (a line that is no key: its number, never its secret). */
int rp_keys_load(const char *path, ddb_pipe_key **keys, size_t *n, FILE *err);
/* One line of the file (NUL-terminated, without its newline) into *k: 1 (its strings freed with
   rp_key_clear), 0 for a blank line or a comment, -1 for no key. */
int rp_keys_parse_line(const char *line, ddb_pipe_key *k);
/* A parsed key's strings freed (its secret wiped first). */
void rp_key_clear(ddb_pipe_key *k);
/* The key whose access key id is `id` (a recorded line's), or NULL. */
const ddb_pipe_key *rp_keys_find(const ddb_pipe_key *keys, size_t n, ddb_jspan id);
void rp_keys_free(ddb_pipe_key *keys, size_t n);

#endif
