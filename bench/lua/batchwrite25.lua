-- BatchWriteItem of 25 PutRequests on distinct random keys of bench_kv (each the ~200 B item of the
-- shared putitem workload; bench/lua/transact_common.lua's distinct keys): a request is 25 writes.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "transact_common.lua")
C.batch25("batchwrite25", "BatchWriteItem",
  function(_, i) return '{"PutRequest":{"Item":' .. C.kv_item_json(i) .. '}}' end,
  function(list) return '{"RequestItems":{"bench_kv":[' .. list .. ']}}' end)
