-- Writes for wrk: each connection is a maker (tokens prepared beforehand,
-- one per line in TOKENS_FILE) who creates a commitment and then submits it,
-- over and over. Both requests count.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local coalitions = {}
for slug in string.gmatch(os.getenv("COALITIONS") or "", "[^,]+") do coalitions[#coalitions + 1] = slug end

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  -- Maker i was accepted into the (i mod 7)th coalition (seed --synthetic).
  local maker = (id - 1) % #tokens
  token = tokens[maker + 1]
  coalition = coalitions[maker % #coalitions + 1]
  pending = nil
  sequence = 0
  failures = 0
end

local body = [[{"coalition": "%s", "action_areas": [1], "title": "Benchmark commitment %d",
"description": "Written by the benchmark to measure writes.", "types": ["programmatic"],
"pledge": {"amount": "1000.00", "currency": "USD"}, "countries": ["KH"], "regions": [],
"start_year": 2024, "end_year": 2025, "partners": [], "target_groups": ["Young women"],
"indicators": [{"name": "People reached", "unit": "people", "baseline": 0, "target": 100}]}]]

function request()
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if pending then
    headers["If-Match"] = '"' .. pending.version .. '"'
    local path = "/api/v1/commitments/" .. pending.id .. "/submit"
    pending = nil
    return wrk.format("POST", path, headers, "{}")
  end
  sequence = sequence + 1
  return wrk.format("POST", "/api/v1/commitments", headers, string.format(body, coalition, sequence))
end

function response(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"id":"([^"]+)"')
    local version = string.match(body, '"version":(%d+)')
    if id and version then pending = { id = id, version = version } end
  elseif status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("failures") or 0) end
  io.write(string.format("write failures: %d\n", failed))
end
