-- The mix (bench/mix.py): each request is a (cookie, path) pair picked at random from a file
-- of tab-separated lines, so many signed-in people open many distinct pages at once.
--   wrk -t2 -c8 -d20s --latency -s bench/wrk_mix.lua http://127.0.0.1:8810 -- pairs.tsv SEED
-- Prints latency percentiles (microseconds) and the answers other than 200 (a 302 to the
-- sign-in page counts as an error: wrk itself only counts statuses above 399).
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  pairs_list = {}
  for line in io.lines(args[1]) do
    local cookie, path = line:match("^([^\t]*)\t(.+)$")
    if path then
      pairs_list[#pairs_list + 1] = {cookie, path}
    end
  end
  math.randomseed(tonumber(args[2] or "9") * 1000 + id)
  non200, redirects, server_errors = 0, 0, 0
end

function request()
  local pick = pairs_list[math.random(#pairs_list)]
  -- the agent the people's browsers signed in with (bench/mix.py USER_AGENT)
  local headers = {["Accept-Encoding"] = "gzip", ["User-Agent"] = "bench-mix/1.0"}
  if pick[1] ~= "" then
    headers["Cookie"] = pick[1]
  end
  return wrk.format("GET", pick[2], headers)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if status >= 300 and status < 400 then
      redirects = redirects + 1
    elseif status >= 500 then
      server_errors = server_errors + 1
    end
  end
end

function done(summary, latency, requests)
  local bad, moved, failed = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
    moved = moved + thread:get("redirects")
    failed = failed + thread:get("server_errors")
  end
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("BENCH p%d %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("BENCH requests %d\n", summary.requests))
  io.write(string.format("BENCH duration_us %d\n", summary.duration))
  io.write(string.format("BENCH non200 %d\n", bad))
  io.write(string.format("BENCH redirects %d\n", moved))
  io.write(string.format("BENCH server_errors %d\n", failed))
  local e = summary.errors
  io.write(string.format("BENCH socket_errors %d\n", e.connect + e.read + e.write))
  io.write(string.format("BENCH timeouts %d\n", e.timeout))
end
