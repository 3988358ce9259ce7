// Without a development switch (--mcp-allow-anonymous, --conformance-fixtures) /mcp needs credentials: a client without
// them gets 401 and a WWW-Authenticate challenge pointing at the protected-resource metadata (RFC 9728, which the MCP
// authorization spec requires).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeExit, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 60000 };

describe('/mcp without credentials', { timeout: 120000 }, () => {
  let server;

  before(async () => {
    server = await startServer({ mode: 'none' });
  });

  after(async () => {
    await server?.stop();
  });

  it('answers 401 with a Bearer challenge carrying resource_metadata', TEST_TIMEOUT, async () => {
    const response = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    const body = await response.text();
    assert.equal(response.status, 401, body);
    const challenge = response.headers.get('www-authenticate');
    assert.ok(challenge, 'no WWW-Authenticate header');
    assert.match(challenge, /^Bearer\b/i);
    const m = /resource_metadata="([^"]+)"/.exec(challenge);
    assert.ok(m, `no resource_metadata= in ${challenge}`);
    const url = new URL(m[1]); // throws unless absolute
    assert.ok(url.pathname.startsWith('/.well-known/oauth-protected-resource'), m[1]);
  });

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
