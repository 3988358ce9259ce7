// The stdio bridges a desktop MCP client launches, driven by the official SDK's StdioClientTransport as Claude Desktop
// or Cursor would: our native pierre-mcp-client, and mcp-remote (0.15.1) through the same scenario.
//
// The shared scenario, per bridge, against the real server in its production posture (OAuth required) on a SQLite file
// so that it can be restarted on the same port and database:
//   1. first start: the bridge discovers the authorization server, registers itself, prints the authorization URL
//      (no browser: PIERRE_BROWSER=none / BROWSER=true); lib/browser.mjs logs in through the real login + consent form
//      and follows the redirect to the bridge's loopback callback; initialize, tools/list, tools/call then succeed;
//   2. the server restarts (SIGTERM, same port, same database) mid-session; the next call succeeds in the same session;
//   3. the stored access token expires (the token file is edited: a dead access token, expiry in the past) and a new
//      bridge process still lists and calls tools without asking anyone to log in (a refresh, no authorization URL).
// What differs between the bridges (documented in README.md): mcp-remote keeps its tokens in its own directory and
// format, so step 3 edits its file; mcp-remote does not retry a server that is down, so the "call while the server is
// down, answered once it is back" check is ours only. pierre-mcp-client only: 2026-07-28 through SDK v2 (pinned), the
// raw stdio stream (only JSON-RPC lines on stdout, a malformed line answered with -32700 and the bridge still serving),
// --api-key, the token file's mode, `logout`, a client ID metadata document, Mcp-Param-* headers, and the common client
// suite (progress, cancellation, resources, prompts) relayed for SDK v1 and v2, and a real 60 s token renewed by a
// running bridge before it expires (no file edited).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import https from 'node:https';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransportV2 } from '@modelcontextprotocol/client/stdio';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { authorizationServerMetadata, authorize, postForm, setupUser, TEST_USER } from './lib/browser.mjs';
import { makeCertificate } from './lib/certificate.mjs';
import { defineCommonClientTests } from './lib/client-tests.mjs';
import { describeExit, freePort, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 90000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function bridgeBinary() {
  const bin =
    process.env.PIERRE_MCP_CLIENT_BIN ||
    process.env.PIERRE_MCP_CLIENT_BIN_DEFAULT ||
    path.resolve(here, '../../build/dev/apps/pierre-mcp-client/pierre-mcp-client');
  if (!existsSync(bin)) throw new Error(`pierre-mcp-client not found: ${bin} (build it, or set PIERRE_MCP_CLIENT_BIN)`);
  return bin;
}

function binOf(pkgName, bin) {
  const pkgJson = require.resolve(`${pkgName}/package.json`);
  return path.join(path.dirname(pkgJson), JSON.parse(readFileSync(pkgJson, 'utf8')).bin[bin]);
}

/** The server on a SQLite file in a directory that outlives it, so `restart()` brings back the same server. */
async function restartableServer(env = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pierre-e2e-bridge-server-'));
  const options = { mode: 'none', env, dataDir, databaseUrl: `sqlite:${path.join(dataDir, 'pierre.db')}` };
  let server = await startServer(options);
  const port = server.port;
  return {
    get current() {
      return server;
    },
    async stop() {
      return server.stop();
    },
    async start() {
      server = await startServer({ ...options, port });
      return server;
    },
    async dispose() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A restartable server with TEST_USER, and a temporary HOME for the bridge under test. */
async function serverAndHome(label, env = {}) {
  const server = await restartableServer(env);
  await setupUser(server.current.baseUrl);
  return { server, home: mkdtempSync(path.join(tmpdir(), `pierre-e2e-bridge-${label}-`)) };
}

/**
 * Watches a bridge's stderr for the authorization URL and completes the login like a user in a browser would.
 * `logins` counts the authorization URLs seen, so a test can assert that none was needed.
 */
function loginWatcher(authorizeEndpoint) {
  const pattern = new RegExp(`(${authorizeEndpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?[^\\s"'<>]+)`);
  const state = { stderr: '', logins: [], errors: [] };
  state.attach = (stream) => {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      state.stderr += chunk;
      const m = pattern.exec(state.stderr.slice(-4096));
      if (m && !state.logins.some((l) => l.url === m[1])) {
        const login = { url: m[1] };
        login.done = authorize(m[1], { follow: true }).catch((err) => state.errors.push(err));
        state.logins.push(login);
      }
    });
  };
  return state;
}

/** Connects an SDK v1 client to the bridge through the stdio transport; stderr goes to `watcher`. */
async function connectV1(bridge, watcher) {
  const transport = new StdioClientTransport({ ...bridge.launch(), stderr: 'pipe' });
  watcher.attach(transport.stderr);
  const client = new Client({ name: 'pierre-e2e-bridge', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

async function listAndCall(client, context) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  assert.ok(names.includes('get_connection_status'), `${names.join(', ')}\n${context()}`);
  const result = await client.callTool({ name: 'get_connection_status', arguments: {} });
  assert.notEqual(result.isError, true, JSON.stringify(result));
  assert.equal(result.structuredContent?.providers?.length, 3, JSON.stringify(result));
}

/** An API key of TEST_USER (POST /auth/login, then POST /api/keys). */
async function createApiKey(baseUrl) {
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: TEST_USER.email, password: TEST_USER.password }),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const { jwt_token: jwt } = await login.json();
  const created = await fetch(`${baseUrl}/api/keys`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ name: 'bridge e2e', tier: 'enterprise' }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  return (await created.json()).api_key;
}

// ---------------------------------------------------------------------------------------------------------------------
// The bridges, each with how to launch it and where it keeps its tokens

function pierreBridge(home, serverUrl) {
  const configDir = path.join(home, 'config');
  const env = { XDG_CONFIG_HOME: configDir, HOME: home, PIERRE_BROWSER: 'none' };
  const tokenDir = path.join(configDir, 'pierre-mcp-client');
  return {
    name: 'pierre-mcp-client',
    // The 2025 session died with the old process: the bridge replays the client's initialize.
    restartEvidence: /the server lost the session; initializing again/,
    configDir,
    tokenDir,
    env,
    launch: (extra = []) => ({ command: bridgeBinary(), args: ['--server', serverUrl, ...extra], env }),
    tokenFile() {
      const files = existsSync(tokenDir) ? readdirSync(tokenDir).filter((f) => f.endsWith('.json')) : [];
      assert.equal(files.length, 1, `token files in ${tokenDir}: ${files.join(', ')}`);
      return path.join(tokenDir, files[0]);
    },
    tokens() {
      return JSON.parse(readFileSync(this.tokenFile(), 'utf8'));
    },
    expireAccessToken() {
      const tokens = this.tokens();
      writeFileSync(
        this.tokenFile(),
        JSON.stringify({ ...tokens, access_token: 'expired.access.token', expires_at: Math.floor(Date.now() / 1000) - 5 }),
      );
      return tokens;
    },
  };
}

function mcpRemoteBridge(home, mcpUrl, callbackPort) {
  const configDir = path.join(home, 'mcp-auth');
  const env = { HOME: home, MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: 'true' };
  const dir = path.join(configDir, 'mcp-remote-v1');
  return {
    name: 'mcp-remote',
    env,
    launch: () => ({ command: process.execPath, args: [binOf('mcp-remote', 'mcp-remote'), mcpUrl, String(callbackPort)], env }),
    tokenFile() {
      const file = readdirSync(dir).find((f) => f.endsWith('_tokens.json'));
      assert.ok(file, `no *_tokens.json in ${dir}`);
      return path.join(dir, file);
    },
    tokens() {
      return JSON.parse(readFileSync(this.tokenFile(), 'utf8'));
    },
    expireAccessToken() {
      const tokens = this.tokens();
      writeFileSync(this.tokenFile(), JSON.stringify({ ...tokens, access_token: 'expired.access.token', expires_in: 0 }));
      return tokens;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The scenario both bridges pass

function sharedScenario(label, makeBridge) {
  describe(`${label}: OAuth, tools, server restart, token refresh`, { timeout: 300000 }, () => {
    let server;
    let home;
    let bridge;
    let watcher;
    let client;
    let authorizeEndpoint;

    before(async () => {
      ({ server, home } = await serverAndHome(label));
      authorizeEndpoint = (await authorizationServerMetadata(server.current.baseUrl)).authorization_endpoint;
      bridge = await makeBridge(home, server.current);
    });

    after(async () => {
      await client?.close().catch(() => {});
      await server?.dispose();
      rmSync(home, { recursive: true, force: true });
    });

    const context = () => `--- ${label} stderr ---\n${watcher?.stderr.slice(-3000)}`;

    it('first use: OAuth through the login form, then tools/list and tools/call', TEST_TIMEOUT, async () => {
      watcher = loginWatcher(authorizeEndpoint);
      client = await connectV1(bridge, watcher);
      assert.deepEqual(watcher.errors, [], context());
      assert.equal(watcher.logins.length, 1, `expected one authorization\n${context()}`);
      await listAndCall(client, context);
      const tokens = bridge.tokens();
      assert.ok(tokens.access_token && tokens.refresh_token, Object.keys(tokens).join(', '));
    });

    it('survives a server restart mid-session', TEST_TIMEOUT, async () => {
      const exit = await server.stop();
      assert.equal(exit.code, 0, describeExit(exit));
      await server.start();
      await listAndCall(client, context);
      assert.equal(watcher.logins.length, 1, `asked for a new authorization\n${context()}`);
      if (bridge.restartEvidence) assert.match(watcher.stderr, bridge.restartEvidence, context());
    });

    it('refreshes an expired access token without user action', TEST_TIMEOUT, async () => {
      await client.close();
      const before = bridge.expireAccessToken();
      watcher = loginWatcher(authorizeEndpoint);
      client = await connectV1(bridge, watcher);
      await listAndCall(client, context);
      assert.equal(watcher.logins.length, 0, `asked for a new authorization\n${context()}`);
      const after = bridge.tokens();
      assert.notEqual(after.access_token, 'expired.access.token');
      assert.notEqual(after.refresh_token, before.refresh_token, 'the refresh token rotates');
    });
  });
}

sharedScenario('pierre-mcp-client', async (home, server) => pierreBridge(home, server.baseUrl));
sharedScenario('mcp-remote', async (home, server) => mcpRemoteBridge(home, server.mcpUrl, await freePort()));

// ---------------------------------------------------------------------------------------------------------------------
// pierre-mcp-client only

/** The bridge as a raw process: every stdout line is kept and must be JSON-RPC. */
function rawBridge(bridge, extra = [], env = {}) {
  const launch = bridge.launch(extra);
  const child = spawn(launch.command, launch.args, {
    env: { PATH: process.env.PATH, ...launch.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines = [];
  const messages = [];
  let stderr = '';
  let buffer = '';
  const waiters = [];
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      try {
        messages.push(JSON.parse(line));
      } catch {
        messages.push({ notJson: line });
      }
    }
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    lines,
    messages,
    stderr: () => stderr,
    send: (msg) => child.stdin.write(typeof msg === 'string' ? `${msg}\n` : `${JSON.stringify(msg)}\n`),
    async answer(id, ms = 45000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = messages.find((m) => m.id === id && (m.result !== undefined || m.error !== undefined));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no answer to ${JSON.stringify(id)}\nstderr:\n${stderr}`);
        await new Promise((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200).unref();
        });
      }
    },
    async close() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
}

const meta2026 = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'pierre-e2e-raw', version: '1.0.0' },
};

describe('pierre-mcp-client: protocol eras, stdio hygiene, API keys, logout', { timeout: 300000 }, () => {
  let server;
  let home;
  let bridge;

  before(async () => {
    ({ server, home } = await serverAndHome('own'));
    bridge = pierreBridge(home, server.current.baseUrl);
    // Log in once (SDK v1 on 2025-11-25); the tests below reuse the stored tokens.
    const metadata = await authorizationServerMetadata(server.current.baseUrl);
    const watcher = loginWatcher(metadata.authorization_endpoint);
    const client = await connectV1(bridge, watcher);
    await client.close();
    assert.equal(watcher.logins.length, 1, watcher.stderr);
  });

  after(async () => {
    await server?.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('stores the tokens 0600 in a 0700 directory', TEST_TIMEOUT, async () => {
    assert.equal(statSync(bridge.tokenFile()).mode & 0o777, 0o600);
    assert.equal(statSync(bridge.tokenDir).mode & 0o777, 0o700);
  });

  it('SDK v2 client pinned to 2026-07-28 over stdio', TEST_TIMEOUT, async () => {
    const transport = new StdioClientTransportV2({ ...bridge.launch(), stderr: 'pipe' });
    let stderr = '';
    transport.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const client = new ClientV2(
      { name: 'pierre-e2e-bridge-v2', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    try {
      await client.connect(transport);
      assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28', stderr);
      await listAndCall(client, () => stderr);
    } finally {
      await client.close().catch(() => {});
    }
    const { access_token: token } = bridge.tokens();
    assert.ok(!stderr.includes(token), 'the access token appeared on stderr');
  });

  it('stdout carries only JSON-RPC; a malformed line gets -32700 and the bridge keeps serving', TEST_TIMEOUT, async () => {
    const raw = rawBridge(bridge, ['--verbose']);
    try {
      raw.send('{this is not json');
      raw.send({ jsonrpc: '2.0', id: 'tools', method: 'tools/list', params: { _meta: meta2026 } });
      raw.send({ jsonrpc: '2.0', id: 7, method: 'no/such/method', params: { _meta: meta2026 } });
      const list = await raw.answer('tools');
      assert.ok(list.result?.tools?.some((t) => t.name === 'get_connection_status'), JSON.stringify(list));
      const unknown = await raw.answer(7);
      assert.equal(unknown.error?.code, -32601, JSON.stringify(unknown));
      const parseError = raw.messages.find((m) => m.error?.code === -32700);
      assert.ok(parseError, raw.lines.join('\n'));
      assert.equal(parseError.id, null);
    } finally {
      await raw.close();
    }
    for (const message of raw.messages) {
      assert.equal(message.jsonrpc, '2.0', `not JSON-RPC on stdout: ${JSON.stringify(message)}`);
    }
    assert.ok(!raw.stderr().includes(bridge.tokens().access_token), 'the access token appeared on stderr');
  });

  it('answers a call made while the server is down once it is back', TEST_TIMEOUT, async () => {
    const raw = rawBridge(bridge);
    try {
      raw.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta2026 } });
      await raw.answer(1);
      await server.stop();
      raw.send({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'get_connection_status', arguments: {}, _meta: meta2026 },
      });
      await new Promise((r) => setTimeout(r, 700));
      await server.start();
      const call = await raw.answer(2);
      assert.equal(call.result?.structuredContent?.providers?.length, 3, `${JSON.stringify(call)}\n${raw.stderr()}`);
    } finally {
      await raw.close();
    }
  });

  it('a server that stays down: a JSON-RPC error with the request id, after bounded retries', TEST_TIMEOUT, async () => {
    const port = await freePort();
    const raw = rawBridge(pierreBridge(home, `http://127.0.0.1:${port}`), ['--api-key', 'pk_unused', '--retry-seconds', '1']);
    try {
      raw.send({ jsonrpc: '2.0', id: 'down', method: 'tools/list', params: { _meta: meta2026 } });
      const answer = await raw.answer('down');
      assert.equal(answer.error?.code, -32000, JSON.stringify(answer));
    } finally {
      await raw.close();
    }
  });

  it('--api-key: no OAuth, tools/list and tools/call', TEST_TIMEOUT, async () => {
    const base = server.current.baseUrl;
    const apiKey = await createApiKey(base);
    const isolated = pierreBridge(mkdtempSync(path.join(home, 'api-key-')), base);
    const watcher = loginWatcher(`${base}/oauth2/authorize`);
    const client = await connectV1({ launch: () => isolated.launch(['--api-key', apiKey]) }, watcher);
    try {
      await listAndCall(client, () => watcher.stderr);
    } finally {
      await client.close();
    }
    assert.equal(watcher.logins.length, 0, watcher.stderr);
    assert.ok(!existsSync(isolated.tokenDir), 'API-key mode stored tokens');
    assert.ok(!watcher.stderr.includes(apiKey), 'the API key appeared on stderr');
  });

  it('a refused access token (401) is refreshed once, transparently', TEST_TIMEOUT, async () => {
    // A dead access token whose stored expiry is still ahead: only the server's 401 can tell the bridge.
    const before = bridge.tokens();
    writeFileSync(
      bridge.tokenFile(),
      JSON.stringify({ ...before, access_token: 'revoked.access.token', expires_at: Math.floor(Date.now() / 1000) + 3600 }),
    );
    const raw = rawBridge(bridge, ['--verbose']);
    try {
      raw.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta2026 } });
      const list = await raw.answer(1);
      assert.ok(list.result?.tools?.length > 0, `${JSON.stringify(list).slice(0, 300)}\n${raw.stderr()}`);
      assert.match(raw.stderr(), /refused the access token/);
      assert.doesNotMatch(raw.stderr(), /authorize this client/);
    } finally {
      await raw.close();
    }
    assert.notEqual(bridge.tokens().access_token, 'revoked.access.token');
  });

  it('the browser\'s output stays off stdout; closing stdin while its login is pending ends the bridge', TEST_TIMEOUT, async () => {
    const fresh = pierreBridge(mkdtempSync(path.join(home, 'pending-')), server.current.baseUrl);
    // `echo URL` as the browser: what it prints must land on stderr, never on the protocol channel.
    const raw = rawBridge(fresh, [], { PIERRE_BROWSER: 'echo' });
    raw.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta2026 } });
    for (let i = 0; i < 100 && !/authorize this client/.test(raw.stderr()); ++i) await new Promise((r) => setTimeout(r, 100));
    assert.match(raw.stderr(), /authorize this client/);
    const started = Date.now();
    const exit = await raw.close();
    assert.equal(exit.code, 0, raw.stderr());
    assert.ok(Date.now() - started < 9000, `took ${Date.now() - started} ms to exit`);
    assert.deepEqual(raw.lines, [], 'nothing may reach stdout before an answer');
    const urls = raw.stderr().match(/http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?\S+/g) ?? [];
    assert.equal(urls.length, 2, `the URL once from the bridge, once from the "browser":\n${raw.stderr()}`);
  });

  it('logout revokes and removes the stored tokens', TEST_TIMEOUT, async () => {
    const file = bridge.tokenFile();
    const stored = bridge.tokens();
    const launch = bridge.launch();
    const child = spawn(launch.command, ['logout', ...launch.args], { env: { PATH: process.env.PATH, ...launch.env } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.ok(!existsSync(file), `${file} still exists`);
    assert.match(stderr, /logged out/);
    const reuse = await postForm(stored.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: stored.refresh_token,
      client_id: stored.client_id,
    });
    assert.equal(reuse.json?.error, 'invalid_grant', `the refresh token still works: ${reuse.status}`);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Everything the SDK clients do directly against the server, through the bridge instead: progress notifications,
// cancellation (notifications/cancelled over stdio → the stream closed, and forwarded in a 2025 session), resources,
// prompts — the common client suite (lib/client-tests.mjs) on the fixtures server, with an API key.

describe('pierre-mcp-client relays the common client suite', { timeout: 300000 }, () => {
  let server;
  let home;
  let apiKey;
  const clients = {};

  before(async () => {
    server = await startServer({ mode: 'fixtures' });
    await setupUser(server.baseUrl);
    apiKey = await createApiKey(server.baseUrl);
    home = mkdtempSync(path.join(tmpdir(), 'pierre-e2e-bridge-common-'));
  });

  after(async () => {
    for (const client of Object.values(clients)) await client.close().catch(() => {});
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const launch = () => pierreBridge(home, server.baseUrl).launch(['--api-key', apiKey]);

  describe('SDK v1, 2025-11-25 session', () => {
    before(async () => {
      clients.v1 = new Client({ name: 'pierre-e2e-bridge-v1', version: '1.0.0' });
      await clients.v1.connect(new StdioClientTransport({ ...launch(), stderr: 'ignore' }));
    });
    defineCommonClientTests({
      client: () => clients.v1,
      server: () => server,
      callTool: (params, options) => clients.v1.callTool(params, CallToolResultSchema, options),
      expectedTools: ['test_tool_with_progress'],
    });
  });

  describe('SDK v2, 2026-07-28', () => {
    before(async () => {
      clients.v2 = new ClientV2(
        { name: 'pierre-e2e-bridge-v2', version: '1.0.0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      await clients.v2.connect(new StdioClientTransportV2({ ...launch(), stderr: 'ignore' }));
    });
    defineCommonClientTests({
      client: () => clients.v2,
      server: () => server,
      callTool: (params, options) => clients.v2.callTool(params, options),
      expectedTools: ['test_tool_with_progress'],
    });

    it('mirrors x-mcp-header arguments in Mcp-Param-* headers (plain and base64)', TEST_TIMEOUT, async () => {
      for (const region of ['eu-west-1', 'Zürich ']) {
        const result = await clients.v2.callTool({ name: 'test_custom_header', arguments: { region } });
        assert.notEqual(result.isError, true, JSON.stringify(result));
        assert.equal(result.content[0].text, `region: ${region}`);
      }
    });
  });

  it('a tool called before any tools/list: the header mismatch makes the bridge learn the schema', TEST_TIMEOUT, async () => {
    const raw = rawBridge(pierreBridge(home, server.baseUrl), ['--api-key', apiKey]);
    try {
      raw.send({
        jsonrpc: '2.0',
        id: 'h',
        method: 'tools/call',
        params: { name: 'test_custom_header', arguments: { region: 'ap-south' }, _meta: meta2026 },
      });
      const call = await raw.answer('h');
      assert.equal(call.result?.content?.[0]?.text, 'region: ap-south', `${JSON.stringify(call)}\n${raw.stderr()}`);
      assert.equal(raw.messages.length, 1, 'only the answer reaches the client');
    } finally {
      await raw.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// A client ID metadata document instead of dynamic registration (--client-metadata-url): the document is served over
// HTTPS on loopback with a throw-away certificate the server trusts (development mode allows a loopback host).

describe('pierre-mcp-client with a client ID metadata document', { timeout: 120000 }, () => {
  let server;
  let host;
  let home;
  const documentUrl = () => `https://localhost:${host.address().port}/client.json`;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'pierre-e2e-bridge-cimd-'));
    const certificate = makeCertificate(home);
    host = https.createServer({ key: readFileSync(certificate.key), cert: readFileSync(certificate.cert) }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          client_id: documentUrl(),
          client_name: 'pierre-mcp-client (CIMD e2e)',
          redirect_uris: ['http://127.0.0.1/callback'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
          application_type: 'native',
        }),
      );
    });
    await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
    server = await startServer({ mode: 'none', env: { PIERRE_OUTBOUND_CA_FILE: certificate.cert } });
    await setupUser(server.baseUrl);
  });

  after(async () => {
    await server?.stop();
    await new Promise((resolve) => host?.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  it('signs in with the document URL as client_id, no registration', TEST_TIMEOUT, async () => {
    const metadata = await authorizationServerMetadata(server.baseUrl);
    assert.equal(metadata.client_id_metadata_document_supported, true);
    const bridge = pierreBridge(home, server.baseUrl);
    const watcher = loginWatcher(metadata.authorization_endpoint);
    const client = await connectV1({ launch: () => bridge.launch(['--client-metadata-url', documentUrl()]) }, watcher);
    try {
      await listAndCall(client, () => watcher.stderr);
    } finally {
      await client.close();
    }
    assert.deepEqual(watcher.errors, [], watcher.stderr);
    assert.equal(watcher.logins.length, 1, watcher.stderr);
    assert.equal(new URL(watcher.logins[0].url).searchParams.get('client_id'), documentUrl());
    assert.equal(bridge.tokens().client_id, documentUrl());
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// A real expiry, nothing edited: the server issues 60 s access tokens; a running bridge renews its token by itself
// shortly before it expires (30 s ahead), so a call made after that point carries a fresh token and the stored
// refresh token has rotated — without a 401 and without a login.

describe('pierre-mcp-client renews a short-lived token while it runs', { timeout: 150000 }, () => {
  let server;
  let home;

  before(async () => {
    ({ server, home } = await serverAndHome('expiry', { PIERRE_OAUTH_ACCESS_TOKEN_SECS: '60' }));
  });

  after(async () => {
    await server?.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('refreshes before expiry with no user action', { timeout: 120000 }, async () => {
    const bridge = pierreBridge(home, server.current.baseUrl);
    const watcher = loginWatcher((await authorizationServerMetadata(server.current.baseUrl)).authorization_endpoint);
    const client = await connectV1({ launch: () => bridge.launch(['--verbose']) }, watcher);
    try {
      await listAndCall(client, () => watcher.stderr);
      const first = bridge.tokens();
      assert.ok(first.expires_at - Date.now() / 1000 <= 61, `expires_at ${first.expires_at}`);
      const renewAt = (first.expires_at - 30) * 1000 + 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, renewAt - Date.now())));
      await listAndCall(client, () => watcher.stderr);
      const second = bridge.tokens();
      assert.notEqual(second.access_token, first.access_token, 'the access token was not renewed');
      assert.notEqual(second.refresh_token, first.refresh_token, 'the refresh token did not rotate');
      assert.ok(second.expires_at > first.expires_at);
    } finally {
      await client.close();
    }
    assert.equal(watcher.logins.length, 1, watcher.stderr);
    assert.match(watcher.stderr, /expires soon: refreshing/);
    assert.doesNotMatch(watcher.stderr, /refused the access token/);
  });
});
