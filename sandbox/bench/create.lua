-- POST /api/v1/invoices, each with a unique reference (RUN, thread, counter); the ids of
-- the created invoices are written to IDS_FILE (one a line) for pay.lua.
dofile(assert(os.getenv("BENCH_DIR"), "BENCH_DIR is not set") .. "/common.lua")

function init(args)
  ids = {}
  n = 0
  prefix = string.format("B%s-%d-", os.getenv("RUN") or "0", tid)
end

function request()
  n = n + 1
  -- The seed's own request shape: amountUsdt a JSON number with 4 decimals at most.
  local body = string.format(
    '{"amountUsdt":10.5,"assetCode":"USDT_TRC20","reference":"%s%d","expirySeconds":7200}',
    prefix, n)
  return wrk.format("POST", "/api/v1/invoices", nil, body)
end

function response(status, headers, body)
  if status == 201 then
    local id = body:match('"id":"([^"]+)"')
    if id then
      ids[#ids + 1] = id
    end
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(assert(os.getenv("IDS_FILE")), "w"))
  for _, t in ipairs(all_threads()) do
    for _, id in ipairs(t:get("ids")) do
      out:write(id, "\n")
    end
  end
  out:close()
  report("create", summary, latency)
end
