-- wrk script: achievements(first: 20, filter: {industry: …}) rotating over GB/T 4754 divisions.
-- WITH_COUNT=1 also asks for totalCount. Counts GraphQL error responses and reports them.
local divisions = { "C38", "C14", "C27", "D44", "I65", "C26", "C32", "C31" }
local with_count = os.getenv("WITH_COUNT") == "1"
local i = 0
errors = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
end

function request()
  i = i + 1
  local d = divisions[(i % #divisions) + 1]
  local count = with_count and "totalCount " or ""
  local body = '{"query":"{ achievements(first: 20, filter: {industry: \\"' .. d .. '\\"}) { ' .. count ..
    'pageInfo { hasNextPage endCursor } edges { node { id title maturity organisation { nameZh } } } } }"}'
  return wrk.format("POST", "/graphql", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do
    e = e + (t:get("errors") or 0)
  end
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f graphql_errors=%d socket_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
