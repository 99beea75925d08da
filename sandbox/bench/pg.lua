-- wrk script for sandbox/bench/pg.sh: invoice creations (mode "create") or simulated
-- partial payments on a fixed set of invoices (mode "pay"). Every request is unique
-- (reference / txId carry the instance prefix, the thread and a counter), so no answer
-- is a 409 or a repeat. `done` prints one RESULT line pg.sh parses.
--   wrk ... -s pg.lua -- MODE PREFIX KEY [IDS_FILE]

local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
  table.insert(threads, thread)
end

local mode, prefix, key
local ids = {}
local counter = 0

function init(args)
  mode, prefix, key = args[1], args[2], args[3]
  if mode == "pay" then
    for line in io.lines(args[4]) do
      if #line > 0 then table.insert(ids, line) end
    end
  end
end

function request()
  counter = counter + 1
  local headers = {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }
  if mode == "create" then
    local body = string.format(
      '{"amountUsdt": "10.5", "assetCode": "USDT_TRC20", "reference": "B%s-%d-%d"}',
      prefix, tid, counter)
    return wrk.format("POST", "/api/v1/invoices", headers, body)
  end
  local id = ids[(counter * 7 + tid) % #ids + 1]
  local body = string.format('{"amount": "0.0001", "txId": "p%s-%d-%d"}', prefix, tid, counter)
  return wrk.format("POST", "/sandbox/invoices/" .. id .. "/pay", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f socket_errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
