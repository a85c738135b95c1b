-- PutItem on bench_put2 (two GSIs: by_a projection ALL, by_b projection INCLUDE [name, age];
-- bench/setup_gsi.py): overwrite a random loaded key (KV_N) with a ~220 B item carrying both
-- index keys, with new random values, so both index entries move.  Counterpart: putitem_nogsi.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "gsi_common.lua")
C.install("putitem_2gsi")
C.init(function() C.fill(function() return C.gsi_put_req("bench_put2", C.rand_kv()) end) end)
