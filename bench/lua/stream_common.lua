-- Shared code of the stream workloads (putitem_stream, putitem_nostream): the shared putitem
-- request (~200 B kv items, random loaded key) on a table of bench/setup_streams.py.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local shared = os.getenv("BENCH_SHARED")
local C = dofile((shared and (shared .. "/lua/") or (dir .. "../../../shared/bench/lua/")) .. "common.lua")

function C.stream_put_req(table_name, i)
  return C.req("PutItem", '{"TableName":"' .. table_name .. '","Item":' .. C.kv_item_json(i) .. '}')
end

return C
