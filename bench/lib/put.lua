-- wrk script: PUT an artifact under a fresh key on every request.
-- usage: wrk ... -s put.lua URL -- ARTIFACT_DIR RUN_ID PATH_PREFIX [PATH_SUFFIX] [AUTH_HEADER_VALUE]
-- ARTIFACT_DIR holds head.prefix, head.suffix and shared.zst (see artifacts.py): the body for
-- key K is prefix .. K .. suffix .. shared, a valid Polykit artifact whose cache_key_hash is K.
-- Every peer gets the same bytes, so all of them move the same amount of data.
-- Keys: RUN_ID (48 hex, unique per run) .. thread (8 hex) .. counter (8 hex).
local head_prefix, head_suffix, shared, run_id, path_prefix, path_suffix
local headers = { ["Content-Type"] = "application/octet-stream" }
thread_no = 0  -- a global: setup() sets it per thread with thread:set
local counter = 0
local threads = 0

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

function init(args)
  head_prefix = slurp(args[1] .. "/head.prefix")
  head_suffix = slurp(args[1] .. "/head.suffix")
  shared = slurp(args[1] .. "/shared.zst")
  run_id = args[2]
  path_prefix = args[3]
  path_suffix = args[4] or ""
  if args[5] and #args[5] > 0 then headers["Authorization"] = args[5] end
end

function request()
  counter = counter + 1
  local key = run_id .. string.format("%08x%08x", thread_no, counter)
  return wrk.format("PUT", path_prefix .. key .. path_suffix, headers,
    head_prefix .. key .. head_suffix .. shared)
end

-- the BENCH line, shared with the other wrk scripts (report.lua beside this file)
done = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "report.lua")
