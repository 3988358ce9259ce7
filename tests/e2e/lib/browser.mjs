// A headless "browser" for the server's OAuth login + consent page (GET/POST /oauth2/authorize), and the small OAuth
// helpers the e2e tests share.
//
// authorize(url, {email, password}) does what a user does in a browser: GET the authorize URL (redirects handled by
// hand, cookies kept — the CSRF cookie `pierre_oauth_csrf` among them), parse the HTML form (hidden `request`,
// `csrf_token`, …), fill in email and password, press the `decision=allow` (or deny) button, i.e. POST the form as
// application/x-www-form-urlencoded with the cookie, and return the redirect to the client's redirect_uri. With
// `follow: true` it then GETs that Location, so that a local callback server (the conformance suite's, mcp-remote's,
// the Inspector's) receives it. If the server answers a step with another form (say, a separate consent page), that
// form is submitted too, up to a few steps.
//
// MemoryOAuthProvider is an in-memory OAuthClientProvider for the official SDKs (v1 and v2 share the shape): its
// redirectToAuthorization() logs in through authorize() and keeps the callback parameters for finishAuth().
import assert from 'node:assert/strict';

// A fixed password the log scan knows (tests/logscan/known-secrets.txt), so a leak of it into a server log fails.
export const TEST_USER = {
  email: 'oauth-e2e@example.com',
  password: 'another long password',
  display_name: 'OAuth E2E',
};

// ---------------------------------------------------------------------------------------------------------------------
// Cookies (one jar per login; attributes other than Max-Age/Expires are ignored — everything here is one origin)

export class CookieJar {
  #cookies = new Map();

  /** Takes the Set-Cookie headers of a response. */
  store(response) {
    const lines = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
    for (const line of lines) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v = ''] = a.split('=').map((s) => s.trim());
        if (/^max-age$/i.test(k)) return Number(v) <= 0;
        if (/^expires$/i.test(k)) return Date.parse(v) < Date.now();
        return false;
      });
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  get(name) {
    return this.#cookies.get(name);
  }

  names() {
    return [...this.#cookies.keys()];
  }

  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// HTML forms (a regex parser is enough for a server-rendered page we control)

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function parseAttributes(tag) {
  const attrs = {};
  const body = tag.replace(/^<\s*[a-z]+/i, '').replace(/\/?>$/, '');
  const re = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (let m; (m = re.exec(body)); ) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** The forms of a page: [{action, method, inputs: [{name, type, value, checked}], buttons: [{name, value, type}]}]. */
export function parseForms(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form\s*>/gi)) {
    const formTag = /^<form\b[^>]*>/i.exec(m[0])[0];
    const attrs = parseAttributes(formTag);
    const inputs = [];
    const buttons = [];
    for (const t of m[0].matchAll(/<input\b[^>]*>/gi)) {
      const a = parseAttributes(t[0]);
      const type = (a.type || 'text').toLowerCase();
      if (type === 'submit' || type === 'button' || type === 'image') {
        if (a.name) buttons.push({ name: a.name, value: a.value ?? '', type });
      } else {
        inputs.push({ name: a.name, type, value: a.value ?? '', checked: 'checked' in a });
      }
    }
    for (const t of m[0].matchAll(/<button\b[^>]*>/gi)) {
      const a = parseAttributes(t[0]);
      const type = (a.type || 'submit').toLowerCase();
      if (type === 'submit' && a.name) buttons.push({ name: a.name, value: a.value ?? '', type });
    }
    for (const t of m[0].matchAll(/<textarea\b[^>]*>([\s\S]*?)<\/textarea\s*>/gi)) {
      const a = parseAttributes(/^<textarea\b[^>]*>/i.exec(t[0])[0]);
      inputs.push({ name: a.name, type: 'textarea', value: decodeEntities(t[1]), checked: false });
    }
    forms.push({ action: attrs.action, method: (attrs.method || 'get').toLowerCase(), inputs, buttons });
  }
  return forms;
}

/** The page's text without tags, shortened: for error messages. */
export function pageText(html, max = 600) {
  const text = decodeEntities(
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The url-encoded body a browser would send for `form` after the user filled it in and pressed `decision`. */
export function fillForm(form, { email, password, decision }) {
  const body = new URLSearchParams();
  for (const input of form.inputs) {
    if (!input.name) continue;
    if ((input.type === 'checkbox' || input.type === 'radio') && !input.checked) continue;
    let { value } = input;
    if (input.type === 'password' || input.name === 'password') value = password ?? value;
    else if (input.type === 'email' || input.name === 'email' || input.name === 'username') value = email ?? value;
    body.append(input.name, value);
  }
  // The pressed button: the one carrying the decision, else the form's first named submit button.
  const pressed =
    form.buttons.find((b) => b.name === 'decision' && b.value === decision) ??
    (form.buttons.some((b) => b.name === 'decision') ? undefined : form.buttons[0]);
  if (pressed) {
    body.append(pressed.name, pressed.value);
  } else if (!body.has('decision')) {
    body.append('decision', decision);
  } else {
    body.set('decision', decision);
  }
  return body;
}

function isRedirect(status) {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * Logs in and consents in the server's authorize page, like a user in a browser.
 * @param {string|URL} authorizeUrl the URL the client sent the user to
 * @param {{email?: string, password?: string, decision?: 'allow'|'deny', follow?: boolean, maxSteps?: number,
 *          jar?: CookieJar, log?: (line: string) => void}} options
 * @returns {Promise<{location: string, params: URLSearchParams, code?: string, state?: string, iss?: string,
 *          error?: string, jar: CookieJar, pages: Array<{url: string, status: number, html: string}>,
 *          callback?: {status: number, body: string}}>}
 */
export async function authorize(authorizeUrl, options = {}) {
  const {
    email = TEST_USER.email,
    password = TEST_USER.password,
    decision = 'allow',
    follow = false,
    maxSteps = 5,
    jar = new CookieJar(),
    log = () => {},
  } = options;
  const start = new URL(authorizeUrl);
  const pages = [];
  // A redirect off the authorization server (or one carrying code/error) is the answer to the client.
  const isFinal = (url) =>
    url.origin !== start.origin || url.searchParams.has('code') || url.searchParams.has('error');

  let request = { url: start, method: 'GET', body: undefined };
  for (let step = 0; step < maxSteps * 2; ++step) {
    const headers = { accept: 'text/html,application/xhtml+xml', 'user-agent': 'pierre-e2e-browser/1.0' };
    const cookie = jar.header();
    if (cookie) headers.cookie = cookie;
    if (request.body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = start.origin;
      headers.referer = pages.at(-1)?.url ?? start.href;
    }
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body?.toString(),
      redirect: 'manual',
    });
    jar.store(response);
    const html = await response.text();
    log(`${request.method} ${request.url.pathname} → ${response.status}`);
    pages.push({ url: request.url.href, status: response.status, html });

    if (isRedirect(response.status)) {
      const location = response.headers.get('location');
      assert.ok(location, `${request.method} ${request.url.href}: HTTP ${response.status} without a Location`);
      const next = new URL(location, request.url);
      if (isFinal(next)) return finish(next, { jar, pages, follow });
      request = { url: next, method: 'GET', body: undefined };
      continue;
    }
    const forms = parseForms(html).filter((f) => f.method === 'post');
    const form =
      forms.find((f) => f.inputs.some((i) => i.type === 'password')) ??
      forms.find((f) => f.buttons.some((b) => b.name === 'decision') || f.inputs.some((i) => i.name === 'decision')) ??
      forms[0];
    if (response.status !== 200 || !form) {
      const err = new Error(
        `${request.method} ${request.url.href}: HTTP ${response.status}, no redirect` +
          `${form ? '' : ' and no form to submit'}\npage: ${pageText(html)}`,
      );
      err.page = { status: response.status, html, text: pageText(html) };
      throw err;
    }
    // The same login form again after we posted it: the login was refused (the page says why).
    if (request.method === 'POST' && form.inputs.some((i) => i.type === 'password') && pages.length >= 2) {
      const previous = pages.at(-2);
      const hadLogin = parseForms(previous.html).some((f) => f.inputs.some((i) => i.type === 'password'));
      if (previous.status === 200 && hadLogin) {
        const err = new Error(`the login form came back after submitting it: ${pageText(html)}`);
        err.page = { status: response.status, html, text: pageText(html) };
        throw err;
      }
    }
    const action = new URL(form.action || request.url.href, request.url);
    request = { url: action, method: 'POST', body: fillForm(form, { email, password, decision }) };
  }
  const trail = pages.map((p) => p.url).join(' → ');
  throw new Error(`no redirect to the client after ${maxSteps} form submissions: ${trail}`);
}

async function finish(url, { jar, pages, follow }) {
  const params = url.searchParams;
  const result = {
    location: url.href,
    params,
    code: params.get('code') ?? undefined,
    state: params.get('state') ?? undefined,
    iss: params.get('iss') ?? undefined,
    error: params.get('error') ?? undefined,
    jar,
    pages,
  };
  if (follow) {
    const response = await fetch(url, { redirect: 'manual' });
    result.callback = { status: response.status, body: await response.text() };
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------------
// HTTP helpers

export async function readJson(response, what) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`${what}: not JSON (HTTP ${response.status}): ${text.slice(0, 500)}`);
  }
}

export async function postJson(url, body, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await readJson(response, `POST ${url}`) };
}

/** POST application/x-www-form-urlencoded (the token, revoke and introspect endpoints). */
export async function postForm(url, params, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Creates the first (admin) user of a fresh server: POST /admin/setup. */
export async function setupUser(baseUrl, user = TEST_USER) {
  const setup = await postJson(`${baseUrl}/admin/setup`, user);
  assert.equal(setup.status, 201, `POST /admin/setup: ${JSON.stringify(setup.json)}`);
  return setup.json;
}

/** RFC 8414 metadata of the server's authorization server. */
export async function authorizationServerMetadata(baseUrl) {
  const response = await fetch(`${baseUrl}/.well-known/oauth-authorization-server`);
  const json = await readJson(response, 'GET /.well-known/oauth-authorization-server');
  assert.equal(response.status, 200, JSON.stringify(json));
  return json;
}

/** RFC 7591 registration of a public client (token_endpoint_auth_method none) by default. */
export async function registerClient(baseUrl, metadata) {
  const registration = await postJson(`${baseUrl}/oauth2/register`, {
    client_name: 'pierre-e2e',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    application_type: 'native',
    ...metadata,
  });
  assert.equal(registration.status, 201, `POST /oauth2/register: ${JSON.stringify(registration.json)}`);
  assert.equal(typeof registration.json.client_id, 'string');
  return registration.json;
}

/** The JSON-RPC tools/list answer to a Bearer token on POST /mcp (legacy era, no session needed to see 401 vs 200). */
export async function mcpStatusWithToken(mcpUrl, token) {
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'pierre-e2e', version: '1' } },
    }),
  });
  return {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    body: await response.text(),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// An in-memory OAuthClientProvider for @modelcontextprotocol/client (v2) and @modelcontextprotocol/sdk (v1)

export class MemoryOAuthProvider {
  /**
   * @param {{redirectUrl: string, clientName?: string, user?: typeof TEST_USER, scope?: string}} options
   * `interactive` (a property, default true): false makes redirectToAuthorization only record the URL (no login), as
   * a user who does not come back would.
   */
  constructor({ redirectUrl, clientName = 'pierre-e2e-sdk', user = TEST_USER, scope } = {}) {
    this._redirectUrl = redirectUrl;
    this._clientName = clientName;
    this._user = user;
    this._scope = scope;
    this.interactive = true;
    this.client = undefined; // saved client information (DCR answer)
    this.saved = undefined; // saved tokens
    this.verifier = undefined;
    this.authorizationUrls = []; // every URL the SDK sent the user to
    this.callback = undefined; // the last authorize() result: code, state, iss, params
    this.savedTokens = []; // every token set the SDK saved, in order
    this.invalidated = []; // scopes passed to invalidateCredentials
  }

  get redirectUrl() {
    return this._redirectUrl;
  }

  get clientMetadata() {
    return {
      client_name: this._clientName,
      redirect_uris: [this._redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      ...(this._scope ? { scope: this._scope } : {}),
    };
  }

  clientInformation() {
    return this.client;
  }

  saveClientInformation(info) {
    this.client = info;
  }

  tokens() {
    return this.saved;
  }

  saveTokens(tokens) {
    this.saved = tokens;
    this.savedTokens.push(tokens);
  }

  async redirectToAuthorization(url) {
    this.authorizationUrls.push(new URL(url));
    if (!this.interactive) return;
    this.callback = await authorize(url, { email: this._user.email, password: this._user.password });
  }

  saveCodeVerifier(verifier) {
    this.verifier = verifier;
  }

  codeVerifier() {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }

  // SDK v2 (SEP-2352): the discovery result is kept with the code verifier, so that the callback leg is checked
  // against the same authorization server.
  saveDiscoveryState(state) {
    this.discovery = state;
  }

  discoveryState() {
    return this.discovery;
  }

  invalidateCredentials(scope) {
    this.invalidated.push(scope);
    if (scope === 'all' || scope === 'client') this.client = undefined;
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }
}
