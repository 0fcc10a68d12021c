-- wrk script for bench/search.sh: `search(query, facets: [TYPE, INDUSTRY_SECTION, MATURITY],
-- first: 20)` rotating over the queries of bench/search_queries.txt with TERMS terms.
-- Counts GraphQL error responses and reports them.
local terms = os.getenv("TERMS") or "1"
local queries = {}
for line in io.lines("bench/search_queries.txt") do
  local n, q = string.match(line, "^(%d)\t(.+)$")
  if n == terms then table.insert(queries, q) end
end
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
  local q = queries[(i % #queries) + 1]
  local body = '{"query":"{ search(query: \\"' .. q .. '\\", facets: [TYPE, INDUSTRY_SECTION, MATURITY], first: 20) { ' ..
    'totalCount facets { facet values { value count } } edges { node { score highlights { field snippet } achievement { id title } } } } }"}'
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
