-- wrk script for bench/replicas.sh: a mixed read workload of GraphQL POSTs, as the public.
-- Per 10 requests: 3 searches (rotating Chinese terms, 2 facets, 20 hits), 3 filtered listings
-- (achievements(first: 20, filter: {industry})), 3 detail reads (achievement(id) with its
-- organisation and patents), 1 matching (matchesForNeed(needId, first: 10)). Ids come from
-- IDS_FILE (lines "A <global id>" / "N <global id>", written by the script). Counts non-200
-- answers and GraphQL errors and reports them.
local terms = { "电池", "稀土", "羊绒", "光伏", "乳制品", "煤化工", "蒙药", "风电", "马铃薯", "氢能" }
local divisions = { "C38", "C14", "C27", "D44", "I65", "C26", "C32", "C31" }
local achievements, needs = {}, {}
for line in io.lines(os.getenv("IDS_FILE")) do
  local kind, id = string.match(line, "^(%a) (%S+)$")
  if kind == "A" then table.insert(achievements, id) elseif kind == "N" then table.insert(needs, id) end
end
local i = 0
errors = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  i = math.random(1, 1000)
end

local function post(query)
  return wrk.format("POST", "/graphql", { ["Content-Type"] = "application/json" }, '{"query":"' .. query .. '"}')
end

function request()
  i = i + 1
  local k = i % 10
  if k < 3 then
    local t = terms[(i % #terms) + 1]
    return post('{ search(query: \\"' .. t .. '\\", facets: [TYPE, MATURITY], first: 20) { totalCount ' ..
      'facets { facet values { value count } } edges { node { score achievement { id title } } } } }')
  elseif k < 6 then
    local d = divisions[(i % #divisions) + 1]
    return post('{ achievements(first: 20, filter: {industry: \\"' .. d .. '\\"}) { ' ..
      'pageInfo { hasNextPage endCursor } edges { node { id title maturity organisation { nameZh } } } } }')
  elseif k < 9 then
    local id = achievements[(i * 7919 % #achievements) + 1]
    return post('{ achievement(id: \\"' .. id .. '\\") { id title summary maturity transferModes ' ..
      'organisation { nameZh } patents { applicationNumber } } }')
  else
    local id = needs[(i * 104729 % #needs) + 1]
    return post('{ matchesForNeed(needId: \\"' .. id .. '\\", first: 10) { reason ' ..
      'matches { score achievement { id title } explanation { summary } } } }')
  end
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
