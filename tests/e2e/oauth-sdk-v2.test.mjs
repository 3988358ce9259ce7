// The official TypeScript SDK v2 client (@modelcontextprotocol/client), pinned to the 2026-07-28 revision, doing OAuth
// with its own OAuthClientProvider support against the server's authorization server (oauth-sdk-common.mjs).
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { defineOAuthSdkTests } from './oauth-sdk-common.mjs';

defineOAuthSdkTests({
  name: 'SDK v2 client, protocol 2026-07-28',
  newClient: () =>
    new Client(
      { name: 'pierre-e2e-oauth-sdk-v2', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    ),
  newTransport: (url, provider) => new StreamableHTTPClientTransport(url, { authProvider: provider }),
  // v2 takes the callback's query parameters: it checks `iss` (RFC 9207) before redeeming the code.
  finishAuth: (transport, callback) => transport.finishAuth(callback.params),
  callTool: (client, params) => client.callTool(params),
  isUnauthorizedError: (err) => err instanceof UnauthorizedError,
  checkConnected: (client) => {
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
  },
});
