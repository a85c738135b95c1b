-- BatchExecuteStatement of 25 PartiQL UPDATEs on distinct random items of bench_kv (the shared
-- harness's kv table, every item loaded by its setup.py): a request is 25 writes, as batchwrite25's.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(dir .. "transact_common.lua")
C.batch25("batchexec25", "BatchExecuteStatement",
  function(k, i) return string.format([[{"Statement":"UPDATE bench_kv SET v = 'b%d' WHERE pk = 'user#%d'"}]], k, i) end,
  function(list) return '{"Statements":[' .. list .. ']}' end)
