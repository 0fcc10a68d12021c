-- wrk script: resolves achievements by global id, rotating over the ids in $IDS_FILE (one per
-- line). MODE=achievement asks `achievement(id)` (counts a page view), MODE=node asks `node(id)`
-- (same lookup, no count), so the difference is the cost of counting.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local mode = os.getenv("MODE") or "achievement"
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
  local id = ids[(i % #ids) + 1]
  local q
  if mode == "node" then
    q = '{ node(id: \\"' .. id .. '\\") { ... on Achievement { title } } }'
  else
    q = '{ achievement(id: \\"' .. id .. '\\") { title } }'
  end
  return wrk.format("POST", "/graphql", { ["Content-Type"] = "application/json" }, '{"query":"' .. q .. '"}')
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
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f graphql_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, e))
end
