// Verifies one reply captured by `wrk -s bench/mcp.lua ... -- KIND check FILE` (first line: HTTP status, then the
// body): HTTP 200 and a JSON-RPC result, not an error — tools/list with both tools, tools/call get_connection_status
// with three not_configured providers and no isError. Exit status 0 when it is, 1 (with the reason) when it is not.
//
//   node bench/mcp-ts/check.mjs list|call FILE
import { readFileSync } from 'node:fs';

const [kind, file] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const newline = text.indexOf('\n');
const status = text.slice(0, newline);
const body = text.slice(newline + 1);

function fail(reason) {
  console.error(`${reason}\n${body.slice(0, 2000)}`);
  process.exit(1);
}

if (status !== '200') fail(`HTTP status ${status}, expected 200`);
let reply;
try {
  reply = JSON.parse(body);
} catch (e) {
  fail(`body is not JSON (${e.message}); an SSE or HTML reply is not what the benchmark measures`);
}
if (reply.jsonrpc !== '2.0' || reply.id !== 1) fail('not a JSON-RPC 2.0 reply to id 1');
if (reply.error !== undefined) fail('JSON-RPC error instead of a result');
const result = reply.result;
if (typeof result !== 'object' || result === null) fail('no result object');
if (result.resultType !== 'complete') fail(`resultType is ${result.resultType}, expected complete`);

if (kind === 'list') {
  const names = (result.tools ?? []).map((t) => t.name).sort();
  if (names.join(',') !== 'get_configuration_catalog,get_connection_status') {
    fail(`tools/list lists [${names}], expected get_configuration_catalog and get_connection_status`);
  }
} else if (kind === 'call') {
  if (result.isError === true) fail('tool result has isError: true');
  const providers = result.structuredContent?.providers ?? [];
  const statuses = providers.map((p) => `${p.provider}:${p.status}`).join(',');
  if (statuses !== 'strava:not_configured,garmin:not_configured,fitbit:not_configured') {
    fail(`unexpected providers in structuredContent: [${statuses}]`);
  }
  if (result.structuredContent.connected_count !== 0) fail('connected_count is not 0');
  if (!Array.isArray(result.content) || result.content[0]?.type !== 'text') fail('no text content block');
} else {
  fail(`unknown kind ${kind}`);
}
