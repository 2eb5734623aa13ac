-- wrk script of the bench's API pass (bench/api.py).
-- Request: BENCH_METHOD (default GET) and BENCH_BODY (a JSON body, sent with Content-Type
-- application/json) from the environment; the Authorization header comes from wrk's -H.
-- Report: one line "BENCH_JSON {...}" with counts and latency percentiles in microseconds,
-- which bench/api.py parses (wrk's own --latency table stops at p99 and has no p95).

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")

wrk.method = method
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "non_2xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
