-- Writes for wrk: many makers of many organizations, each creating a
-- commitment and then submitting it, over and over; both requests count.
--
-- MAKERS_FILE holds one maker a line: "ORGANIZATION_ID TOKEN COALITION",
-- signed in beforehand. wrk keeps one Lua state per thread, shared by that
-- thread's connections, so a maker cannot be tied to a connection: each
-- thread instead takes the makers in turn for its creations (thread t of T
-- takes makers t, t + T, t + 2T, …), keeps the commitments it created in a
-- queue, and submits them as their makers (found by the organization in the
-- answer). Every maker writes, whatever the number of threads.
local makers = {}
for line in io.lines(os.getenv("MAKERS_FILE")) do
  local organization, token, coalition = string.match(line, "^(%S+) (%S+) (%S+)$")
  if organization then
    makers[#makers + 1] = { organization = organization, token = token, coalition = coalition }
  end
end

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  by_organization = {}
  for _, maker in ipairs(makers) do by_organization[maker.organization] = maker end
  -- This thread's makers.
  mine = {}
  local total = tonumber(os.getenv("WRK_THREADS") or "2")
  for i = id, #makers, total do mine[#mine + 1] = makers[i] end
  if #mine == 0 then mine = makers end
  turn = 0
  created = {}
  sequence = 0
  failures = 0
end

local body = [[{"coalition": "%s", "action_areas": [1], "title": "Benchmark commitment %d",
"description": "Written by the benchmark to measure writes.", "types": ["programmatic"],
"pledge": {"amount": "1000.00", "currency": "USD"}, "countries": ["KH"], "regions": [],
"start_year": 2024, "end_year": 2025, "partners": [], "target_groups": ["Young women"],
"indicators": [{"name": "People reached", "unit": "people", "baseline": 0, "target": 100}]}]]

local function headers_of(maker)
  return { ["Authorization"] = "Bearer " .. maker.token, ["Content-Type"] = "application/json" }
end

function request()
  local pending = table.remove(created, 1)
  if pending then
    local headers = headers_of(pending.maker)
    headers["If-Match"] = '"' .. pending.version .. '"'
    return wrk.format("POST", "/api/v1/commitments/" .. pending.id .. "/submit", headers, "{}")
  end
  turn = turn % #mine + 1
  local maker = mine[turn]
  sequence = sequence + 1
  return wrk.format("POST", "/api/v1/commitments", headers_of(maker),
    string.format(body, maker.coalition, sequence))
end

function response(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"id":"([^"]+)"')
    local version = string.match(body, '"version":(%d+)')
    local organization = string.match(body, '"organization":{"id":"([^"]+)"')
    local maker = organization and by_organization[organization]
    if id and version and maker then
      created[#created + 1] = { id = id, version = version, maker = maker }
    end
  elseif status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("failures") or 0) end
  io.write(string.format("write failures: %d, makers: %d\n", failed, #makers))
end
