// Starts the real pierre-mcp-server binary on a free loopback port for an e2e test, and stops it afterwards.
//
// The binary is $PIERRE_SERVER_BIN (`make test` sets it for the dev and for the ASan pass), else
// $PIERRE_SERVER_BIN_DEFAULT (ctest sets it to the binary of the build tree the test belongs to), else the dev build of
// this checkout.
//
// Each server's stderr — its logs — is also appended to <dir>/e2e-<pid>.log once the process has ended, where <dir>
// is $PIERRE_TEST_LOG_DIR, else $PIERRE_TEST_LOG_DIR_DEFAULT (ctest sets it to <build>/test-logs); neither set, no
// copy is kept. ctest scans that directory after the whole run (tests/logscan: no password, token, key or email in
// clear).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const e2eDir = path.resolve(here, '..');
const repoRoot = path.resolve(e2eDir, '../..');

export function serverBinary() {
  const bin =
    process.env.PIERRE_SERVER_BIN ||
    process.env.PIERRE_SERVER_BIN_DEFAULT ||
    path.join(repoRoot, 'build/dev/apps/pierre-mcp-server/pierre-mcp-server');
  if (!existsSync(bin)) {
    throw new Error(`server binary not found: ${bin} (build it, or set PIERRE_SERVER_BIN)`);
  }
  return bin;
}

// How long start-up and shutdown may take. The ASan build is several times slower than the dev build.
const READY_TIMEOUT_MS = Number(process.env.PIERRE_E2E_READY_TIMEOUT_MS || 30000);
// The server gives in-flight requests SHUTDOWN_GRACE_SECS (10 s by default) after SIGTERM.
const STOP_TIMEOUT_MS = 30000;

const MODES = {
  fixtures: ['--conformance-fixtures'], // the conformance suite's fixture tools, resources and prompts
  anonymous: ['--mcp-allow-anonymous'], // the product tools, without credentials
  none: [], // production posture: /mcp needs credentials
};

const running = new Set();
const unsavedLogs = new Map(); // child → () => void that saves its stderr, for children still running at exit
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const save of unsavedLogs.values()) save();
});

/** Appends a server's stderr to <log dir>/e2e-<pid>.log (nothing when no log directory is set). */
function saveServerLog(pid, stderr) {
  const dir = process.env.PIERRE_TEST_LOG_DIR || process.env.PIERRE_TEST_LOG_DIR_DEFAULT;
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    appendFileSync(path.join(dir, `e2e-${pid}.log`), stderr, { mode: 0o600 });
  } catch (err) {
    process.stderr.write(`warning: cannot save the server log to ${dir}: ${err.message}\n`);
  }
}

/**
 * Starts the server and resolves once it printed its "listening on http://HOST:PORT" line.
 * `dev: false` runs it in production mode (PIERRE_ENV=production), with a random master key unless `env` sets one.
 * A restart "of the same server" passes the first run's `port` and `dataDir` (kept: the caller removes it) with a
 * `databaseUrl` inside it, so keys, users and OAuth grants survive.
 * @param {{mode?: 'fixtures'|'anonymous'|'none', args?: string[], env?: Record<string,string>, logLevel?: string,
 *          dev?: boolean, port?: number, dataDir?: string, databaseUrl?: string}} options
 */
export async function startServer({
  mode = 'fixtures',
  args = [],
  env = {},
  logLevel = 'warn',
  dev = true,
  port: fixedPort = 0,
  dataDir: keptDataDir,
  databaseUrl = 'sqlite::memory:',
} = {}) {
  if (!(mode in MODES)) throw new Error(`unknown server mode ${mode}`);
  const bin = serverBinary();
  const dataDir = keptDataDir ?? mkdtempSync(path.join(tmpdir(), 'pierre-e2e-'));
  if (!dev) {
    env = { PIERRE_MASTER_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ...env, PIERRE_ENV: 'production' };
  }
  const argv = [
    ...(dev ? ['--dev'] : []),
    '--host', '127.0.0.1',
    '--port', String(fixedPort),
    '--database-url', databaseUrl,
    '--data-dir', dataDir,
    '--log-level', logLevel,
    ...MODES[mode],
    ...args,
  ];
  const child = spawn(bin, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.setEncoding('utf8');

  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  // 'close' comes after 'exit' once stderr is drained, so the whole log is saved.
  const saveLog = () => {
    if (unsavedLogs.delete(child)) saveServerLog(child.pid, stderr);
  };
  unsavedLogs.set(child, saveLog);
  const closed = new Promise((resolve) => {
    child.on('close', () => {
      saveLog();
      resolve();
    });
  });

  const cleanup = () => {
    if (!keptDataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  let port;
  try {
    port = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not print its ready line within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const m = /listening on http:\/\/[^\s:]+:(\d+)[^\n]*\n/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`server exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    await closed;
    cleanup();
    throw new Error(`${err.message}\n$ ${bin} ${argv.join(' ')}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
  }
  // Keep reading stdout so the server never blocks on a full pipe.
  child.stdout.on('data', () => {});

  const baseUrl = `http://127.0.0.1:${port}`;
  let stopped;
  return {
    port,
    baseUrl,
    mcpUrl: `${baseUrl}/mcp`,
    pid: child.pid,
    stderr: () => stderr,
    /** True while the process runs. */
    alive: () => child.exitCode === null && child.signalCode === null,
    /**
     * SIGTERM, then SIGKILL if it does not exit within STOP_TIMEOUT_MS. Resolves to {code, signal, stderr}:
     * a clean shutdown is code 0 (under ASan, a leak or any sanitizer report makes it non-zero).
     */
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        let timer;
        const killed = new Promise((resolve) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, STOP_TIMEOUT_MS);
        });
        await Promise.race([exited, killed]);
        clearTimeout(timer);
        const status = await exited;
        await closed;
        cleanup();
        return { ...status, stderr };
      })();
      return stopped;
    },
  };
}

/** A loopback port nothing listens on right now (for a client's own callback server, or a server restarted on it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A readable description of how the server ended, for assertion messages. */
export function describeExit({ code, signal, stderr }) {
  const lines = stderr.split('\n');
  // A sanitizer report (ASan/LSan "==PID==ERROR:", UBSan "runtime error:") is shown from its start; else the tail.
  const sanitizer = /==\d*==ERROR:|runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer/;
  const report = lines.findIndex((l) => sanitizer.test(l));
  const from = report >= 0 ? report : Math.max(0, lines.length - 40);
  const shown = lines.slice(from, from + 300).join('\n');
  return `server exit code ${code}, signal ${signal}\n--- server stderr (from line ${from + 1}) ---\n${shown}`;
}
