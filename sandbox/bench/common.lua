-- Shared by the wrk scripts of load.sh: the Bearer key and JSON headers, each thread's
-- number, and the one-line result load.sh parses.
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("KEY"), "KEY is not set")
wrk.headers["Content-Type"] = "application/json"

local threads = {}
local count = 0

-- Runs in the main state once per thread, before the thread's init: numbers them 1..n.
function setup(thread)
  count = count + 1
  thread:set("tid", count)
  threads[#threads + 1] = thread
end

function all_threads()
  return threads
end

-- `RESULT <name> requests=.. seconds=.. rps=.. p50_ms=.. p99_ms=.. errors=..`; errors counts
-- non-2xx answers and socket errors (a run with errors is reported, not hidden).
function report(name, summary, latency)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT %s requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    name, summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
