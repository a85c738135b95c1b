-- PutItem on bench_put0: the same key schema and the same items as putitem_2gsi, no index.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "gsi_common.lua")
C.install("putitem_nogsi")
C.init(function() C.fill(function() return C.gsi_put_req("bench_put0", C.rand_kv()) end) end)
