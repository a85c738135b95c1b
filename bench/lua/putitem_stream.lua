-- PutItem on bench_stream (a NEW_AND_OLD_IMAGES stream; bench/setup_streams.py): every write
-- overwrites a loaded item, so it records both images.  Counterpart: putitem_nostream.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "stream_common.lua")
C.install("putitem_stream")
C.init(function() C.fill(function() return C.stream_put_req("bench_stream", C.rand_kv()) end) end)
