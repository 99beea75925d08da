-- POST /sandbox/invoices/:id/pay {} (the exact amount, confirmed) over the ids in IDS_FILE,
-- thread k of n taking ids k, k+n, ...; each invoice is paid once unless the run outlasts
-- the ids (then `wrapped` counts the second passes, which pay an invoice again).
dofile(assert(os.getenv("BENCH_DIR"), "BENCH_DIR is not set") .. "/common.lua")

local threads = tonumber(os.getenv("THREADS") or "1")

function init(args)
  ids = {}
  for line in io.lines(assert(os.getenv("IDS_FILE"))) do
    ids[#ids + 1] = line
  end
  assert(#ids >= threads, "too few invoice ids to pay")
  i = tid - threads
  wrapped = 0
end

function request()
  i = i + threads
  if i > #ids then
    i = tid
    wrapped = wrapped + 1
  end
  return wrk.format("POST", "/sandbox/invoices/" .. ids[i] .. "/pay", nil, "{}")
end

function done(summary, latency, requests)
  local w = 0
  for _, t in ipairs(all_threads()) do
    w = w + t:get("wrapped")
  end
  report("pay", summary, latency)
  io.write(string.format("WRAPPED %d\n", w))
end
