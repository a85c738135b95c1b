-- PartiQL write: ExecuteStatement `INSERT INTO "bench_pq" VALUE {'pk': ?, 'v': ?}` (table of
-- bench/setup_partiql.py, hash key pk S).  INSERT fails with DuplicateItemException on an
-- existing key, so every request carries a fresh key:
--   pk = "pq#<run>#<thread>#<counter>"  (<run>: 16 hex digits from /dev/urandom per wrk thread
--   and run, so warm-ups, rounds and threads never collide; <counter>: 10 digits)
-- and v = a 160-character string (an item of ~200 B, like the shared putitem workload's).
-- The request is rendered per call from fixed pieces, so Content-Length is constant and the
-- client stays cheap.  A non-200 answer (e.g. a duplicate key) counts as an error in the
-- RESULT line, which makes the run INVALID (common.lua's response hook).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local shared = os.getenv("BENCH_SHARED")
local C = dofile((shared and (shared .. "/lua/") or (dir .. "../../../shared/bench/lua/")) .. "common.lua")

local STMT = "INSERT INTO \\\"bench_pq\\\" VALUE {'pk': ?, 'v': ?}"
local VLEN = 160
local FILLER = string.rep("abcdefghijklmnopqrstuvwxyz0123456789", 10)

local function run_id()
  local f = io.open("/dev/urandom", "rb")
  local b = f and f:read(8)
  if f then f:close() end
  if not b or #b ~= 8 then   -- no /dev/urandom: time and the (per-thread seeded) RNG
    return string.format("%08x%08x", os.time() % 0x100000000, math.random(0, 0x7fffffff))
  end
  return (b:gsub(".", function(ch) return string.format("%02x", ch:byte()) end))
end

local head, mid, tail          -- request = head .. counter .. mid .. v .. tail
local values = {}              -- 64 values of VLEN characters
local n = 0

C.install("pq_insert")
C.init(function()
  local key_prefix = string.format("pq#%s#%d#", run_id(), thread_id or 0)
  -- render one request to learn the constant pieces around the counter and the value
  local body_head = '{"Statement":"' .. STMT .. '","Parameters":[{"S":"' .. key_prefix
  local body_mid = '"},{"S":"'
  local body_tail = '"}]}'
  local len = #body_head + 10 + #body_mid + VLEN + #body_tail
  local full = C.req("ExecuteStatement", string.rep("x", len))   -- headers for a body of that length
  head = full:sub(1, #full - len) .. body_head
  mid, tail = body_mid, body_tail
  for k = 1, 64 do
    local off = math.random(1, 36)
    values[k] = FILLER:sub(off, off + VLEN - 1)
  end
end)

_G.request = function()
  n = n + 1
  return head .. string.format("%010d", n) .. mid .. values[(n % 64) + 1] .. tail
end
