// `bench/run.sh oauth`, step 1: the full OAuth authorization-code flow against a running server, timed end to end
// (authorize page → login form POST → 302 with code → token exchange), N times in sequence, twice:
//   login:   every flow types the password (Argon2id verification dominates, by design);
//   session: the browser's session cookie and the remembered consent let GET /oauth2/authorize redirect at once.
// Writes the refresh tokens of the session flows to OUT (one per line) for the refresh-grant load test, and prints
// one JSON line with the latency percentiles.
//
//   node bench/oauth/flow.mjs BASE_URL EMAIL PASSWORD N OUT
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const [base, email, password, countText, out] = process.argv.slice(2);
const count = Number(countText);
const redirectUri = 'http://127.0.0.1:9/callback';  // never contacted: the 302's Location is all we read
const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function register() {
  const res = await fetch(`${base}/oauth2/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'bench', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none',
                           grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }),
  });
  if (res.status !== 201) throw new Error(`register: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).client_id;
}

// Cookies as a browser keeps them for this origin (name → value).
function remember(jar, res) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}
const cookieHeader = (jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

function hiddenInputs(html) {
  const fields = {};
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = m[0];
    const name = /name="([^"]*)"/i.exec(tag)?.[1];
    const value = /value="([^"]*)"/i.exec(tag)?.[1] ?? '';
    if (name && /type="hidden"/i.test(tag)) {
      fields[name] = value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    }
  }
  return fields;
}

async function flow(clientId, jar, typePassword) {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(8));
  const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
                                      code_challenge: challenge, code_challenge_method: 'S256', state,
                                      scope: 'mcp:read mcp:write', resource: `${base}/mcp` });
  const started = performance.now();
  let res = await fetch(`${base}/oauth2/authorize?${query}`, { redirect: 'manual',
                                                                headers: { cookie: cookieHeader(jar) } });
  remember(jar, res);
  let location = res.headers.get('location');
  if (!location) {
    if (res.status !== 200) throw new Error(`authorize: HTTP ${res.status}`);
    const form = hiddenInputs(await res.text());
    const body = new URLSearchParams({ ...form, decision: 'allow' });
    if (typePassword) { body.set('email', email); body.set('password', password); }
    res = await fetch(`${base}/oauth2/authorize`, { method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) }, body });
    remember(jar, res);
    location = res.headers.get('location');
    if (res.status !== 302 || !location) throw new Error(`login: HTTP ${res.status} ${await res.text()}`);
  }
  const params = new URL(location).searchParams;
  if (params.get('state') !== state || !params.get('code')) throw new Error(`bad redirect ${location}`);
  res = await fetch(`${base}/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri,
                                code_verifier: verifier, client_id: clientId, resource: `${base}/mcp` }),
  });
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status} ${await res.text()}`);
  const tokens = await res.json();
  return { ms: performance.now() - started, refresh: tokens.refresh_token };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
function summary(times) {
  const s = [...times].sort((a, b) => a - b);
  return { n: s.length, p50_ms: +pct(s, 0.5).toFixed(2), p95_ms: +pct(s, 0.95).toFixed(2),
           p99_ms: +pct(s, 0.99).toFixed(2), mean_ms: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2) };
}

const clientId = await register();
const login = [];
for (let i = 0; i < count; i++) login.push((await flow(clientId, new Map(), true)).ms);
const jar = new Map();
await flow(clientId, jar, true);  // sign in once: the session cookie and consent then carry the rest
const session = [];
const refresh = [];
for (let i = 0; i < count; i++) {
  const r = await flow(clientId, jar, false);
  session.push(r.ms);
  refresh.push(r.refresh);
}
writeFileSync(out, `${clientId}\n${refresh.join('\n')}\n`);
console.log(JSON.stringify({ login: summary(login), session: summary(session) }));
