-- DeleteItem of a random key of bench_kv, each followed (the thread's next request) by the PutItem
-- that puts that item back, so that the table keeps its items and a delete finds its item (unless
-- another connection's delete of the same key came first): half the requests are DeleteItems of an
-- item that is there, half the shared workload's PutItem. A DeleteItem's own cost is the pair's
-- less a PutItem's (putitem.lua, the same run).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "transact_common.lua")
C.install("deleteitem")
local pairs_, next_put = {}, nil
C.init(function()
  for k = 1, C.POOL do
    local i = C.rand_kv()
    pairs_[k] = {C.req("DeleteItem", string.format('{"TableName":"bench_kv","Key":{"pk":{"S":"user#%d"}}}', i)),
                 C.put_req(i)}
  end
end)
_G.request = function()
  local r = next_put
  if r ~= nil then
    next_put = nil
    return r
  end
  local p = pairs_[math.random(1, #pairs_)]
  next_put = p[2]
  return p[1]
end
