-- wrk script for bench/auth.sh: one light query, `{ organisation(key: "imu") { nameZh } viewer { role } }`,
-- sent anonymously, with `Authorization: Bearer $TOKEN`, or with the session cookie `$COOKIE` and
-- `X-CSRF-Token: $CSRF`. Counts non-200 and GraphQL error responses and reports them.
local token = os.getenv("TOKEN")
local cookie = os.getenv("COOKIE")
local csrf = os.getenv("CSRF")
errors = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
end

local headers = { ["Content-Type"] = "application/json" }
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
if cookie and cookie ~= "" then
  headers["Cookie"] = "thub_session=" .. cookie
  headers["X-CSRF-Token"] = csrf
end
local body = '{"query":"{ organisation(key: \\"imu\\") { nameZh } viewer { role } }"}'

function request()
  return wrk.format("POST", "/graphql", headers, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do errs = errs + t:get("errors") end
  io.write(string.format("RESULT req/s=%.0f p50=%.2fms p99=%.2fms requests=%d errors=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, errs, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
