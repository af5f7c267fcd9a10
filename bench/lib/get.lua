-- wrk script: GET a random key from a list, on every request.
-- usage: wrk ... -s get.lua URL -- KEYS_FILE PATH_PREFIX [PATH_SUFFIX] [AUTH_HEADER_VALUE]
-- Prints one machine-readable line at the end: "BENCH key=value ..." (read by run.sh).
local keys = {}
local prefix, suffix
local headers = {}

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    if #line > 0 then keys[#keys + 1] = line end
  end
  f:close()
  prefix = args[2]
  suffix = args[3] or ""
  if args[4] and #args[4] > 0 then headers["Authorization"] = args[4] end
  -- each thread its own sequence
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function request()
  local key = keys[math.random(#keys)]
  return wrk.format("GET", prefix .. key .. suffix, headers)
end

-- the BENCH line, shared with the other wrk scripts (report.lua beside this file)
done = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "report.lua")
