-- Shared code of the secondary-index workloads (query_gsi, putitem_2gsi, putitem_nogsi).
-- Loads the shared harness's common.lua ($BENCH_SHARED/lua, default ../../../shared/bench/lua
-- from this directory) and adds the request builders for the tables of bench/setup_gsi.py.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local shared = os.getenv("BENCH_SHARED")
local C = dofile((shared and (shared .. "/lua/") or (dir .. "../../../shared/bench/lua/")) .. "common.lua")

-- Query IndexName=by_grp, grp = :g, Limit 20 (every partition of the index holds TS_S items).
function C.gsi_query_req(p)
  return C.req("Query", string.format(
    '{"TableName":"bench_gsi","IndexName":"by_grp","KeyConditionExpression":"grp = :g","Limit":20,' ..
    '"ExpressionAttributeValues":{":g":{"S":"g#%d"}}}', p))
end

-- PutItem of a kv item (~200 B, the shape of the shared putitem workload) plus the index keys
-- of bench_put2 (by_a: ga/ta, by_b: gb/tb) with fresh random values, so that overwriting a
-- loaded key moves the item in both indexes.  The same items go to bench_put0 (no index).
function C.gsi_put_req(table_name, i)
  local kv = C.kv_item_json(i)
  local body = kv:sub(1, #kv - 1) .. string.format(
    ',"ga":{"S":"a#%d"},"ta":{"S":"t#%06d"},"gb":{"S":"b#%d"},"tb":{"N":"%d"}}',
    math.random(0, 99), math.random(0, 999999), math.random(0, 999), math.random(0, 999999))
  return C.req("PutItem", '{"TableName":"' .. table_name .. '","Item":' .. body .. '}')
end

return C
