-- PutItem on bench_nostream: the same table and items as putitem_stream, without a stream.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "stream_common.lua")
C.install("putitem_nostream")
C.init(function() C.fill(function() return C.stream_put_req("bench_nostream", C.rand_kv()) end) end)
