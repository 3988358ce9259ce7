// Interoperability of the server's JWTs with an independent implementation: the `jose` npm package (panva/jose)
// fetches the server's JWKS (`/oauth2/jwks` and `/.well-known/jwks.json`) and verifies a token issued by
// POST /auth/login — signature, `alg`, `iss` (the server's base URL) and `aud` (its MCP resource URL, base + /mcp).
// Covered: RS256 with 2048-bit and with the default 4096-bit keys, ES256 (PIERRE_JWT_ALGORITHM=ES256), and a token
// with one flipped signature byte, which jose must reject.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { describeExit, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const ADMIN = { email: 'jose-admin@example.com', password: 'jose interop password 7', display_name: 'Jose Admin' };

async function postJson(base, path, body) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    assert.fail(`${path}: not JSON (HTTP ${response.status}): ${text}`);
  }
  return { status: response.status, json };
}

/** Sets up the admin on a fresh server and logs in; returns {token, user, tenantId}. */
async function adminToken(base) {
  const setup = await postJson(base, '/admin/setup', ADMIN);
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  const login = await postJson(base, '/auth/login', { email: ADMIN.email, password: ADMIN.password });
  assert.equal(login.status, 200, JSON.stringify(login.json));
  assert.equal(typeof login.json.jwt_token, 'string');
  return { token: login.json.jwt_token, user: login.json.user, tenantId: setup.json.tenant_id };
}

async function fetchJwks(base, path) {
  const response = await fetch(base + path);
  assert.equal(response.status, 200);
  const jwks = await response.json();
  assert.ok(Array.isArray(jwks.keys) && jwks.keys.length > 0, JSON.stringify(jwks));
  return jwks;
}

/** One flipped signature character in the middle of the signature (every bit of it is significant there). */
function flipSignatureByte(token) {
  const [header, payload, signature] = token.split('.');
  const i = Math.floor(signature.length / 2);
  const flipped = signature[i] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
}

function base64urlBytes(s) {
  return Buffer.from(s, 'base64url').length;
}

/**
 * The checks every algorithm shares: jose verifies the token against both JWKS URLs with the expected issuer,
 * audience and algorithm; the claims are what the server documents; the header's kid names a published key.
 */
function interopSuite(name, { env, alg, keyCheck }) {
  describe(name, { timeout: 120000 }, () => {
    let server;
    let issued;

    before(async () => {
      // Debug logging, so that the log scan (tests/logscan) sees what the server logs about logins and Bearer calls.
      server = await startServer({ mode: 'none', env, logLevel: 'debug' });
      issued = await adminToken(server.baseUrl);
    });

    after(async () => {
      await server?.stop();
    });

    const options = () => ({ issuer: server.baseUrl, audience: `${server.baseUrl}/mcp`, algorithms: [alg] });

    for (const jwksPath of ['/oauth2/jwks', '/.well-known/jwks.json']) {
      it(`jose verifies the login token against ${jwksPath}`, TEST_TIMEOUT, async () => {
        const jwks = createRemoteJWKSet(new URL(server.baseUrl + jwksPath));
        const { payload, protectedHeader, key } = await jwtVerify(issued.token, jwks, options());
        assert.equal(protectedHeader.alg, alg);
        assert.equal(protectedHeader.typ, 'JWT');
        assert.equal(typeof protectedHeader.kid, 'string');
        assert.equal(key.type, 'public');

        assert.equal(payload.iss, server.baseUrl);
        assert.equal(payload.aud, `${server.baseUrl}/mcp`);
        assert.equal(payload.sub, issued.user.id);
        assert.equal(payload.tenant, issued.tenantId);
        assert.equal(payload.tenant, issued.user.tenant_id);
        assert.equal(payload.role, issued.user.role);
        assert.ok(Array.isArray(payload.scopes) && payload.scopes.length > 0, JSON.stringify(payload.scopes));
        assert.ok(payload.scopes.every((s) => typeof s === 'string'), JSON.stringify(payload.scopes));
        assert.match(payload.jti, /^[A-Za-z0-9_-]{16,}$/);
        assert.ok(Number.isInteger(payload.iat) && Number.isInteger(payload.exp));
        assert.ok(payload.exp > payload.iat, `exp ${payload.exp} <= iat ${payload.iat}`);
        const now = Math.floor(Date.now() / 1000);
        assert.ok(Math.abs(payload.iat - now) < 300, `iat ${payload.iat} is far from now ${now}`);
      });

      it(`the header kid names a ${alg} key published at ${jwksPath}`, TEST_TIMEOUT, async () => {
        const { kid } = decodeProtectedHeader(issued.token);
        const { keys } = await fetchJwks(server.baseUrl, jwksPath);
        const jwk = keys.find((k) => k.kid === kid);
        assert.ok(jwk, `kid ${kid} not among ${keys.map((k) => k.kid).join(', ')}`);
        assert.equal(jwk.use, 'sig');
        assert.equal(jwk.alg, alg);
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(jwk[secret], undefined, `private ${secret}`);
        keyCheck(jwk);
      });
    }

    it('jose rejects the token with one flipped signature byte', TEST_TIMEOUT, async () => {
      const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/oauth2/jwks`));
      const tampered = flipSignatureByte(issued.token);
      assert.notEqual(tampered, issued.token);
      await assert.rejects(jwtVerify(tampered, jwks, options()), errors.JWSSignatureVerificationFailed);
    });

    it('jose rejects the token for another audience, issuer or algorithm', TEST_TIMEOUT, async () => {
      const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/oauth2/jwks`));
      await assert.rejects(
        jwtVerify(issued.token, jwks, { ...options(), audience: `${server.baseUrl}/other` }),
        errors.JWTClaimValidationFailed,
      );
      await assert.rejects(
        jwtVerify(issued.token, jwks, { ...options(), issuer: 'http://example.invalid' }),
        errors.JWTClaimValidationFailed,
      );
      const otherAlg = alg === 'ES256' ? 'RS256' : 'ES256';
      await assert.rejects(
        jwtVerify(issued.token, jwks, { ...options(), algorithms: [otherAlg] }),
        errors.JOSEAlgNotAllowed,
      );
    });

    it('the server itself accepts the token jose verified (POST /mcp with Bearer)', TEST_TIMEOUT, async () => {
      const response = await fetch(server.mcpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${issued.token}`,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 'jose-interop', version: '1.0.0' },
          },
        }),
      });
      const body = await response.text();
      assert.notEqual(response.status, 401, body);
      assert.equal(response.status, 200, body);
    });

    it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
      const exit = await server.stop();
      assert.equal(exit.code, 0, describeExit(exit));
    });
  });
}

const rsaModulusBytes = (bytes) => (jwk) => {
  assert.equal(jwk.kty, 'RSA');
  assert.equal(jwk.e, 'AQAB');
  assert.equal(base64urlBytes(jwk.n), bytes, `modulus of ${base64urlBytes(jwk.n) * 8} bits`);
};

interopSuite('RS256 with a 2048-bit key (PIERRE_RSA_KEY_SIZE=2048)', {
  env: { PIERRE_JWT_ALGORITHM: 'RS256', PIERRE_RSA_KEY_SIZE: '2048' },
  alg: 'RS256',
  keyCheck: rsaModulusBytes(256),
});

// The product default size (4096 bits, stated so an inherited environment cannot change it); generating the key on
// first login takes a few seconds.
interopSuite('RS256 with the default 4096-bit key', {
  env: { PIERRE_JWT_ALGORITHM: 'RS256', PIERRE_RSA_KEY_SIZE: '4096' },
  alg: 'RS256',
  keyCheck: rsaModulusBytes(512),
});

interopSuite('ES256 (PIERRE_JWT_ALGORITHM=ES256)', {
  env: { PIERRE_JWT_ALGORITHM: 'ES256' },
  alg: 'ES256',
  keyCheck: (jwk) => {
    assert.equal(jwk.kty, 'EC');
    assert.equal(jwk.crv, 'P-256');
    assert.equal(base64urlBytes(jwk.x), 32);
    assert.equal(base64urlBytes(jwk.y), 32);
  },
});
