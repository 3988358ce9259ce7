// OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-03; MCP 2026-07-28 prefers them to
// dynamic registration). A real HTTPS server (node:https, a throw-away self-signed certificate that the Pierre server
// trusts through PIERRE_OUTBOUND_CA_FILE) publishes client metadata documents:
//   1. the official SDK v2 client, given a clientMetadataUrl, skips registration and completes the whole flow with
//      the URL as its client_id (development mode: the document host is on loopback, which only dev mode allows);
//   2. documents the server must refuse (redirects, oversize, wrong client_id, secrets, unlisted redirect URI, a host
//      that never answers) give a clear error page and are never redirected to the client;
//   3. SSRF: in production mode, client_id URLs that point at loopback, private or link-local addresses — by name, by
//      literal, by decimal or IPv4-mapped spelling — are refused before any connection is made (the document host
//      counts zero requests), and quickly.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import {
  MemoryOAuthProvider,
  authorizationServerMetadata,
  pageText,
  postForm,
  setupUser,
} from './lib/browser.mjs';
import { makeCertificate } from './lib/certificate.mjs';
import { describeExit, startServer } from './lib/server.mjs';

const TIMEOUT = { timeout: 60000 };
const REDIRECT_URL = 'http://127.0.0.1:47614/callback';

/** An HTTPS server publishing client metadata documents; every request is recorded. */
async function startDocumentHost({ key, cert }) {
  const requests = [];
  const held = new Set();
  let origin;
  const documentFor = (pathname, extra = {}) => ({
    client_id: `${origin}${pathname}`,
    client_name: 'Pierre CIMD e2e client',
    redirect_uris: [REDIRECT_URL],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    ...extra,
  });
  const json = (res, body, headers = {}) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60', ...headers });
    res.end(JSON.stringify(body));
  };
  const routes = {
    '/client.json': (res) => json(res, documentFor('/client.json')),
    '/redirect.json': (res) => {
      res.writeHead(302, { location: '/client.json' });
      res.end();
    },
    '/big.json': (res) => json(res, documentFor('/big.json', { padding: 'x'.repeat(6000) })),
    '/mismatch.json': (res) => json(res, documentFor('/client.json')),
    '/secret.json': (res) => json(res, documentFor('/secret.json', { client_secret: 'not-allowed-here' })),
    '/basic.json': (res) => json(res, documentFor('/basic.json', { token_endpoint_auth_method: 'client_secret_basic' })),
    '/javascript.json': (res) => json(res, documentFor('/javascript.json', { redirect_uris: ['javascript:alert(1)'] })),
    '/html.json': (res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html></html>');
    },
    '/missing.json': (res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{}');
    },
    '/slow.json': (res) => held.add(res), // never answers
  };
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const url = new URL(req.url, origin);
    requests.push({ method: req.method, path: url.pathname, accept: req.headers.accept });
    (routes[url.pathname] ?? ((r) => {
      r.writeHead(404);
      r.end();
    }))(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  origin = `https://localhost:${port}`;
  return {
    port,
    origin,
    requests,
    url: (pathname) => `${origin}${pathname}`,
    count: (pathname) => requests.filter((r) => r.path === pathname).length,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An authorize request for `clientId` with a valid PKCE challenge; returns the raw response (no redirects followed). */
async function authorizeRaw(server, clientId, { redirectUri = REDIRECT_URL } = {}) {
  const url = new URL(`${server.baseUrl}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'cimd-state',
    resource: server.mcpUrl,
  }).toString();
  const started = performance.now();
  const response = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
  const html = await response.text();
  return { status: response.status, location: response.headers.get('location'), text: pageText(html, 2000),
           ms: performance.now() - started };
}

class DocumentClientProvider extends MemoryOAuthProvider {
  constructor(documentUrl, options) {
    super(options);
    this.documentUrl = documentUrl;
  }

  get clientMetadataUrl() {
    return this.documentUrl;
  }
}

const tmp = mkdtempSync(path.join(tmpdir(), 'pierre-cimd-'));
const certificate = makeCertificate(tmp);
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

describe('client ID metadata documents: the SDK v2 client identifies itself by URL', { timeout: 240000 }, () => {
  let host;
  let server;
  let metadata;
  let provider;
  let transport;
  let client;

  before(async () => {
    host = await startDocumentHost(certificate);
    server = await startServer({ mode: 'none', logLevel: 'debug', env: { PIERRE_OUTBOUND_CA_FILE: certificate.cert } });
    await setupUser(server.baseUrl);
    metadata = await authorizationServerMetadata(server.baseUrl);
    provider = new DocumentClientProvider(host.url('/client.json'), {
      redirectUrl: REDIRECT_URL,
      clientName: 'Pierre CIMD e2e client',
    });
  });

  after(async () => {
    await client?.close().catch(() => {});
    await server?.stop();
    await host?.close();
  });

  it('the authorization server advertises client_id_metadata_document_supported', () => {
    assert.equal(metadata.client_id_metadata_document_supported, true, JSON.stringify(metadata));
  });

  it('connect → authorize with the document URL as client_id, no registration', TIMEOUT, async () => {
    client = new Client({ name: 'pierre-e2e-cimd', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider });
    await assert.rejects(client.connect(transport), (err) => {
      assert.ok(provider.callback, `connect failed before the authorization redirect: ${err?.stack ?? err}`);
      assert.ok(err instanceof UnauthorizedError, `expected UnauthorizedError, got ${err?.stack ?? err}`);
      return true;
    });
    await client.close().catch(() => {});
    assert.equal(provider.authorizationUrls.length, 1);
    assert.equal(provider.authorizationUrls[0].searchParams.get('client_id'), host.url('/client.json'));
    const cb = provider.callback;
    assert.equal(cb.error, undefined, `error=${cb.error} ${cb.params.get('error_description')}`);
    assert.ok(cb.code, cb.location);
    assert.equal(cb.iss, metadata.issuer);
    // The server fetched the document (asking for JSON), and the consent page named the host that publishes it.
    assert.ok(host.count('/client.json') >= 1, JSON.stringify(host.requests));
    assert.match(host.requests[0].accept ?? '', /application\/json/);
    const consent = cb.pages.map((p) => pageText(p.html, 4000)).join('\n');
    assert.match(consent, /Pierre CIMD e2e client/);
    assert.match(consent, /described by localhost/);
  });

  it('finishAuth redeems the code; tokens name the URL client; tools/call works', TIMEOUT, async () => {
    await transport.finishAuth(provider.callback.params);
    const tokens = provider.saved;
    assert.ok(tokens?.access_token && tokens.refresh_token, JSON.stringify(tokens));
    assert.equal(decodeJwt(tokens.access_token).client_id, host.url('/client.json'));
    client = new Client({ name: 'pierre-e2e-cimd', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider });
    await client.connect(transport);
    const result = await client.callTool({ name: 'get_connection_status', arguments: {} });
    assert.notEqual(result.isError, true, JSON.stringify(result));
  });

  it('the document is cached (max-age=60): the flow fetched it once', () => {
    assert.equal(host.count('/client.json'), 1, JSON.stringify(host.requests));
  });

  it('a refresh with the URL client works (public client, no secret)', TIMEOUT, async () => {
    const refresh = await postForm(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: provider.saved.refresh_token,
      client_id: host.url('/client.json'),
      resource: server.mcpUrl,
    });
    assert.equal(refresh.status, 200, refresh.text);
    assert.ok(refresh.json.access_token);
    // A URL client cannot authenticate with a secret: it has none.
    const withSecret = await postForm(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: refresh.json.refresh_token,
      client_id: host.url('/client.json'),
      client_secret: 'guess',
    });
    assert.equal(withSecret.status, 401, withSecret.text);
    assert.equal(withSecret.json?.error, 'invalid_client');
  });

  const refusals = [
    ['/redirect.json', /redirects/],
    ['/big.json', /larger than 5120 bytes/],
    ['/mismatch.json', /client_id is not exactly the URL/],
    ['/secret.json', /must not contain client_secret/],
    ['/basic.json', /token_endpoint_auth_method/],
    ['/javascript.json', /redirect URI scheme not allowed/],
    ['/html.json', /not application\/json/],
    ['/missing.json', /HTTP 404/],
  ];
  for (const [pathname, reason] of refusals) {
    it(`refuses the document at ${pathname} with a clear page, never redirecting`, TIMEOUT, async () => {
      const r = await authorizeRaw(server, host.url(pathname));
      assert.equal(r.status, 400, r.text);
      assert.equal(r.location, null);
      assert.match(r.text, /client ID metadata document cannot be used/);
      assert.match(r.text, reason);
    });
  }

  it('refuses a redirect_uri the document does not list, without redirecting to it', TIMEOUT, async () => {
    const r = await authorizeRaw(server, host.url('/client.json'), { redirectUri: 'http://127.0.0.1:47615/other' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.location, null);
    assert.match(r.text, /redirect_uri does not match/);
  });

  it('refuses client_id URLs that break the URL rules without fetching them', TIMEOUT, async () => {
    const before = host.requests.length;
    for (const [clientId, reason] of [
      [`${host.url('/client.json')}#frag`, /fragment/],
      [`${host.origin}/a/../client.json`, /\. or \.\. path segments/],
      [`${host.origin}/`, /must have a path/],
      [`https://user:pw@localhost:${host.port}/client.json`, /credentials/],
    ]) {
      const r = await authorizeRaw(server, clientId);
      assert.equal(r.status, 400, `${clientId}: ${r.text}`);
      assert.match(r.text, reason, clientId);
    }
    assert.equal(host.requests.length, before, JSON.stringify(host.requests.slice(before)));
    // http:// is not a metadata document URL at all: just an unknown client.
    const plain = await authorizeRaw(server, `http://localhost:${host.port}/client.json`);
    assert.equal(plain.status, 400);
    assert.match(plain.text, /unknown client_id/);
  });

  it('gives up on a host that never answers within the fetch timeout', TIMEOUT, async () => {
    const r = await authorizeRaw(server, host.url('/slow.json'));
    assert.equal(r.status, 400, r.text);
    assert.match(r.text, /timed out/);
    assert.ok(r.ms < 8000, `took ${r.ms} ms`);
  });

  it('server shuts down cleanly', TIMEOUT, async () => {
    await client?.close().catch(() => {});
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});

describe('client ID metadata documents: SSRF protection in production mode', { timeout: 120000 }, () => {
  let host;
  let server;

  before(async () => {
    host = await startDocumentHost(certificate);
    server = await startServer({ mode: 'none', dev: false, env: { PIERRE_OUTBOUND_CA_FILE: certificate.cert } });
  });

  after(async () => {
    await server?.stop();
    await host?.close();
  });

  it('refuses every private or loopback target before connecting', TIMEOUT, async () => {
    const p = host.port;
    const targets = [
      `https://localhost:${p}/client.json`,
      `https://127.0.0.1:${p}/client.json`,
      `https://127.1.2.3:${p}/client.json`,
      `https://2130706433:${p}/client.json`, // 127.0.0.1 as one decimal number
      `https://0x7f000001:${p}/client.json`, // … and in hex
      `https://[::1]:${p}/client.json`,
      `https://[::ffff:127.0.0.1]:${p}/client.json`, // IPv4-mapped IPv6
      'https://169.254.169.254/latest/meta-data/iam', // cloud metadata service
      'https://10.0.0.1/client.json',
      'https://192.168.1.1/client.json',
      'https://[fd00::1]/client.json',
      'https://0.0.0.0/client.json',
    ];
    for (const clientId of targets) {
      const r = await authorizeRaw(server, clientId);
      assert.equal(r.status, 400, `${clientId}: ${r.text}`);
      assert.equal(r.location, null, clientId);
      assert.match(r.text, /client ID metadata document cannot be used/, clientId);
      assert.match(r.text, /not a public internet address|not a valid|does not resolve/, `${clientId}: ${r.text}`);
      // Refused before any connection: a private address that drops packets would otherwise take the connect timeout.
      assert.ok(r.ms < 1500, `${clientId} took ${r.ms} ms`);
    }
    assert.equal(host.requests.length, 0, JSON.stringify(host.requests));
  });

  it('the token endpoint refuses the same URLs as clients', TIMEOUT, async () => {
    const metadata = await authorizationServerMetadata(server.baseUrl);
    const r = await postForm(metadata.token_endpoint, {
      grant_type: 'authorization_code',
      code: 'pac_x',
      code_verifier: 'a'.repeat(43),
      redirect_uri: REDIRECT_URL,
      client_id: `https://127.0.0.1:${host.port}/client.json`,
    });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json?.error, 'invalid_client');
    assert.equal(host.requests.length, 0);
  });

  it('server shuts down cleanly', TIMEOUT, async () => {
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
