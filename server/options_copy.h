/*
 * server/options_copy.h: copies the values of options.def's rows of one destination to where they
 * act. A row's PARSE names its field, cfg->field; its TO_<DEST>(member) becomes
 * `to->member = cfg->field;` where COPY_TO_<DEST>(member) is defined as `to->member = COPY_FROM`,
 * and nothing where it is COPY_SKIP (TO_CONFIG: nowhere). Define COPY_TO_ENGINE, COPY_TO_HTTP and
 * COPY_TO_STORE, with `cfg` and `to` in scope, then include this; it undefines them. No include
 * guard: it is included once per copy (config.c's engine and store settings, main.c's HTTP
 * server's, which only the wiring's top may see).
 */
#define OPT_FLAG(f) cfg->f
#define OPT_STR(f, def) cfg->f
#define OPT_PATH(f, what) cfg->f
#define OPT_UINT(f, min, max, def) cfg->f
#define OPT_INT(f, min, max, def) cfg->f
#define OPT_RATE(f, def) cfg->f
#define OPT_BYTES(f, min, def) cfg->f
#define OPT_ENUM(f, names, def) cfg->f
#define OPT_LEVEL(f, def) cfg->f
#define OPT_LIST(f, cap) cfg->f
#define OPT_TRIGGERS(f, cap) cfg->f
#define OPT_HEALTH(flag, f) cfg->flag
#define OPT_HELP()
#define OPT_VERSION()
#define OPT_NOOP()
#define OPT_GROUP()
#define COPY_FROM(field) field;
#define COPY_SKIP(field)
#define COPY_TO_CONFIG(field)
#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP) COPY_##TO(PARSE)
#include "server/options.def"
#undef X
#undef COPY_FROM
#undef COPY_SKIP
#undef COPY_TO_CONFIG
#undef COPY_TO_ENGINE
#undef COPY_TO_HTTP
#undef COPY_TO_STORE
#include "server/options_undef.h"
