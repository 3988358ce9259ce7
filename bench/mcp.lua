-- wrk script for `bench/run.sh mcp`: one 2026-07-28 stateless MCP request, POSTed to /mcp over keep-alive
-- connections. The request is fixed, so wrk builds it once and the script costs nothing per request.
--
--   wrk -t2 -c64 -d10s --latency -s bench/mcp.lua http://127.0.0.1:PORT/mcp -- list|call
--
-- list: tools/list.  call: tools/call get_connection_status with no arguments.
--
-- Check mode, `-- list|call check FILE` (run with -t1 -c1 -d1s): writes the HTTP status and body of the first
-- reply to FILE and stops; bench/run.sh then verifies it is a JSON-RPC result, not an error, so the exact bytes
-- wrk sends are what gets checked. Load runs define no response() callback, so wrk does no per-reply Lua work.

local meta = '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
  .. '"io.modelcontextprotocol/clientCapabilities":{}}'

local requests = {
  list = {
    method = "tools/list",
    body = '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{' .. meta .. '}}',
  },
  call = {
    method = "tools/call",
    name = "get_connection_status",
    body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_connection_status",'
      .. '"arguments":{},' .. meta .. '}}',
  },
}

function init(args)
  local r = requests[args[1] or ""]
  if r == nil then
    io.stderr:write("mcp.lua: first script argument must be 'list' or 'call'\n")
    os.exit(2)
  end
  wrk.method = "POST"
  wrk.body = r.body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
  wrk.headers["Mcp-Method"] = r.method
  if r.name then wrk.headers["Mcp-Name"] = r.name end
  -- `bench/run.sh auth` sends credentials: MCP_AUTH_HEADER="Name: value" (e.g. "X-API-Key: pk_live_...").
  local auth = os.getenv("MCP_AUTH_HEADER")
  if auth and auth ~= "" then
    local name, value = auth:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
  if args[2] == "check" then
    local path, written = args[3], false
    -- Defined here, before wrk asks whether the script wants replies, so only check runs parse bodies.
    response = function(status, headers, body)
      if written then return end
      written = true
      local f = assert(io.open(path, "w"))
      f:write(status, "\n", body or "")
      f:close()
      wrk.thread:stop()
    end
  end
end
