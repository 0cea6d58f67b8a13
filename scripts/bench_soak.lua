-- wrk script of `pulseone bench --soak`: the requests of bench_requests.lua (bookings and reads),
-- and every place booked is cancelled again by the doctor at once (the thread's next request), so
-- the occurrences never fill however long the soak runs. The doctor's token comes third after `--`.

dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "bench_requests.lua")

local load_requests = init
local replay = request
local booked = {}

function init(args)
  load_requests(args)
  cancel_headers = {["authorization"] = "Bearer " .. args[3], ["content-type"] = "application/json"}
end

function response(status, headers, body)
  -- A booking answers with the appointment, its id first; reads and cancellations do not match.
  if status == 200 and body:find('"status":"BOOKED"', 1, true) then
    table.insert(booked, body:match('^{"id":"([%x%-]+)"'))
  end
end

function request()
  local id = table.remove(booked)
  if id then
    return wrk.format("POST", "/api/appointments/" .. id .. "/cancel", cancel_headers, '{"reason":"soak"}')
  end
  return replay()
end
