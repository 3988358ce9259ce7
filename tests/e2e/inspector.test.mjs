// The official MCP Inspector, in CLI mode, against the real server serving its product tools without credentials
// (--mcp-allow-anonymous; no conformance fixtures).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeExit, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 90000 };

// The Inspector's `mcp-inspector` bin, run with this (Node 22) binary rather than whatever `node` is on PATH.
const require = createRequire(import.meta.url);
const pkgJson = require.resolve('@modelcontextprotocol/inspector/package.json');
const inspectorBin = path.join(
  path.dirname(pkgJson),
  JSON.parse(readFileSync(pkgJson, 'utf8')).bin['mcp-inspector'],
);

// The Inspector keeps a catalog and settings under $HOME/.mcp-inspector: give it a throw-away home.
const home = mkdtempSync(path.join(tmpdir(), 'pierre-e2e-inspector-'));

function inspector(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [inspectorBin, '--cli', ...args], {
      env: { ...process.env, HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// Runs the CLI with --format json and returns the parsed `result`.
async function inspectorJson(args) {
  const run = await inspector([...args, '--format', 'json']);
  const context =
    `mcp-inspector ${args.join(' ')}\nexit ${run.code} ${run.signal ?? ''}\n` +
    `stdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assert.equal(run.code, 0, context);
  let parsed;
  assert.doesNotThrow(() => (parsed = JSON.parse(run.stdout)), context);
  assert.ok(parsed.result, context);
  return parsed.result;
}

describe('MCP Inspector CLI against the product tools', { timeout: 300000 }, () => {
  let server;

  before(async () => {
    server = await startServer({ mode: 'anonymous' });
  });

  after(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  for (const era of ['legacy', 'modern']) {
    it(`lists the product tools (${era} protocol era)`, TEST_TIMEOUT, async () => {
      const result = await inspectorJson([
        server.mcpUrl,
        '--transport', 'http',
        '--method', 'tools/list',
        '--protocol-era', era,
      ]);
      const names = result.tools.map((t) => t.name);
      assert.ok(names.includes('get_connection_status'), names.join(', '));
      assert.ok(names.includes('get_configuration_catalog'), names.join(', '));
      // --mcp-allow-anonymous serves the product, not the conformance fixtures.
      assert.deepEqual(names.filter((n) => n.startsWith('test_')), []);
    });
  }

  it('calls get_connection_status', TEST_TIMEOUT, async () => {
    const result = await inspectorJson([
      server.mcpUrl,
      '--transport', 'http',
      '--method', 'tools/call',
      '--tool-name', 'get_connection_status',
    ]);
    assert.notEqual(result.isError, true, JSON.stringify(result));
    assert.equal(result.structuredContent?.providers?.length, 3, JSON.stringify(result));
  });

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
