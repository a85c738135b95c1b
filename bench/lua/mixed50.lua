-- YCSB-A-like: 50% GetItem / 50% PutItem on random kv keys (the shared harness's mixed.lua, at
-- half writes): a loop's turn mixes reads of items other loops are writing with writes of others.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local shared = os.getenv("BENCH_SHARED")
local C = dofile((shared and (shared .. "/lua/") or (dir .. "../../../shared/bench/lua/")) .. "common.lua")
C.install("mixed50")
local gets, puts = {}, {}
C.init(function()
  for k = 1, C.POOL do gets[k] = C.get_req(C.rand_kv()) end
  for k = 1, C.POOL do puts[k] = C.put_req(C.rand_kv()) end
end)
request = function()
  if math.random() < 0.5 then return puts[math.random(1, #puts)] end
  return gets[math.random(1, #gets)]
end
