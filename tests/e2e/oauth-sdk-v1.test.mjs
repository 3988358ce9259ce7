// The official TypeScript SDK v1 client (@modelcontextprotocol/sdk 1.x) on 2025-11-25 sessions, doing OAuth with its
// own OAuthClientProvider support against the server's authorization server (oauth-sdk-common.mjs).
import assert from 'node:assert/strict';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { defineOAuthSdkTests } from './oauth-sdk-common.mjs';

defineOAuthSdkTests({
  name: 'SDK v1 client, protocol 2025-11-25',
  newClient: () => new Client({ name: 'pierre-e2e-oauth-sdk-v1', version: '1.0.0' }),
  newTransport: (url, provider) => new StreamableHTTPClientTransport(url, { authProvider: provider }),
  // v1 takes the code only (it does not check `iss`; the shared test does).
  finishAuth: (transport, callback) => transport.finishAuth(callback.code),
  callTool: (client, params) => client.callTool(params, CallToolResultSchema),
  isUnauthorizedError: (err) => err instanceof UnauthorizedError,
  checkConnected: (client, transport) => {
    assert.equal(transport.protocolVersion, '2025-11-25');
    assert.ok(transport.sessionId, 'the server issued no Mcp-Session-Id');
  },
});
