// The official MCP conformance suite's authorization-server scenarios (`conformance authorization`, 0.2.0-alpha.12)
// against the server's own OAuth authorization server:
//   * authorization-server-metadata-endpoint — RFC 8414 metadata (a WARNING for no CIMD support is acceptable);
//   * authorization-code-grant — PKCE S256 + state + resource; the suite prints the authorize URL and waits for a
//     browser to land on its callback (http://127.0.0.1:<port>/callback): lib/browser.mjs logs in through the real
//     login + consent form and follows the redirect there; the suite then checks the redirect (code, state, iss) and
//     redeems the code (200, JSON, Cache-Control: no-store, access_token + token_type).
// The client is a public one registered beforehand with POST /oauth2/register, as the suite requires.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { authorize, authorizationServerMetadata, registerClient, setupUser } from './lib/browser.mjs';
import { describeExit, freePort, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 120000 };

const require = createRequire(import.meta.url);
const pkgJson = require.resolve('@modelcontextprotocol/conformance/package.json');
const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
const cli = path.join(path.dirname(pkgJson), typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin)[0]);

/** A loopback port nobody listens on right now (for the suite's callback server). */
describe('conformance authorization (the server as OAuth authorization server)', { timeout: 240000 }, () => {
  let server;
  let metadata;
  const outDir = mkdtempSync(path.join(tmpdir(), 'pierre-e2e-oauth-conformance-'));

  before(async () => {
    server = await startServer({ mode: 'none', logLevel: 'debug' });
    await setupUser(server.baseUrl);
    metadata = await authorizationServerMetadata(server.baseUrl);
  });

  after(async () => {
    await server?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('passes both scenarios (metadata, authorization code grant through the login form)', TEST_TIMEOUT, async () => {
    const port = await freePort();
    const callback = `http://127.0.0.1:${port}/callback`;
    const client = await registerClient(server.baseUrl, {
      client_name: 'conformance authorization',
      redirect_uris: [callback],
    });

    const args = [
      cli, 'authorization',
      // The suite compares the metadata's issuer with --url exactly: pass the issuer as published.
      '--url', metadata.issuer,
      '--client-id', client.client_id,
      '--resource', server.mcpUrl,
      '-p', String(port),
      '-o', outDir,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let login;
    let loginError;
    const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90000);
    // The suite prints the authorization URL on the line after "Access the following URL in your browser…".
    const urlLine = new RegExp(
      `^(${metadata.authorization_endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?\\S+)\\s*$`,
      'm',
    );
    const onData = (chunk) => {
      output += chunk;
      const m = urlLine.exec(output);
      if (m && !login) {
        login = authorize(m[1], { follow: true }).catch((err) => {
          loginError = err;
          child.kill('SIGTERM'); // the suite would wait 5 minutes for a callback that never comes
        });
      }
    };
    for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', onData);
    const { code, signal } = await exited;
    clearTimeout(timer);
    const result = await login;

    const context = `$ node ${args.slice(1).join(' ')}\nexit ${code} ${signal ?? ''}\n--- suite output ---\n${output}`;
    assert.ok(login, `the suite printed no authorization URL\n${context}`);
    assert.ifError(loginError);
    assert.equal(result.callback?.status, 200, `the suite's callback server: ${JSON.stringify(result.callback)}`);
    assert.equal(result.error, undefined, `authorization error ${result.error}: ${result.location}`);
    assert.equal(code, 0, context);
    // Every check of both scenarios passes (the metadata scenario adds a check when the server advertises client ID
    // metadata documents, so the count is not fixed).
    assert.match(output, /✓ authorization-server-metadata-endpoint: [1-9]\d* passed, 0 failed/, context);
    assert.match(output, /✓ authorization-code-grant: [1-9]\d* passed, 0 failed/, context);
    assert.match(output, /Total: [1-9]\d* passed, 0 failed/, context);
  });

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
