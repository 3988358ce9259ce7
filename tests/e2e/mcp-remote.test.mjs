// mcp-remote (0.15.1, the stdio↔remote proxy many desktop MCP clients use) and the MCP Inspector CLI against the server
// in its production posture, with OAuth from the server's own authorization server:
//   1. `mcp-remote-client <url> <port>` does the whole OAuth dance itself (discovery, registration, PKCE, its own
//      callback server on http://localhost:<port>/oauth/callback); lib/browser.mjs logs in through the real login +
//      consent form and follows the redirect to that callback; it then connects ("Connected successfully!").
//   2. `mcp-remote <url> <port>` (the stdio proxy) reuses the stored tokens: raw JSON-RPC initialize, tools/list and
//      tools/call get_connection_status over its stdin/stdout (2025-11-25; and with --protocol auto, 2026-07-28).
//   3. The Inspector CLI with that access token in an `Authorization: Bearer` header; without any token (refused); and
//      doing OAuth itself (MCP_AUTO_OPEN_ENABLED, file secret store in the temporary HOME), then --stored-auth-only.
// Tokens live in a throw-away MCP_REMOTE_CONFIG_DIR.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { authorize, authorizationServerMetadata, setupUser } from './lib/browser.mjs';
import { describeExit, freePort, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 90000 };

const require = createRequire(import.meta.url);
function binOf(pkgName, bin) {
  const pkgJson = require.resolve(`${pkgName}/package.json`);
  return path.join(path.dirname(pkgJson), JSON.parse(readFileSync(pkgJson, 'utf8')).bin[bin]);
}
const remoteClientBin = binOf('mcp-remote', 'mcp-remote-client');
const remoteProxyBin = binOf('mcp-remote', 'mcp-remote');
const inspectorBin = binOf('@modelcontextprotocol/inspector', 'mcp-inspector');

const home = mkdtempSync(path.join(tmpdir(), 'pierre-e2e-mcp-remote-'));
const configDir = path.join(home, 'mcp-auth');
const childEnv = { ...process.env, HOME: home, MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: 'true' };

/** Runs a node script to completion; `onOutput(all)` sees stdout+stderr as they grow. */
function run(script, args, { onOutput = () => {}, timeoutMs = 75000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...childEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      stdout += c;
      onOutput(stdout + stderr, child);
    });
    child.stderr.setEncoding('utf8').on('data', (c) => {
      stderr += c;
      onOutput(stdout + stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Starts the stdio proxy, sends `initialize`, waits for its answer, then sends the other messages and waits for an
 * answer to every request among them. Resolves to {responses: Map<id, message>, stderr}.
 */
async function proxySession(args, requests) {
  const child = spawn(process.execPath, [remoteProxyBin, ...args], {
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const responses = new Map();
  let stderr = '';
  let buffer = '';
  let waiting = [];
  const settle = () => {
    waiting = waiting.filter((w) => {
      if (!w.ids.every((id) => responses.has(id))) return true;
      w.resolve();
      return false;
    });
  };
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (c) => {
    buffer += c;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      try {
        const msg = JSON.parse(line);
        if (msg.id !== undefined && (msg.result !== undefined || msg.error !== undefined)) responses.set(msg.id, msg);
      } catch {
        stderr += `[non-JSON stdout] ${line}\n`;
      }
    }
    settle();
  });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const waitFor = (ids, ms = 45000) =>
    Promise.race([
      new Promise((resolve) => {
        waiting.push({ ids, resolve });
        settle();
      }),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer to ${ids} within ${ms} ms\nstderr:\n${stderr}`)), ms).unref(),
      ),
      exited.then(({ code, signal }) => {
        throw new Error(`mcp-remote exited (${code} ${signal ?? ''}) before answering ${ids}\nstderr:\n${stderr}`);
      }),
    ]);
  const send = (msg) => child.stdin.write(`${JSON.stringify(msg)}\n`);
  try {
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'pierre-e2e-mcp-remote', version: '1.0.0' },
      },
    });
    await waitFor([1]);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    for (const r of requests) send(r);
    await waitFor(requests.map((r) => r.id));
  } finally {
    child.stdin.end();
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    child.kill('SIGKILL');
  }
  return { responses, stderr };
}

function storedTokens() {
  const dir = path.join(configDir, 'mcp-remote-v1');
  const file = readdirSync(dir).find((f) => f.endsWith('_tokens.json'));
  assert.ok(file, `no *_tokens.json in ${dir}: ${readdirSync(dir).join(', ')}`);
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
}

describe('mcp-remote and the Inspector CLI with OAuth', { timeout: 300000 }, () => {
  let server;
  let metadata;
  let callbackPort;

  before(async () => {
    server = await startServer({ mode: 'none', logLevel: 'debug' });
    await setupUser(server.baseUrl);
    metadata = await authorizationServerMetadata(server.baseUrl);
    callbackPort = await freePort();
  });

  after(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('mcp-remote-client: OAuth through the login form, then connects', TEST_TIMEOUT, async () => {
    const urlPattern = new RegExp(
      `(${metadata.authorization_endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?[^\\s"'<>]+)`,
    );
    let login;
    let loginError;
    const result = await run(remoteClientBin, [server.mcpUrl, String(callbackPort), '--auth-timeout', '60'], {
      onOutput: (all, child) => {
        const m = urlPattern.exec(all);
        if (m && !login) {
          login = authorize(m[1], { follow: true }).catch((err) => {
            loginError = err;
            child.kill('SIGTERM');
          });
        }
      },
    });
    const loginResult = await login;
    const context =
      `exit ${result.code} ${result.signal ?? ''}\n` +
      `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
    assert.ok(login, `mcp-remote-client printed no authorization URL\n${context}`);
    assert.ifError(loginError);
    assert.equal(loginResult.error, undefined, `authorization error: ${loginResult.location}`);
    const redirect = new URL(loginResult.location);
    assert.equal(redirect.port, String(callbackPort), loginResult.location);
    assert.equal(loginResult.iss, metadata.issuer);
    assert.equal(loginResult.callback?.status, 200, JSON.stringify(loginResult.callback));
    assert.equal(result.code, 0, context);
    assert.match(result.stderr, /Connected successfully!/, context);
    // (Its tools listing is not asserted: it may shut down before logging it. The proxy tests below list and call.)

    const tokens = storedTokens();
    assert.ok(tokens.access_token && tokens.refresh_token, Object.keys(tokens).join(', '));
  });

  for (const [label, extra, version] of [
    ['2025-11-25', [], '2025-11-25'],
    // --debug: its debug log (in the temporary config dir) says which era it bridged to.
    ['--protocol auto: 2026-07-28 upstream', ['--protocol', 'auto', '--debug'], null],
  ]) {
    it(`mcp-remote stdio proxy, stored tokens: initialize, tools/list+call, ${label}`, TEST_TIMEOUT, async () => {
      const { responses, stderr } = await proxySession([server.mcpUrl, String(callbackPort), ...extra], [
        { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
        { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_connection_status', arguments: {} } },
      ]);
      const init = responses.get(1);
      assert.ok(init?.result, `initialize: ${JSON.stringify(init)}\n${stderr}`);
      if (version) assert.equal(init.result.protocolVersion, version);
      const list = responses.get(2);
      assert.ok(list?.result, `tools/list: ${JSON.stringify(list)}\n${stderr}`);
      const names = list.result.tools.map((t) => t.name);
      assert.ok(names.includes('get_connection_status'), names.join(', '));
      const call = responses.get(3);
      assert.ok(call?.result, `tools/call: ${JSON.stringify(call)}\n${stderr}`);
      assert.notEqual(call.result.isError, true, JSON.stringify(call.result));
      assert.equal(call.result.structuredContent?.providers?.length, 3, JSON.stringify(call.result));
      assert.doesNotMatch(stderr, /Please authorize this client/, 'the proxy asked for a new authorization');
      if (extra.includes('auto')) {
        const dir = path.join(configDir, 'mcp-remote-v1');
        const debugLog = readdirSync(dir)
          .filter((f) => f.endsWith('_debug.log'))
          .map((f) => readFileSync(path.join(dir, f), 'utf8'))
          .join('\n');
        assert.match(debugLog, /Bridging to a modern server[^\n]*2026-07-28/, `debug log:\n${debugLog.slice(-3000)}`);
      }
    });
  }

  it('Inspector CLI with the access token as an Authorization header', TEST_TIMEOUT, async () => {
    const { access_token: token } = storedTokens();
    const result = await run(inspectorBin, [
      '--cli', server.mcpUrl,
      '--transport', 'http',
      '--header', `Authorization: Bearer ${token}`,
      '--method', 'tools/call',
      '--tool-name', 'get_connection_status',
      '--format', 'json',
    ]);
    const context = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`.replaceAll(
      token,
      '<token>',
    );
    assert.equal(result.code, 0, context);
    const parsed = JSON.parse(result.stdout);
    assert.notEqual(parsed.result?.isError, true, context);
    assert.equal(parsed.result?.structuredContent?.providers?.length, 3, context);
  });

  it('Inspector CLI without a token is refused (auth_required), not served', TEST_TIMEOUT, async () => {
    const result = await run(inspectorBin, [
      '--cli', server.mcpUrl,
      '--transport', 'http',
      '--stored-auth-only',
      '--method', 'tools/list',
      '--format', 'json',
    ]);
    const context = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
    assert.notEqual(result.code, 0, context);
    assert.match(`${result.stdout}${result.stderr}`, /auth_required|401|unauthori[sz]ed/i, context);
  });

  it('Inspector CLI doing OAuth itself (DCR, login form), then reusing the stored token', TEST_TIMEOUT, async () => {
    const port = await freePort();
    const urlPattern = new RegExp(
      `(${metadata.authorization_endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?[^\\s"'<>]+)`,
    );
    let login;
    let loginError;
    const env = { MCP_AUTO_OPEN_ENABLED: 'true', MCP_INSPECTOR_SECRET_STORE: 'file' };
    const result = await run(
      inspectorBin,
      [
        '--cli', server.mcpUrl,
        '--transport', 'http',
        '--callback-url', `http://127.0.0.1:${port}/oauth/callback`,
        '--method', 'tools/call',
        '--tool-name', 'get_connection_status',
        '--format', 'json',
      ],
      {
        env,
        onOutput: (all, child) => {
          const m = urlPattern.exec(all);
          if (m && !login) {
            login = authorize(m[1], { follow: true }).catch((err) => {
              loginError = err;
              child.kill('SIGTERM');
            });
          }
        },
      },
    );
    const loginResult = await login;
    const context = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
    assert.ok(login, `the Inspector printed no authorization URL\n${context}`);
    assert.ifError(loginError);
    assert.equal(loginResult.error, undefined, `authorization error: ${loginResult.location}`);
    assert.equal(loginResult.iss, metadata.issuer);
    assert.equal(result.code, 0, context);
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.result?.structuredContent?.providers?.length, 3, context);

    const again = await run(
      inspectorBin,
      [
        '--cli', server.mcpUrl,
        '--transport', 'http',
        '--stored-auth-only',
        '--method', 'tools/list',
        '--format', 'json',
      ],
      { env },
    );
    const againContext = `exit ${again.code}\nstdout: ${again.stdout}\nstderr: ${again.stderr}`;
    assert.equal(again.code, 0, againContext);
    assert.ok(JSON.parse(again.stdout).result.tools.some((t) => t.name === 'get_connection_status'), againContext);
  });

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
