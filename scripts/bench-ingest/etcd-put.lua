-- wrk script: etcd v3 puts through the HTTP/JSON gateway (POST /v3/kv/put), one distinct key
-- per request, a 400-byte value; wrk threads are spread over the members listed in
-- ETCD_ENDPOINTS ("host:port,host:port,..."). Prints one JSON line in medtrail load's format.
--   ETCD_ENDPOINTS=... wrk -t4 -c64 -d10s --latency -s etcd-put.lua http://HOST:PORT -- PREFIX [BYTES]

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
  return ((data:gsub(".", function(x)
    local r, b = "", x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#data % 3 + 1])
end

-- Main state: give every thread an id and a member, round-robin.
local next_id = 0
function setup(thread)
  local members = {}
  for hostport in string.gmatch(os.getenv("ETCD_ENDPOINTS") or "", "[^,]+") do
    local host, port = hostport:match("^(.*):(%d+)$")
    table.insert(members, wrk.lookup(host, port)[1])
  end
  if #members > 0 then thread.addr = members[next_id % #members + 1] end
  thread:set("id", next_id)
  next_id = next_id + 1
end

-- Thread state.
local prefix, counter, value_b64 = "bench", 0, nil
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  prefix = (args[1] or "bench") .. "/" .. tostring(id) .. "/"
  local bytes = tonumber(args[2] or "400")
  value_b64 = base64(string.rep("x", bytes))
end

function request()
  counter = counter + 1
  -- Zero-padded so every key has the same length (and so the same base64 cost).
  local key = base64(prefix .. string.format("%012d", counter))
  return wrk.format("POST", "/v3/kv/put", headers,
                    '{"key":"' .. key .. '","value":"' .. value_b64 .. '"}')
end

function done(summary, latency, requests)
  local e = summary.errors
  local ok = summary.requests - e.status
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"mode":"closed","records":%d,"committed":%d,"errors":{"non2xx":%d,"connect":%d,' ..
    '"read":%d,"write":%d,"timeout":%d},"seconds":%.3f,"records_per_s":%.3f,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, ok, e.status, e.connect, e.read, e.write, e.timeout, seconds,
    ok / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
