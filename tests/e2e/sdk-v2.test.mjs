// The official TypeScript SDK v2 client (@modelcontextprotocol/client), pinned to the 2026-07-28 stateless revision,
// against the real server started with the conformance fixtures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { defineCommonClientTests, TEST_TIMEOUT } from './lib/client-tests.mjs';
import { describeExit, startServer } from './lib/server.mjs';

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

  defineCommonClientTests({
    client: () => client,
    server: () => server,
    callTool: (params, options) => client.callTool(params, options),
    expectedTools: ['test_tool_with_progress'],
  });

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    await client.close();
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
