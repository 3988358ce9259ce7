-- `bench/run.sh oauth`, step 2: the refresh_token grant under load. Refresh tokens rotate on every use, so each
-- wrk thread keeps a queue of live tokens: request() takes one, response() puts back the rotated one it received.
-- The token file (from flow.mjs) holds the client id on its first line, then one refresh token per line; threads
-- share the tokens round-robin. Any non-200 reply is counted and printed at the end (the run is then invalid).
--
--   wrk -t2 -c32 -d10s -s bench/oauth/refresh.lua http://127.0.0.1:PORT/oauth2/token -- TOKENS_FILE THREADS
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  nthreads = tonumber(args[2] or "1")
  client_id = file:read("*l")
  queue = {}
  local n = 0
  for line in file:lines() do
    n = n + 1
    -- `index` and the thread count partition the tokens so no two threads hold the same one.
    if line ~= "" and (n % nthreads) == (index - 1) then
      table.insert(queue, line)
    end
  end
  file:close()
  failures = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  local token = table.remove(queue, 1)
  if token == nil then return wrk.format("GET", "/health") end  -- starved: cannot happen with a token per connection
  return wrk.format("POST", nil, nil, "grant_type=refresh_token&client_id=" .. client_id .. "&refresh_token=" .. token)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    return
  end
  local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if token then table.insert(queue, token) else failures = failures + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("failures") or 0) end
  io.write(string.format("refresh failures: %d\n", total))
end
