-- printed after wrk's own report: latency percentiles in microseconds, for bench/load.py
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("BENCH p%d %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("BENCH requests %d\n", summary.requests))
  io.write(string.format("BENCH non2xx %d\n", summary.errors.status))
  io.write(string.format("BENCH timeouts %d\n", summary.errors.timeout))
end
