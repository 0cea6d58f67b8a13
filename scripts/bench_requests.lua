-- wrk script of `pulseone bench`: replays prepared requests through the gateway. The bench writes one
-- request a line, "METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY" (TOKEN and BODY may be empty; a BODY is JSON),
-- and passes the file's path and wrk's thread count after `--`. Each thread takes every n-th line and
-- cycles through its share, so a file with as many lines as the run needs asks for nothing twice.
-- The summary is printed as one JSON line for the bench to read.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function prepared(method, path, token, body)
  local headers = {}
  if token ~= "" then
    headers["authorization"] = "Bearer " .. token
  end
  if body == "" then
    body = nil
  else
    headers["content-type"] = "application/json"
  end
  return wrk.format(method, path, headers, body)
end

function init(args)
  local count = tonumber(args[2])
  requests = {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % count == id then
      table.insert(requests, prepared(line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")))
    end
    n = n + 1
  end
  next_request = 0
end

function request()
  next_request = next_request + 1
  return requests[((next_request - 1) % #requests) + 1]
end

function done(summary, latency, requests_done)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
