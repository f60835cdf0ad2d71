-- wrk's done() hook: one JSON line with what its text report lacks (p95, the error counts).
-- Latencies are in microseconds, the duration too. bench/common.py reads the line.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"wrk_report": 1, "requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"p50_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, "max_us": %.0f, '
      .. '"errors_connect": %d, "errors_read": %d, "errors_write": %d, '
      .. '"errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
