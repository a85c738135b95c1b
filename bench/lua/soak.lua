-- The soak workload (bench/soak.sh): reads, writes and queries mixed, every answer expected 200.
--   65% GetItem    of a random key in [0, SOAK_KEYS)   (hits grow as the puts fill the range)
--   15% PutItem    of a ~200-byte item at a random key in [0, SOAK_KEYS): the table grows
--                  towards SOAK_KEYS items, so RocksDB flushes, compacts and cycles its caches
--    5% UpdateItem SET counter = counter + 1 on a loaded key (KV_N), conditional on it existing
--   15% Query      of 20 items of a random bench_ts partition (TS_P x TS_S loaded)
-- GetItem and PutItem are rendered per request (a pool would confine them to a few thousand
-- keys); UpdateItem and Query come from pools. Loads the shared harness's common.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local shared = os.getenv("BENCH_SHARED")
local C = dofile((shared and (shared .. "/lua/") or (dir .. "../../../shared/bench/lua/")) .. "common.lua")
C.install("soak")

local KEYS = tonumber(os.getenv("SOAK_KEYS") or "1000000")
local updates, queries = {}, {}

C.init(function()
  for k = 1, 2000 do
    updates[k] = C.req("UpdateItem", string.format(
      '{"TableName":"bench_kv","Key":{"pk":{"S":"user#%d"}},"UpdateExpression":"SET #c = #c + :one",' ..
      '"ConditionExpression":"attribute_exists(pk)","ExpressionAttributeNames":{"#c":"counter"},' ..
      '"ExpressionAttributeValues":{":one":{"N":"1"}}}', C.rand_kv()))
  end
  for k = 1, 5000 do
    local p = math.random(0, C.TS_P - 1)
    local s = math.random(0, math.max(0, C.TS_S - 20))
    queries[k] = C.req("Query", string.format(
      '{"TableName":"bench_ts","KeyConditionExpression":"pk = :p AND sk BETWEEN :a AND :b","Limit":20,' ..
      '"ExpressionAttributeValues":{":p":{"S":"dev#%d"},":a":{"S":"t#%05d"},":b":{"S":"t#%05d"}}}',
      p, s, s + 29))
  end
end)

request = function()
  local r = math.random(1, 100)
  if r <= 65 then return C.get_req(math.random(0, KEYS - 1)) end
  if r <= 80 then return C.put_req(math.random(0, KEYS - 1)) end
  if r <= 85 then return updates[math.random(1, #updates)] end
  return queries[math.random(1, #queries)]
end
