/*
 * client/cli/replay_check.h: `ddb replay --check`'s comparison of an answer with the recorded one
 * (docs/record-replay.md, "Replaying"): what may legitimately differ is left out, and where the two
 * first differ is said.
 */
#ifndef DDB_CLI_REPLAY_CHECK_H
#define DDB_CLI_REPLAY_CHECK_H

/* Whether the replayed answer (status, body: NUL-terminated) diverges from the recorded one
   (rstatus, recorded: its JSON text, NULL when none); if so, where (*why) and the recorded answer
   written back (*rec_text), both malloc'd. */
int rp_check(int rstatus, const char *recorded, int status, const char *body, char **why, char **rec_text);

#endif
