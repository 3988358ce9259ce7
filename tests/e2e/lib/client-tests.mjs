// Tests every official MCP client must pass against the server, whichever SDK and protocol era it uses. Each test
// file sets up its own client and registers these inside its describe(); `callTool(params, options)` adapts the SDK's
// signature (v1 takes a result schema before the options).
import assert from 'node:assert/strict';
import { it } from 'node:test';

export const TEST_TIMEOUT = { timeout: 60000 };

export function textOf(result) {
  return result.content.filter((b) => b.type === 'text').map((b) => b.text).join('\n');
}

export function defineCommonClientTests({ client, server, callTool, expectedTools }) {
  it('lists tools, resources and prompts', TEST_TIMEOUT, async () => {
    const tools = (await client().listTools()).tools.map((t) => t.name);
    for (const name of ['test_simple_text', 'get_connection_status', 'slow_compute', ...expectedTools]) {
      assert.ok(tools.includes(name), `tools/list lacks ${name}: ${tools.join(', ')}`);
    }
    const resources = (await client().listResources()).resources.map((r) => r.uri);
    assert.ok(resources.includes('test://static-text'), `resources/list: ${resources.join(', ')}`);
    const prompts = (await client().listPrompts()).prompts.map((p) => p.name);
    assert.ok(prompts.includes('test_simple_prompt'), `prompts/list lacks test_simple_prompt: ${prompts.join(', ')}`);
  });

  it('calls test_simple_text', TEST_TIMEOUT, async () => {
    const result = await callTool({ name: 'test_simple_text' });
    assert.notEqual(result.isError, true);
    assert.equal(textOf(result), 'This is a simple text response for testing.');
  });

  it('calls get_connection_status and gets structured content for the three providers', TEST_TIMEOUT, async () => {
    const result = await callTool({ name: 'get_connection_status', arguments: {} });
    assert.notEqual(result.isError, true, textOf(result));
    const providers = result.structuredContent?.providers;
    assert.ok(Array.isArray(providers), `structuredContent: ${JSON.stringify(result.structuredContent)}`);
    assert.deepEqual(providers.map((p) => p.provider).sort(), ['fitbit', 'garmin', 'strava']);
  });

  it('receives progress notifications from test_tool_with_progress', TEST_TIMEOUT, async () => {
    const progress = [];
    const result = await callTool(
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
      callTool({ name: 'slow_compute', arguments: { seconds: 10 } }, { signal: controller.signal }),
      (err) => {
        // It must be the abort that ended the call, not an early error from the server.
        assert.ok(controller.signal.aborted, `the call failed before it was aborted: ${err}`);
        return true;
      },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 3000, `the aborted call took ${elapsed} ms to reject`);
    const result = await callTool({ name: 'test_simple_text' });
    assert.equal(textOf(result), 'This is a simple text response for testing.');
    const health = await fetch(`${server().baseUrl}/health`);
    assert.equal(health.status, 200);
  });

  it('reads a templated resource', TEST_TIMEOUT, async () => {
    const result = await client().readResource({ uri: 'test://template/42/data' });
    assert.equal(result.contents.length, 1);
    assert.equal(result.contents[0].uri, 'test://template/42/data');
    assert.equal(JSON.parse(result.contents[0].text).id, '42');
  });

  it('gets a prompt with arguments', TEST_TIMEOUT, async () => {
    const result = await client().getPrompt({
      name: 'test_prompt_with_arguments',
      arguments: { arg1: 'first-value', arg2: 'second-value' },
    });
    const text = JSON.stringify(result.messages);
    assert.ok(text.includes('first-value') && text.includes('second-value'), text);
  });
}
