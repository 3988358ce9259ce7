// The web dashboard (web/, served at /dashboard) in a real browser: playwright-core drives Debian's Chromium
// (/usr/bin/chromium, installed by scripts/install-deps.sh) headless against the real server (`--demo`: the demo
// athlete is the super-admin).
//
//   admin signs in → approves a pending user (and rejects another) → creates an API key and copies it (read back from the clipboard) → the
//   key is used for an MCP call (plain fetch to /mcp) → the call appears in Live requests within 2 s and in Usage
//   (aggregated by the server) → the key is revoked → the next call with it is refused (401); the approved user signs
//   in and cannot reach the admin pages (the UI refuses, and the API answers 403).
// Along the way: no console errors, every form control has a label, text contrast meets WCAG AA, a screenshot of every page (saved under
// $PIERRE_E2E_ARTIFACTS_DIR, which ctest sets to <build>/tests/e2e/dashboard-artifacts), and the gzipped size of the
// dashboard bundle is reported (target < 300 KB).
//
// The dashboard must be built (web/dist): ctest's e2e_dashboard_build fixture runs `npm run build` in web/ first.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { describeExit, e2eDir, startServer } from './lib/server.mjs';

const repoRoot = path.resolve(e2eDir, '../..');
const distDir = path.join(repoRoot, 'web/dist');
const artifacts = process.env.PIERRE_E2E_ARTIFACTS_DIR || path.join(repoRoot, 'build/dev/tests/e2e/dashboard-artifacts');
const CHROMIUM = process.env.PIERRE_CHROMIUM || '/usr/bin/chromium';

const ADMIN = { email: 'demo@pierre.dev', password: 'pierre-demo-athlete' };
// The password the log scan knows (tests/logscan/known-secrets.txt).
const USER = { email: 'dashboard-user@example.com', password: 'another long password', display_name: 'Dashboard User' };
const REJECTED = { email: 'dashboard-rejected@example.com', password: 'another long password', display_name: 'Rejected' };
const TOOL = 'get_athlete';
const KEY_NAME = 'e2e dashboard key';

async function json(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

async function post(baseUrl, route, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${baseUrl}${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

// A stateless (2026-07-28) tools/call, authenticated by an API key, as any MCP client would send it.
function mcpCall(baseUrl, apiKey, tool) {
  const params = { name: tool, arguments: {}, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } };
  params._meta['io.modelcontextprotocol/clientCapabilities'] = {};
  return fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': 'tools/call',
      'Mcp-Name': tool,
      Authorization: `Bearer ${apiKey}`,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
  });
}

describe('web dashboard in Chromium', { timeout: 240000 }, () => {
  let server;
  let browser;
  let page;
  const consoleErrors = [];
  const unlabelled = [];
  const lowContrast = [];

  async function shot(name) {
    await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  }

  // Every visible form control must have an accessible label (a <label for>, aria-label or aria-labelledby).
  async function checkLabels(where) {
    const missing = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea')]
        .filter((el) => el.type !== 'hidden')
        .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    for (const m of missing) unlabelled.push(`${where}: ${m}`);
  }

  // WCAG 2 AA text contrast: every visible text against the first opaque background behind it (4.5:1, 3:1 for large
  // text). Canvas (the chart) is not text and is not checked.
  async function checkContrast(where) {
    const failures = await page.evaluate(() => {
      const rgb = (css) => (css.match(/[\d.]+/g) || []).map(Number);
      const luminance = ([r, g, b]) => {
        const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length >= 3 && (c.length === 3 || c[3] > 0.5)) return c;
        }
        return [255, 255, 255];
      };
      const out = [];
      for (const el of document.querySelectorAll('body *')) {
        const text = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim());
        if (text.length === 0 || el.closest('[hidden]') || el.disabled || el.getClientRects().length === 0) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
        const [l1, l2] = [luminance(rgb(style.color)), luminance(background(el))].sort((a, b) => b - a);
        const ratio = (l1 + 0.05) / (l2 + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) out.push(`${text.join(' ').slice(0, 40)} (${ratio.toFixed(2)}:1)`);
      }
      return out;
    });
    for (const f of failures) lowContrast.push(`${where}: ${f}`);
  }

  async function open(linkText, heading) {
    await page.getByRole('navigation').getByRole('link', { name: linkText, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  async function signIn(who) {
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  before(async () => {
    assert.ok(existsSync(path.join(distDir, 'index.html')), `the dashboard is not built: run npm run build in web/`);
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh`);
    mkdirSync(artifacts, { recursive: true });
    server = await startServer({ mode: 'none', args: ['--demo'] });
    const registered = await post(server.baseUrl, '/auth/register', USER);
    const body = await json(registered);
    assert.equal(registered.status, 201, JSON.stringify(body));
    assert.equal(body.status, 'pending');
    const other = await post(server.baseUrl, '/auth/register', REJECTED);
    assert.equal(other.status, 201);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
  });

  after(async () => {
    await browser?.close();
    if (server) {
      const exit = await server.stop();
      assert.equal(exit.code, 0, describeExit(exit));
    }
  });

  it('serves the app with a strict CSP and immutable hashed assets', async () => {
    const res = await fetch(`${server.baseUrl}/dashboard/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const html = await res.text();
    const asset = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)[1];
    const js = await fetch(`${server.baseUrl}${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control'), /immutable/);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
  });

  it('reports the gzipped size of the dashboard bundle (target < 300 KB)', (t) => {
    let total = 0;
    const assets = path.join(distDir, 'assets');
    for (const f of [...readdirSync(assets).map((n) => path.join(assets, n)), path.join(distDir, 'index.html')]) {
      total += gzipSync(readFileSync(f), { level: 9 }).length;
    }
    const kb = (total / 1024).toFixed(1);
    t.diagnostic(`dashboard bundle: ${kb} KB gzipped`);
    process.stdout.write(`dashboard bundle: ${kb} KB gzipped\n`);
    assert.ok(total < 300 * 1024, `bundle is ${kb} KB gzipped`);
  });

  it('admin: sign in, approve, create + copy a key, see its MCP call live and in usage, revoke it', async () => {
    await page.goto(`${server.baseUrl}/dashboard`);
    await page.getByRole('heading', { name: 'Sign in to Pierre' }).waitFor();
    await checkLabels('sign-in');
    await checkContrast('sign-in');
    await shot('01-signin');
    // Keyboard only: the email field has focus on arrival; Tab to the password, Enter submits.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'email');
    await page.keyboard.type(ADMIN.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // Approve the pending user.
    await open('Users', 'Users');
    await page.getByLabel('Show').selectOption('pending');
    const approve = page.getByRole('button', { name: `Approve ${USER.email}` });
    await approve.waitFor();
    await checkLabels('users');
    await checkContrast('users');
    await shot('02-users-pending');
    await approve.click();
    await page.getByText(`${USER.email} approved.`).waitFor();
    await page.getByRole('button', { name: `Reject ${REJECTED.email}` }).click();
    await page.getByText(`${REJECTED.email} rejected.`).waitFor();
    const refusedLogin = await post(server.baseUrl, '/auth/login', { email: REJECTED.email, password: REJECTED.password });
    assert.equal(refusedLogin.status, 401);

    // Create an API key and copy it.
    await open('API keys', 'API keys');
    await page.getByLabel('Key name').fill(KEY_NAME);
    await page.getByLabel('Tier').selectOption('starter');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('Your new API key');
    await shown.waitFor();
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByText('Copied.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /^pk_/);
    assert.equal(copied, await shown.inputValue());
    await checkLabels('api-keys');
    await checkContrast('api-keys');
    await shot('03-api-keys');

    // Live requests: the MCP call made with the key shows up within 2 s.
    await open('Live requests', 'Live requests');
    await page.getByText('Connected').waitFor();
    const call = await mcpCall(server.baseUrl, copied, TOOL);
    assert.equal(call.status, 200, await call.text());
    const sent = Date.now();
    await page.locator('#live-rows tr', { hasText: TOOL }).first().waitFor({ timeout: 2000 });
    assert.ok(Date.now() - sent <= 2000);
    await checkContrast('live');
    await shot('04-live-requests');

    // Usage analytics: aggregated by the database once the log's batch is written (every 0.5 s).
    let seen = false;
    for (let attempt = 0; attempt < 10 && !seen; ++attempt) {
      await open('Usage', 'Usage');
      await page.locator('main [aria-busy="false"]').first().waitFor();
      seen = await page
        .getByRole('region', { name: 'Requests per tool and route' })
        .getByText(TOOL, { exact: true })
        .isVisible()
        .catch(() => false);
      if (!seen) await page.waitForTimeout(500);
    }
    assert.ok(seen, 'the MCP call is listed in usage analytics');
    await checkLabels('usage');
    await checkContrast('usage');
    await shot('05-usage');
    // One user's requests: the approved user has made none yet.
    await page.getByLabel('User', { exact: true }).selectOption({ label: USER.email });
    await page.getByText('No requests in this range yet.').waitFor();
    await page.getByLabel('User', { exact: true }).selectOption({ label: 'All users' });
    await page.getByRole('region', { name: 'Requests per tool and route' }).waitFor();
    // Another range is another aggregation by the server: a past month has no requests.
    await page.getByLabel('From', { exact: true }).fill('2020-01-01');
    await page.getByLabel('From', { exact: true }).dispatchEvent('change');
    await page.getByLabel('To', { exact: true }).fill('2020-01-31');
    await page.getByLabel('To', { exact: true }).dispatchEvent('change');
    await page.getByText('No requests in this range yet.').waitFor();
    assert.equal(await page.getByTestId('total-requests').textContent(), '0');
    // The same page on a phone-sized screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await open('Usage', 'Usage');
    await page.locator('main [aria-busy="false"]').first().waitFor();
    await shot('05-usage-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });

    await open('Connections', 'Connections');
    await page.locator('main [aria-busy="false"]').first().waitFor();
    await shot('06-connections');
    await open('A2A clients', 'A2A clients');
    await page.locator('main [aria-busy="false"]').first().waitFor();
    await checkLabels('a2a');
    await checkContrast('a2a');
    await shot('07-a2a-clients');

    // Revoke the key: the next call with it fails.
    await open('API keys', 'API keys');
    await page.getByRole('button', { name: `Revoke ${KEY_NAME}` }).click();
    await page.getByText(`Key ${KEY_NAME} revoked`).waitFor();
    await shot('08-api-key-revoked');
    const refused = await mcpCall(server.baseUrl, copied, TOOL);
    assert.equal(refused.status, 401, await refused.text());
  });

  it('a regular user cannot reach the admin pages: the UI refuses and the API answers 403', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Pierre' }).waitFor();
    await signIn(USER);
    const navLinks = await page.getByRole('navigation').getByRole('link').allTextContents();
    assert.ok(!navLinks.includes('Users') && !navLinks.includes('A2A clients'), `links: ${navLinks}`);
    // The address of an admin page, followed in the app (a reload would sign out: the token lives in memory).
    await page.evaluate(() => {
      history.pushState({}, '', '/dashboard/users');
      dispatchEvent(new PopStateEvent('popstate'));
    });
    await page.getByRole('alert').filter({ hasText: 'Access denied' }).waitFor();
    await checkContrast('refused');
    await shot('09-user-refused');

    const login = await post(server.baseUrl, '/auth/login', { email: USER.email, password: USER.password });
    assert.equal(login.status, 200);
    const { jwt_token: token } = await login.json();
    for (const route of ['/admin/users', '/admin/pending-users', '/a2a/clients']) {
      const res = await fetch(`${server.baseUrl}${route}`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 403, `${route}: ${res.status}`);
    }
    const other = await fetch(`${server.baseUrl}/api/usage/summary?user_id=someone-else`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(other.status, 403);
  });

  it('no console errors, every form control labelled, text contrast at least WCAG AA', () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(unlabelled, []);
    assert.deepEqual(lowContrast, []);
  });
});
