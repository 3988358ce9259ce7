// The official TypeScript SDK v1 client (@modelcontextprotocol/sdk 1.x: Client + StreamableHTTPClientTransport) on the
// 2025-11-25 revision, with an initialize handshake and an Mcp-Session-Id session, against the real server started with
// the conformance fixtures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describeExit, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 60000 };

function textOf(result) {
  return result.content.filter((b) => b.type === 'text').map((b) => b.text).join('\n');
}

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

  it('lists tools, resources and prompts', TEST_TIMEOUT, async () => {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ['test_simple_text', 'get_connection_status', 'test_elicitation', 'slow_compute']) {
      assert.ok(tools.includes(name), `tools/list lacks ${name}: ${tools.join(', ')}`);
    }
    const resources = (await client.listResources()).resources.map((r) => r.uri);
    assert.ok(resources.includes('test://static-text'), `resources/list: ${resources.join(', ')}`);
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    assert.ok(prompts.includes('test_simple_prompt'), `prompts/list lacks test_simple_prompt: ${prompts.join(', ')}`);
  });

  it('calls test_simple_text', TEST_TIMEOUT, async () => {
    const result = await client.callTool({ name: 'test_simple_text' });
    assert.notEqual(result.isError, true);
    assert.equal(textOf(result), 'This is a simple text response for testing.');
  });

  it('calls get_connection_status and gets structured content for the three providers', TEST_TIMEOUT, async () => {
    const result = await client.callTool({ name: 'get_connection_status', arguments: {} });
    assert.notEqual(result.isError, true, textOf(result));
    const providers = result.structuredContent?.providers;
    assert.ok(Array.isArray(providers), `structuredContent: ${JSON.stringify(result.structuredContent)}`);
    assert.equal(providers.length, 3);
  });

  it('receives progress notifications from test_tool_with_progress', TEST_TIMEOUT, async () => {
    const progress = [];
    const result = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p),
    });
    assert.notEqual(result.isError, true, textOf(result));
    assert.ok(progress.length >= 3, `expected ≥3 progress notifications, got ${JSON.stringify(progress)}`);
    for (let i = 1; i < progress.length; ++i) {
      assert.ok(progress[i].progress >= progress[i - 1].progress, `progress decreased: ${JSON.stringify(progress)}`);
    }
  });

  it('cancels a long tool call (notifications/cancelled) and the session stays usable', TEST_TIMEOUT, async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(
      client.callTool({ name: 'slow_compute', arguments: { seconds: 10 } }, CallToolResultSchema, {
        signal: controller.signal,
      }),
      (err) => {
        assert.ok(controller.signal.aborted, `the call failed before it was aborted: ${err}`);
        return true;
      },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 3000, `the aborted call took ${elapsed} ms to reject`);
    const result = await client.callTool({ name: 'test_simple_text' });
    assert.equal(textOf(result), 'This is a simple text response for testing.');
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

  it('reads a templated resource', TEST_TIMEOUT, async () => {
    const result = await client.readResource({ uri: 'test://template/42/data' });
    assert.equal(result.contents.length, 1);
    assert.equal(result.contents[0].uri, 'test://template/42/data');
    assert.equal(JSON.parse(result.contents[0].text).id, '42');
  });

  it('gets a prompt with arguments', TEST_TIMEOUT, async () => {
    const result = await client.getPrompt({
      name: 'test_prompt_with_arguments',
      arguments: { arg1: 'first-value', arg2: 'second-value' },
    });
    const text = JSON.stringify(result.messages);
    assert.ok(text.includes('first-value') && text.includes('second-value'), text);
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
