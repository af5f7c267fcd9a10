-- wrk script for row 5: POST /v1/cache with a prebuilt multipart body (run.sh writes it).
-- BD_BODY: path of the body file; BD_BOUNDARY: the multipart boundary used in it.
local f = assert(io.open(os.getenv("BD_BODY"), "rb"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. os.getenv("BD_BOUNDARY")

-- run.sh checks before and after that the same request answers "cache_hit":true, and wrk
-- reports any non-2xx answer.
