-- The end-of-run line of the wrk scripts, shared: dofile'd by get.lua and put.lua as their done().
-- "BENCH key=value ...", read by run.sh; errors are wrk's connect, read, write, status (non-2xx/3xx)
-- and timeout counts together.
return function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f bytes=%d mbps=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d\n",
    summary.requests, secs, summary.requests / secs, summary.bytes, summary.bytes / secs / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
