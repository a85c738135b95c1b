/*
 * server/options_undef.h: ends a context of options.def's OPT_ kinds (config.h, config.c,
 * config_help.c each define them as what a row's PARSE means there: a field, a default, a parse,
 * a copy, a default shown), so that the next context can define them anew. No include guard: it
 * is included once per context.
 */
#undef OPT_FLAG
#undef OPT_STR
#undef OPT_PATH
#undef OPT_UINT
#undef OPT_INT
#undef OPT_RATE
#undef OPT_BYTES
#undef OPT_ENUM
#undef OPT_LEVEL
#undef OPT_LIST
#undef OPT_TRIGGERS
#undef OPT_HEALTH
#undef OPT_HELP
#undef OPT_VERSION
#undef OPT_NOOP
#undef OPT_GROUP
