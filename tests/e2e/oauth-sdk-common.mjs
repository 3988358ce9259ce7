// The OAuth flow every official SDK client must complete against the server's own authorization server, whichever SDK
// (v2 @modelcontextprotocol/client, v1 @modelcontextprotocol/sdk) and protocol era it uses. The SDK does everything
// itself through an OAuthClientProvider (lib/browser.mjs MemoryOAuthProvider): 401 + WWW-Authenticate → RFC 9728
// protected-resource metadata → RFC 8414 metadata → RFC 7591 registration → authorize (PKCE S256, resource) → our
// real login + consent form over HTTP (lib/browser.mjs) → token → tools/call; then a refresh (rotation) when the
// server refuses the access token, and after POST /oauth2/revoke the next call fails with an authorization error.
//
// The server runs in its production posture (no --mcp-allow-anonymous, no fixtures), on a fresh database whose only
// user is created by POST /admin/setup.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import {
  MemoryOAuthProvider,
  authorizationServerMetadata,
  mcpStatusWithToken,
  postForm,
  setupUser,
} from './lib/browser.mjs';
import { describeExit, startServer } from './lib/server.mjs';

export const TEST_TIMEOUT = { timeout: 60000 };
// Never listened on: the browser stops at the redirect to it and hands the parameters to the test.
const REDIRECT_URL = 'http://127.0.0.1:47613/callback';

function textOf(result) {
  return (result.content ?? []).filter((b) => b.type === 'text').map((b) => b.text).join('\n');
}

function assertConnectionStatus(result) {
  assert.notEqual(result.isError, true, textOf(result));
  const providers = result.structuredContent?.providers;
  assert.ok(Array.isArray(providers), `structuredContent: ${JSON.stringify(result.structuredContent)}`);
  assert.deepEqual(providers.map((p) => p.provider).sort(), ['fitbit', 'garmin', 'strava']);
}

/**
 * @param {{
 *   name: string,
 *   newClient: () => any,
 *   newTransport: (url: URL, provider: MemoryOAuthProvider) => any,
 *   finishAuth: (transport: any, callback: {code: string, iss?: string, params: URLSearchParams}) => Promise<void>,
 *   callTool: (client: any, params: object) => Promise<any>,
 *   isUnauthorizedError: (err: unknown) => boolean,
 *   checkConnected?: (client: any, transport: any) => void,
 * }} sdk
 */
export function defineOAuthSdkTests(sdk) {
  describe(`${sdk.name}: OAuth 2.1 against the server's authorization server`, { timeout: 240000 }, () => {
    let server;
    let metadata;
    let provider;
    let client;
    let transport;

    before(async () => {
      // Debug logging, so that the log scan (tests/logscan) sees what the server logs about the whole OAuth flow.
      server = await startServer({ mode: 'none', logLevel: 'debug' });
      await setupUser(server.baseUrl);
      metadata = await authorizationServerMetadata(server.baseUrl);
      provider = new MemoryOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: `pierre-e2e ${sdk.name}` });
    });

    after(async () => {
      await client?.close().catch(() => {});
      await server?.stop();
    });

    it('first connect: 401 → discovery → registration → login form → code', TEST_TIMEOUT, async () => {
      client = sdk.newClient();
      transport = sdk.newTransport(new URL(server.mcpUrl), provider);
      await assert.rejects(client.connect(transport), (err) => {
        // The SDK stops after sending the user to the authorization page: that page must have produced a code.
        assert.ok(provider.callback, `connect failed before the authorization redirect: ${err?.stack ?? err}`);
        assert.ok(sdk.isUnauthorizedError(err), `expected an UnauthorizedError, got ${err?.stack ?? err}`);
        return true;
      });
      await client.close().catch(() => {});

      // Dynamic client registration happened, for a public client with our redirect URI.
      assert.equal(typeof provider.client?.client_id, 'string', JSON.stringify(provider.client));
      assert.ok(provider.client.client_id.length > 0);
      assert.ok(!provider.client.client_secret, 'a public client got a client_secret');
      assert.deepEqual(provider.client.redirect_uris, [REDIRECT_URL]);

      // The authorization request the SDK built.
      assert.equal(provider.authorizationUrls.length, 1);
      const url = provider.authorizationUrls[0];
      assert.equal(`${url.origin}${url.pathname}`, metadata.authorization_endpoint);
      const q = url.searchParams;
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('client_id'), provider.client.client_id);
      assert.equal(q.get('redirect_uri'), REDIRECT_URL);
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.equal(q.get('resource'), server.mcpUrl);

      // The redirect back from the login form: a code, the state echoed, RFC 9207 iss = the issuer, no error.
      const cb = provider.callback;
      assert.ok(cb.location.startsWith(`${REDIRECT_URL}?`), cb.location);
      assert.equal(cb.error, undefined, `error=${cb.error} ${cb.params.get('error_description')}`);
      assert.ok(cb.code, cb.location);
      if (q.has('state')) assert.equal(cb.state, q.get('state'));
      assert.equal(cb.iss, metadata.issuer);
      for (const name of new Set(cb.params.keys())) {
        assert.equal(cb.params.getAll(name).length, 1, `repeated ${name} in ${cb.location}`);
      }
      assert.ok(cb.jar.get('pierre_oauth_csrf') !== undefined, `no pierre_oauth_csrf cookie: ${cb.jar.names()}`);
    });

    it('finishAuth redeems the code; the access token is a JWT for <base>/mcp', TEST_TIMEOUT, async () => {
      await sdk.finishAuth(transport, provider.callback);
      const tokens = provider.saved;
      assert.ok(tokens?.access_token, JSON.stringify(tokens));
      assert.match(tokens.token_type, /^bearer$/i);
      assert.ok(tokens.refresh_token, 'no refresh token issued');
      assert.ok(Number(tokens.expires_in) > 0, `expires_in ${tokens.expires_in}`);

      const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri ?? `${server.baseUrl}/oauth2/jwks`));
      const { payload } = await jwtVerify(tokens.access_token, jwks, {
        issuer: metadata.issuer,
        audience: server.mcpUrl,
      });
      assert.equal(payload.client_id, provider.client.client_id);
      assert.equal(typeof payload.gid, 'string', JSON.stringify(payload));
    });

    it('connects with the token and calls get_connection_status', TEST_TIMEOUT, async () => {
      client = sdk.newClient();
      transport = sdk.newTransport(new URL(server.mcpUrl), provider);
      await client.connect(transport);
      sdk.checkConnected?.(client, transport);
      assertConnectionStatus(await sdk.callTool(client, { name: 'get_connection_status', arguments: {} }));
      assert.equal(provider.authorizationUrls.length, 1, 'the SDK went back to the authorization page');
    });

    it('refreshes (with rotation) when the server refuses the access token', TEST_TIMEOUT, async () => {
      const previous = provider.saved;
      const saves = provider.savedTokens.length;
      // The server sees a token it cannot verify: 401, and the SDK uses the refresh token.
      provider.saved = { ...previous, access_token: 'not-a-valid-access-token' };
      assertConnectionStatus(await sdk.callTool(client, { name: 'get_connection_status', arguments: {} }));
      assert.equal(provider.savedTokens.length, saves + 1, 'the SDK did not save refreshed tokens');
      const refreshed = provider.saved;
      assert.ok(refreshed.access_token && refreshed.access_token !== previous.access_token);
      assert.ok(refreshed.refresh_token, 'the refresh response carried no refresh token');
      assert.notEqual(refreshed.refresh_token, previous.refresh_token, 'the refresh token was not rotated');
      assert.equal(decodeJwt(refreshed.access_token).aud, server.mcpUrl);
      assert.equal(decodeJwt(refreshed.access_token).gid, decodeJwt(previous.access_token).gid, 'a new grant');
      assert.equal(provider.authorizationUrls.length, 1, 'the SDK went back to the authorization page');
      // And the new one works on its own.
      assertConnectionStatus(await sdk.callTool(client, { name: 'get_connection_status', arguments: {} }));
    });

    it('after POST /oauth2/revoke of the refresh token, the next call fails', TEST_TIMEOUT, async () => {
      const { access_token: accessToken, refresh_token: refreshToken } = provider.saved;
      const clientId = provider.client.client_id;
      const revocation = await postForm(metadata.revocation_endpoint ?? `${server.baseUrl}/oauth2/revoke`, {
        token: refreshToken,
        token_type_hint: 'refresh_token',
        client_id: clientId,
      });
      assert.equal(revocation.status, 200, revocation.text);

      // The SDK's next call: 401, the refresh fails (invalid_grant), the tokens are dropped, and it would send the
      // user to the authorization page again (which nobody answers now).
      provider.interactive = false;
      await assert.rejects(
        sdk.callTool(client, { name: 'get_connection_status', arguments: {} }),
        (err) => {
          assert.ok(sdk.isUnauthorizedError(err), `expected an UnauthorizedError, got ${err?.stack ?? err}`);
          return true;
        },
      );
      assert.ok(provider.invalidated.includes('tokens'), `invalidated: ${provider.invalidated}`);
      assert.equal(provider.authorizationUrls.length, 2, 'the SDK did not restart the authorization');

      // The server's side of it, without the SDK: the access token of the revoked grant is refused (401 + challenge),
      // the refresh token no longer works and introspects as inactive.
      const mcp = await mcpStatusWithToken(server.mcpUrl, accessToken);
      assert.equal(mcp.status, 401, mcp.body);
      assert.match(mcp.wwwAuthenticate ?? '', /^Bearer\b.*resource_metadata="/i);
      const refresh = await postForm(metadata.token_endpoint, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: clientId,
        resource: server.mcpUrl,
      });
      assert.equal(refresh.status, 400, refresh.text);
      assert.equal(refresh.json?.error, 'invalid_grant', refresh.text);
      const introspection = await postForm(metadata.introspection_endpoint ?? `${server.baseUrl}/oauth2/introspect`, {
        token: accessToken,
        client_id: clientId,
      });
      if (introspection.status === 200) assert.equal(introspection.json?.active, false, introspection.text);
    });

    it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
      await client?.close().catch(() => {});
      const exit = await server.stop();
      assert.equal(exit.code, 0, describeExit(exit));
    });
  });
}
