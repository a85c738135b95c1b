-- GetItem of a random key, each request with its own W3C traceparent (bench/tracing_getitem.sh).
local shared = os.getenv("BENCH_SHARED_LUA") or "../shared/bench/lua/"
local C = dofile(shared .. "common.lua")
local plain = C.req
C.req = function(op, body)
  local r = plain(op, body)
  local tp = string.format("traceparent: 00-%08x%08x%08x%08x-%08x%08x-01\r\n", math.random(1, 0x7fffffff),
                           math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), math.random(0, 0x7fffffff),
                           math.random(1, 0x7fffffff), math.random(0, 0x7fffffff))
  return r:gsub("\r\n", "\r\n" .. tp, 1)
end
C.install("getitem_traced")
C.init(function() C.fill(function() return C.get_req(C.rand_kv()) end) end)
