/*
 * server/privileges.h: `--user USER[:GROUP]`, the step a container image's entry point usually
 * leaves to a shell script and gosu: started as root, ddbd makes the data directory it was given
 * its user's (Docker creates a missing bind-mounted host directory owned by root), then drops to
 * that user before it opens anything. Started as any other user, it does nothing.
 */
#ifndef DDB_PRIVILEGES_H
#define DDB_PRIVILEGES_H

/*
 * When the process runs as root and user is not NULL: user is a name of /etc/passwd (its group
 * is the passwd entry's) or a number, optionally followed by :GROUP (a name of /etc/group or a
 * number). data_dir (NULL: none, as with --in-memory) is created if missing, and it and everything
 * under it not owned by the user are given to the user and group; then the supplementary groups,
 * the group and the user are set, which clears every capability. Returns 0, or -1 with a line
 * logged when the user is unknown or the switch fails (a data directory that cannot be given away,
 * on a read-only or root-squashed mount, is logged as a warning: opening it says what is wrong).
 */
int ddb_drop_privileges(const char *user, const char *data_dir);

#endif
