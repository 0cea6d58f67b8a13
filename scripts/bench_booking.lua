-- wrk script of `pulseone bench`: REST bookings through the gateway, each a different patient's
-- place. The bench writes one line per place ("token<TAB>sessionId<TAB>date") and passes the file's
-- path after `--`; each wrk thread takes every n-th line, so no place is asked for twice. The summary
-- is printed as one JSON line for the bench to read.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local count = tonumber(args[2])
  requests = {}
  local n = 0
  for line in io.lines(path) do
    if n % count == id then
      local token, session, day = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
      local body = string.format('{"sessionId":"%s","appointmentDate":"%s","appointmentType":"VIRTUAL"}', session, day)
      local headers = {["content-type"] = "application/json", ["authorization"] = "Bearer " .. token}
      table.insert(requests, wrk.format("POST", "/api/appointments", headers, body))
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
