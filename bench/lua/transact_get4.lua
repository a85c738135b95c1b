-- TransactGetItems of 4 Gets on random distinct keys of bench_kv (bench/lua/transact_common.lua).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "transact_common.lua")
C.install("transact_get4")
C.init(function() C.fill(C.transact_get_req) end)
