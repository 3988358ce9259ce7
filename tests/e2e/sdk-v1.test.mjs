// The official TypeScript SDK v1 client (@modelcontextprotocol/sdk 1.x: Client + StreamableHTTPClientTransport) on the
// 2025-11-25 revision, with an initialize handshake and an Mcp-Session-Id session, against the real server started with
// the conformance fixtures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { defineCommonClientTests, TEST_TIMEOUT, textOf } from './lib/client-tests.mjs';
import { describeExit, startServer } from './lib/server.mjs';

describe('SDK v1 client, protocol 2025-11-25 (sessions)', { timeout: 240000 }, () => {
  let server;
  let client;
  let transport;
  const elicitations = [];

  before(async () => {
    server = await startServer({ mode: 'fixtures' });
    client = new Client({ name: 'pierre-e2e-sdk-v1', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicitations.push(request.params);
      return { action: 'accept', content: { username: 'e2e-runner', email: 'e2e-runner@example.com' } };
    });
    transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl));
    await client.connect(transport);
  });

  after(async () => {
    await client?.close().catch(() => {});
    await server?.stop();
  });

  it('initializes a 2025-11-25 session', TEST_TIMEOUT, () => {
    assert.equal(transport.protocolVersion, '2025-11-25');
    assert.ok(transport.sessionId, 'the server issued no Mcp-Session-Id');
    assert.equal(client.getServerVersion()?.name, 'pierre-mcp-server');
    const caps = client.getServerCapabilities();
    assert.ok(caps?.tools && caps?.resources && caps?.prompts, `capabilities: ${JSON.stringify(caps)}`);
  });

  defineCommonClientTests({
    client: () => client,
    server: () => server,
    // v1 takes the result schema before the request options; an abort sends notifications/cancelled.
    callTool: (params, options) => client.callTool(params, CallToolResultSchema, options),
    expectedTools: ['test_elicitation'],
  });

  it('answers a server→client elicitation request from test_elicitation', TEST_TIMEOUT, async () => {
    const result = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who runs this test?' } });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(elicitations.length, 1, 'the elicitation handler was not called exactly once');
    assert.equal(elicitations[0].message, 'Who runs this test?');
    assert.equal(elicitations[0].requestedSchema?.type, 'object');
    const text = textOf(result);
    assert.ok(text.includes('accept') && text.includes('e2e-runner@example.com'), `tool result: ${text}`);
  });

  it('terminates the session; the session id is then unknown', TEST_TIMEOUT, async () => {
    const sessionId = transport.sessionId;
    await transport.terminateSession();
    assert.equal(transport.sessionId, undefined);
    // The SDK has dropped the session: the next request is refused.
    await assert.rejects(client.listTools());
    // Reusing the terminated id directly gets 404, as the spec requires.
    const response = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    assert.equal(response.status, 404, await response.text());
  });

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    await client.close();
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
