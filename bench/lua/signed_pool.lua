-- Sends complete raw requests read from a file, round-robin (bench/auth_getitem.sh).
-- wrk's Lua cannot compute HMAC-SHA256, so the requests are SigV4-signed beforehand (botocore)
-- and written to $POOL_FILE, each request followed by one NUL byte. Each wrk thread loads the
-- whole pool and starts at its own offset. Prints the shared harness's RESULT line (common.lua)
-- under the workload name $WORKLOAD (default signed_getitem).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local shared = os.getenv("BENCH_SHARED")
local C = dofile((shared and (shared .. "/lua/") or (dir .. "../../../shared/bench/lua/")) .. "common.lua")
C.install(os.getenv("WORKLOAD") or "signed_getitem")

local pool, n, at = {}, 0, 0
init = function(args)
  local path = os.getenv("POOL_FILE") or error("POOL_FILE is not set")
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  for r in data:gmatch("([^%z]+)%z") do
    n = n + 1
    pool[n] = r
  end
  assert(n > 0, "no requests in " .. path)
  at = ((thread_id or 1) - 1) * 7919 % n
end
request = function()
  at = at % n + 1
  return pool[at]
end
