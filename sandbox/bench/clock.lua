-- The peer of the other phases: GET /sandbox/clock, the same server, the same Bearer check
-- and JSON answer, and no SQL: what HTTP alone costs here.
dofile(assert(os.getenv("BENCH_DIR"), "BENCH_DIR is not set") .. "/common.lua")

function request()
  return wrk.format("GET", "/sandbox/clock")
end

function done(summary, latency, requests)
  report("clock", summary, latency)
end
