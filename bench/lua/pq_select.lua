-- PartiQL read by key: ExecuteStatement `SELECT * FROM "bench_kv" WHERE pk = ?` with a random
-- loaded key of the shared kv table (pk = "user#<i>", i in [0, KV_N)) as the one Parameter.
-- The statement names the full key, so it is a single-item read: the PartiQL counterpart of
-- the shared getitem workload (same table, same keys, same ~200 B items).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local shared = os.getenv("BENCH_SHARED")
local C = dofile((shared and (shared .. "/lua/") or (dir .. "../../../shared/bench/lua/")) .. "common.lua")

local STMT = 'SELECT * FROM \\"bench_kv\\" WHERE pk = ?'

C.install("pq_select")
C.init(function()
  C.fill(function()
    return C.req("ExecuteStatement", string.format(
      '{"Statement":"%s","Parameters":[{"S":"user#%d"}]}', STMT, C.rand_kv()))
  end)
end)
