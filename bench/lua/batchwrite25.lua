-- BatchWriteItem of 25 PutRequests on distinct random keys of bench_kv (each the ~200 B item of the
-- shared putitem workload; bench/lua/transact_common.lua's distinct keys): a request is 25 writes.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "transact_common.lua")
C.install("batchwrite25")
C.init(function()
  C.fill(function()
    local puts = {}
    for k, i in ipairs(C.distinct_kv(25)) do
      puts[k] = '{"PutRequest":{"Item":' .. C.kv_item_json(i) .. '}}'
    end
    return C.req("BatchWriteItem", '{"RequestItems":{"bench_kv":[' .. table.concat(puts, ",") .. ']}}')
  end, math.floor(C.POOL / 4))
end)
