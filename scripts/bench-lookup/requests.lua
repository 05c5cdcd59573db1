-- wrk script for scripts/bench lookup. Prints one JSON line in medtrail load's format.
--   wrk ... -s requests.lua URL -- codes FILE PREFIX   GET PREFIX..<a random line of FILE>
--   wrk -tT ... -s requests.lua URL -- signed FILE T  each line "METHOD\tTARGET\tAUTH\tBODY"
--                                                     (lookup_bench sign) sent once, lines dealt
--                                                     round-robin to the threads
-- LOOKUP_DELAY_MS (fractional) paces each connection: that long between a response and the
-- next request (wrk's delay(), whole milliseconds: the fraction is dithered).
-- LOOKUP_CLIENTS=N (codes mode) sends each request as a proxy would, for one of N clients:
-- X-Forwarded-For 10.x.y.z, a random one of 10.0.0.0 .. 10.0.0.0 + N - 1 (scripts/bench abuse).

local delay_ms = tonumber(os.getenv("LOOKUP_DELAY_MS") or "")
local clients = tonumber(os.getenv("LOOKUP_CLIENTS") or "")
if delay_ms then
  function delay()
    local whole = math.floor(delay_ms)
    return whole + ((math.random() < delay_ms - whole) and 1 or 0)
  end
end

-- Main state: thread ids 0..n-1 (wrk calls setup for a thread just before its init, so the
-- count of threads comes as an argument).
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- Thread state.
local mode, lines, prefix, next_line = nil, {}, "", 1
exhausted = false  -- global: done() reads it from every thread

function init(args)
  mode = args[1]
  math.randomseed(os.time() * 1000 + id)
  if mode == "codes" then
    for line in io.lines(args[2]) do lines[#lines + 1] = line end
    prefix = args[3] or ""
  elseif mode == "signed" then
    local threads, n = tonumber(args[3] or "1"), 0
    for line in io.lines(args[2]) do
      if n % threads == id then
        local method, target, auth, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
        local headers = {}
        if auth ~= "" then headers["Authorization"] = auth end
        if body ~= "" then headers["Content-Type"] = "application/json" end
        lines[#lines + 1] = wrk.format(method, target, headers, body ~= "" and body or nil)
      end
      n = n + 1
    end
  else
    error("mode is codes or signed")
  end
  if #lines == 0 then error("no requests in " .. args[2]) end
end

function request()
  if mode == "codes" then
    local path = prefix .. lines[math.random(#lines)]
    if not clients then return wrk.format("GET", path) end
    local i = math.random(clients) - 1
    local client = string.format("10.%d.%d.%d", math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256)
    return wrk.format("GET", path, {["X-Forwarded-For"] = client})
  end
  local r = lines[next_line]
  next_line = next_line + 1
  if next_line > #lines then
    -- Replays from here on (a query answered 401, a record as a duplicate): the run is void,
    -- and done() says so.
    next_line, exhausted = 1, true
  end
  return r
end

function done(summary, latency, requests)
  local ran_out = false
  for _, t in ipairs(threads) do ran_out = ran_out or t:get("exhausted") end
  local e = summary.errors
  local ok = summary.requests - e.status
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"exhausted":%s,"records":%d,"committed":%d,"errors":{"non2xx":%d,"connect":%d,' ..
    '"read":%d,"write":%d,"timeout":%d},"seconds":%.3f,"records_per_s":%.3f,"bytes":%d,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    tostring(ran_out), summary.requests, ok, e.status, e.connect, e.read, e.write, e.timeout, seconds,
    ok / seconds, summary.bytes, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
