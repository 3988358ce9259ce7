// The login + consent page of GET/POST /oauth2/authorize, driven over HTTP by lib/browser.mjs as a browser would, with
// a hand-built PKCE authorization request for a client registered by POST /oauth2/register: the page and its security
// headers, the CSRF cookie, a wrong password, a POST without the cookie, Deny, Allow + the token exchange (and a
// replayed code), and the remembered sign-in + consent on a second authorization from the same browser.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CookieJar,
  TEST_USER,
  authorize,
  authorizationServerMetadata,
  fillForm,
  parseForms,
  postForm,
  registerClient,
  setupUser,
} from './lib/browser.mjs';
import { describeExit, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const REDIRECT_URI = 'http://127.0.0.1:47615/callback';

describe('OAuth login + consent page (/oauth2/authorize)', { timeout: 240000 }, () => {
  let server;
  let metadata;
  let client;
  const jar = new CookieJar(); // one browser for the whole suite

  /** A fresh authorization request: {url, state, verifier}. */
  function authorizationRequest(extra = {}) {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const url = new URL(metadata.authorization_endpoint);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
      resource: server.mcpUrl,
      ...extra,
    })) {
      url.searchParams.set(k, v);
    }
    return { url, state, verifier };
  }

  before(async () => {
    server = await startServer({ mode: 'none', logLevel: 'debug' });
    await setupUser(server.baseUrl);
    metadata = await authorizationServerMetadata(server.baseUrl);
    client = await registerClient(server.baseUrl, { client_name: 'login page e2e', redirect_uris: [REDIRECT_URI] });
  });

  after(async () => {
    await server?.stop();
  });

  it('GET renders the form (hidden request, csrf_token), a CSRF cookie, no framing', TEST_TIMEOUT, async () => {
    const { url } = authorizationRequest();
    const response = await fetch(url, { redirect: 'manual' });
    const html = await response.text();
    assert.equal(response.status, 200, html);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.headers.get('cache-control') ?? '', /no-store/);
    const framing = `${response.headers.get('x-frame-options')} ${response.headers.get('content-security-policy')}`;
    assert.match(framing, /DENY|frame-ancestors 'none'/i, framing);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('pierre_oauth_csrf='));
    assert.ok(cookie, `no pierre_oauth_csrf cookie: ${response.headers.getSetCookie()}`);
    assert.match(cookie, /;\s*HttpOnly/i, cookie);
    assert.match(cookie, /;\s*SameSite=(Strict|Lax)/i, cookie);
    const form = parseForms(html).find((f) => f.method === 'post');
    assert.ok(form, html);
    const names = form.inputs.map((i) => i.name);
    for (const name of ['email', 'password', 'request', 'csrf_token']) assert.ok(names.includes(name), names.join());
    assert.deepEqual(form.buttons.filter((b) => b.name === 'decision').map((b) => b.value).sort(), ['allow', 'deny']);
    assert.ok(html.includes('login page e2e'), 'the page does not name the client');
  });

  it('a wrong password shows the form again (401), with no redirect', TEST_TIMEOUT, async () => {
    const { url } = authorizationRequest();
    await assert.rejects(authorize(url, { password: 'not the right password' }), (err) => {
      assert.ok(err.page, `${err.stack}`);
      assert.equal(err.page.status, 401, err.page.text);
      assert.ok(parseForms(err.page.html).some((f) => f.inputs.some((i) => i.type === 'password')), err.page.text);
      return true;
    });
  });

  it('a POST without the CSRF cookie is refused (403), with no redirect', TEST_TIMEOUT, async () => {
    const { url } = authorizationRequest();
    const page = await fetch(url, { redirect: 'manual' });
    const form = parseForms(await page.text()).find((f) => f.method === 'post');
    const response = await fetch(new URL(form.action, url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, // no Cookie
      body: fillForm(form, { email: TEST_USER.email, password: TEST_USER.password, decision: 'allow' }).toString(),
      redirect: 'manual',
    });
    const body = await response.text();
    assert.equal(response.status, 403, body);
    assert.equal(response.headers.get('location'), null);
  });

  it('Deny redirects with error=access_denied, the state and iss', TEST_TIMEOUT, async () => {
    const { url, state } = authorizationRequest();
    const result = await authorize(url, { decision: 'deny' });
    assert.ok(result.location.startsWith(`${REDIRECT_URI}?`), result.location);
    assert.equal(result.error, 'access_denied');
    assert.equal(result.code, undefined);
    assert.equal(result.state, state);
    assert.equal(result.iss, metadata.issuer);
  });

  it('Allow redirects with a code that the token endpoint redeems once (PKCE, resource)', TEST_TIMEOUT, async () => {
    const { url, state, verifier } = authorizationRequest();
    const result = await authorize(url, { jar });
    assert.equal(result.error, undefined, result.location);
    assert.equal(result.state, state);
    assert.equal(result.iss, metadata.issuer);
    const exchange = {
      grant_type: 'authorization_code',
      code: result.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: client.client_id,
      resource: server.mcpUrl,
    };
    const token = await postForm(metadata.token_endpoint, exchange);
    assert.equal(token.status, 200, token.text);
    assert.match(token.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(token.headers.get('cache-control') ?? '', /no-store/);
    assert.match(token.json.token_type, /^bearer$/i);
    assert.ok(token.json.access_token && token.json.refresh_token, token.text);
    const replay = await postForm(metadata.token_endpoint, exchange);
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.json?.error, 'invalid_grant', replay.text);
  });

  it('a wrong code_verifier is invalid_grant', TEST_TIMEOUT, async () => {
    const { url } = authorizationRequest();
    const result = await authorize(url, { jar: new CookieJar() });
    const token = await postForm(metadata.token_endpoint, {
      grant_type: 'authorization_code',
      code: result.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: randomBytes(32).toString('base64url'),
      client_id: client.client_id,
      resource: server.mcpUrl,
    });
    assert.equal(token.status, 400, token.text);
    assert.equal(token.json?.error, 'invalid_grant', token.text);
  });

  it('the same browser, signed in and already consented, gets a code without a page', TEST_TIMEOUT, async () => {
    const { url, state } = authorizationRequest();
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    await response.text();
    assert.equal(response.status, 302, `expected a redirect straight back; cookies: ${jar.names()}`);
    const location = new URL(response.headers.get('location'));
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT_URI);
    assert.ok(location.searchParams.get('code'), location.href);
    assert.equal(location.searchParams.get('state'), state);
  });

  it('the user lists the authorized client and revokes it; its refresh token then fails', TEST_TIMEOUT, async () => {
    const { url, verifier } = authorizationRequest();
    const result = await authorize(url, { jar: new CookieJar() });
    const token = await postForm(metadata.token_endpoint, {
      grant_type: 'authorization_code',
      code: result.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: client.client_id,
      resource: server.mcpUrl,
    });
    assert.equal(token.status, 200, token.text);

    const login = await fetch(`${server.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: TEST_USER.email, password: TEST_USER.password }),
    });
    const { jwt_token: jwt } = await login.json();
    assert.ok(jwt, `POST /auth/login: HTTP ${login.status}`);
    const auth = { authorization: `Bearer ${jwt}` };
    const list = await fetch(`${server.baseUrl}/api/oauth2/authorizations`, { headers: auth });
    const listed = await list.json();
    assert.equal(list.status, 200, JSON.stringify(listed));
    const mine = listed.authorizations.filter((a) => a.client_id === client.client_id);
    assert.ok(mine.length >= 1, JSON.stringify(listed));
    assert.equal(mine[0].client_name, 'login page e2e');
    for (const grant of mine) {
      const del = await fetch(`${server.baseUrl}/api/oauth2/authorizations/${encodeURIComponent(grant.grant_id)}`, {
        method: 'DELETE',
        headers: auth,
      });
      assert.equal(del.status, 200, await del.text());
    }
    const after = await (await fetch(`${server.baseUrl}/api/oauth2/authorizations`, { headers: auth })).json();
    assert.deepEqual(after.authorizations.filter((a) => a.client_id === client.client_id), []);

    const refresh = await postForm(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: token.json.refresh_token,
      client_id: client.client_id,
      resource: server.mcpUrl,
    });
    assert.equal(refresh.status, 400, refresh.text);
    assert.equal(refresh.json?.error, 'invalid_grant', refresh.text);
  });

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
  });
});
