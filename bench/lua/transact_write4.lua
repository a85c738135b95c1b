-- TransactWriteItems of 4 Puts on random distinct keys of bench_kv (bench/lua/transact_common.lua).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "transact_common.lua")
C.install("transact_write4")
C.init(function() C.fill(C.transact_write_req) end)
