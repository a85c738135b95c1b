-- Shared code of the transaction workloads (transact_write4, transact_get4): 4 distinct random
-- keys of the shared harness's kv table (bench_kv, KV_N items loaded by its setup.py).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local shared = os.getenv("BENCH_SHARED")
local C = dofile((shared and (shared .. "/lua/") or (dir .. "../../../shared/bench/lua/")) .. "common.lua")

-- n distinct keys: a transaction may not name one item twice.
function C.distinct_kv(n)
  local seen, out = {}, {}
  while #out < n do
    local i = C.rand_kv()
    if not seen[i] then
      seen[i] = true
      out[#out + 1] = i
    end
  end
  return out
end

-- TransactWriteItems of 4 Puts (each the ~200 B item of the shared putitem workload).
function C.transact_write_req()
  local actions = {}
  for k, i in ipairs(C.distinct_kv(4)) do
    actions[k] = '{"Put":{"TableName":"bench_kv","Item":' .. C.kv_item_json(i) .. '}}'
  end
  return C.req("TransactWriteItems", '{"TransactItems":[' .. table.concat(actions, ",") .. ']}')
end

-- TransactGetItems of 4 Gets.
function C.transact_get_req()
  local actions = {}
  for k, i in ipairs(C.distinct_kv(4)) do
    actions[k] = string.format('{"Get":{"TableName":"bench_kv","Key":{"pk":{"S":"user#%d"}}}}', i)
  end
  return C.req("TransactGetItems", '{"TransactItems":[' .. table.concat(actions, ",") .. ']}')
end

-- A workload `name` of requests of operation `op`, each 25 writes on distinct random kv items:
-- write(k, i) is the k-th write's JSON (of item i), body(list) the request's body around them.
function C.batch25(name, op, write, body)
  C.install(name)
  C.init(function()
    C.fill(function()
      local writes = {}
      for k, i in ipairs(C.distinct_kv(25)) do
        writes[k] = write(k, i)
      end
      return C.req(op, body(table.concat(writes, ",")))
    end, math.floor(C.POOL / 4))
  end)
end

return C
