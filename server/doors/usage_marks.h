/*
 * server/doors/usage_marks.h: the cost report's marks, as the admin door holds them: the engine's
 * (engine/report/marks.h), named here for the door that includes them by this name.
 */
#ifndef DDB_DOORS_USAGE_MARKS_H
#define DDB_DOORS_USAGE_MARKS_H

#include "server/engine/report/marks.h"

#endif
