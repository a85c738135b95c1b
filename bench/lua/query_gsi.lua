-- Query on a GSI: IndexName=by_grp of bench_gsi (bench/setup_gsi.py), grp = :g (TS_P values,
-- TS_S items each), Limit 20, projection ALL.  The base-table counterpart is the shared query.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "gsi_common.lua")
C.install("query_gsi")
C.init(function() C.fill(function() return C.gsi_query_req(math.random(0, C.TS_P - 1)) end) end)
