-- wrk script of the bench's API pass (bench/api.py).
-- Request: BENCH_METHOD (default GET) and BENCH_BODY (a JSON body, sent with Content-Type
-- application/json) from the environment; the Authorization header comes from wrk's -H, or
-- from BENCH_TARGETS: a file of "<token> <path>" lines, which the requests take in turn (each
-- thread from its own starting line), so that one endpoint is called as many people.
-- BENCH_SINGLE_USE=1 (the PUT mix: a first answer can be sent once): each of the BENCH_THREADS
-- threads walks its own share of the lines, once; a request past the end of its share calls a
-- line again and is counted in "reused", which bench/api.py reports as errors.
-- Report: one line "BENCH_JSON {...}" with counts and latency percentiles in microseconds,
-- which bench/api.py parses (wrk's own --latency table stops at p99 and has no p95).

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local targets_file = os.getenv("BENCH_TARGETS")
local single_use = os.getenv("BENCH_SINGLE_USE") == "1"
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "2")

wrk.method = method
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local threads = {}
function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

-- The requests are formatted once, in init: a per-request format would cost wrk CPU that the
-- server under test shares.
local requests = {}
local next_request = 1
local first_request, last_request = 1, 0
reused = 0

function init(args)
  if not targets_file or targets_file == "" then
    return
  end
  for line in io.lines(targets_file) do
    local token, path = line:match("^(%S+)%s+(%S+)")
    if token then
      local headers = {}
      for name, value in pairs(wrk.headers) do
        headers[name] = value
      end
      headers["Authorization"] = "Token " .. token
      table.insert(requests, wrk.format(nil, path, headers))
    end
  end
  if single_use then
    -- This thread's share of the lines, each called once.
    local share = math.floor(#requests / thread_count)
    first_request = (thread_index or 0) * share + 1
    last_request = first_request + share - 1
    next_request = first_request
    return
  end
  -- Threads start half the list apart, so that they do not call as the same person at once.
  next_request = ((thread_index or 0) * math.floor(#requests / 2)) % #requests + 1
end

if targets_file and targets_file ~= "" then
  if single_use then
    request = function()
      if next_request > last_request then
        next_request = first_request
        reused = reused + 1
      elseif reused > 0 then
        reused = reused + 1
      end
      local formatted = requests[next_request]
      next_request = next_request + 1
      return formatted
    end
  else
    request = function()
      local formatted = requests[next_request]
      next_request = next_request % #requests + 1
      return formatted
    end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local reused_requests = 0
  for _, thread in ipairs(threads) do
    reused_requests = reused_requests + (thread:get("reused") or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "non_2xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f, "reused": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean, reused_requests))
end
