// The official TypeScript SDK v2 client (@modelcontextprotocol/client), pinned to the 2026-07-28 stateless revision,
// against the real server started with the conformance fixtures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describeExit, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 60000 };

function textOf(result) {
  return result.content.filter((b) => b.type === 'text').map((b) => b.text).join('\n');
}

describe('SDK v2 client, protocol 2026-07-28', { timeout: 240000 }, () => {
  let server;
  let client;

  before(async () => {
    server = await startServer({ mode: 'fixtures' });
    client = new Client(
      { name: 'pierre-e2e-sdk-v2', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl)));
  });

  after(async () => {
    await client?.close().catch(() => {});
    await server?.stop();
  });

  it('negotiates the pinned revision through server/discover', TEST_TIMEOUT, () => {
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
    assert.ok(client.getDiscoverResult()?.supportedVersions.includes('2026-07-28'));
    assert.equal(client.getServerVersion()?.name, 'pierre-mcp-server');
  });

  it('lists tools, resources and prompts', TEST_TIMEOUT, async () => {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ['test_simple_text', 'get_connection_status', 'test_tool_with_progress', 'slow_compute']) {
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
    assert.deepEqual(providers.map((p) => p.provider).sort(), ['fitbit', 'garmin', 'strava']);
  });

  it('receives progress notifications from test_tool_with_progress', TEST_TIMEOUT, async () => {
    const progress = [];
    const result = await client.callTool(
      { name: 'test_tool_with_progress', arguments: {} },
      { onprogress: (p) => progress.push(p) },
    );
    assert.notEqual(result.isError, true, textOf(result));
    assert.ok(progress.length >= 3, `expected ≥3 progress notifications, got ${JSON.stringify(progress)}`);
    for (let i = 1; i < progress.length; ++i) {
      assert.ok(progress[i].progress >= progress[i - 1].progress, `progress decreased: ${JSON.stringify(progress)}`);
    }
  });

  it('cancels a long tool call with an AbortSignal and stays healthy', TEST_TIMEOUT, async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(
      client.callTool({ name: 'slow_compute', arguments: { seconds: 10 } }, { signal: controller.signal }),
      (err) => {
        // It must be the abort that ended the call, not an early error from the server.
        assert.ok(controller.signal.aborted, `the call failed before it was aborted: ${err}`);
        return true;
      },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 3000, `the aborted call took ${elapsed} ms to reject`);
    // The server still answers, on this connection and on a fresh request.
    const result = await client.callTool({ name: 'test_simple_text' });
    assert.equal(textOf(result), 'This is a simple text response for testing.');
    const health = await fetch(`${server.baseUrl}/health`);
    assert.equal(health.status, 200);
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

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    await client.close();
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
