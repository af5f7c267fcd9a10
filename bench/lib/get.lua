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

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f bytes=%d mbps=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d\n",
    summary.requests, secs, summary.requests / secs, summary.bytes, summary.bytes / secs / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
