-- 004: the OAuth 2.1 authorization server (src/oauth2): registered clients, grants (one authorization of one client
-- by one user), authorization codes, refresh tokens and remembered consent.
--
-- All of these are system-level tables (`owner_tenant`, not `tenant_id`): a client id, a code or a refresh token
-- arrives at the token endpoint before any tenant is known. They hold no user data beyond ids and scopes.
-- Secrets (client secrets, codes, refresh tokens) are stored only as SHA-256 hex: they carry 256 random bits, so a
-- fast hash is as safe as a slow one. Single use is enforced by conditional UPDATEs (`... WHERE consumed_at IS
-- NULL`) whose affected-row count decides the winner, on both backends.

CREATE TABLE oauth_clients (
  client_id                   TEXT PRIMARY KEY,
  secret_hash                 TEXT,
  client_name                 TEXT NOT NULL,
  redirect_uris               TEXT NOT NULL,  -- JSON array of strings
  grant_types                 TEXT NOT NULL,  -- space-separated
  response_types              TEXT NOT NULL,  -- space-separated
  token_endpoint_auth_method  TEXT NOT NULL,
  application_type            TEXT NOT NULL,
  scope                       TEXT NOT NULL,
  client_uri                  TEXT NOT NULL,
  logo_uri                    TEXT NOT NULL,
  owner_tenant                TEXT REFERENCES tenants (id) ON DELETE CASCADE,
  owner_user                  TEXT,
  created_at                  BIGINT NOT NULL
);

-- kind: 'authorization_code' or 'client_credentials'. revoked_at set once, never cleared.
CREATE TABLE oauth_grants (
  id            TEXT PRIMARY KEY,
  client_id     TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  owner_tenant  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('authorization_code', 'client_credentials')),
  scope         TEXT NOT NULL,
  resource      TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  last_used_at  BIGINT,
  revoked_at    BIGINT
);

CREATE INDEX oauth_grants_by_user ON oauth_grants (owner_tenant, user_id, created_at, id);
CREATE INDEX oauth_grants_by_client ON oauth_grants (client_id, kind, created_at);

CREATE TABLE oauth_codes (
  code_hash       TEXT PRIMARY KEY,
  grant_id        TEXT NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
  client_id       TEXT NOT NULL,
  redirect_uri    TEXT NOT NULL,
  code_challenge  TEXT NOT NULL,
  resource        TEXT NOT NULL,
  scope           TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  consumed_at     BIGINT
);

CREATE INDEX oauth_codes_by_grant ON oauth_codes (grant_id);
CREATE INDEX oauth_codes_by_expiry ON oauth_codes (expires_at);

-- Rotated on every use: used_at marks a spent token; presenting it again revokes its grant (the whole family).
CREATE TABLE oauth_refresh_tokens (
  token_hash  TEXT PRIMARY KEY,
  grant_id    TEXT NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
  client_id   TEXT NOT NULL,
  scope       TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT
);

CREATE INDEX oauth_refresh_tokens_by_grant ON oauth_refresh_tokens (grant_id);
CREATE INDEX oauth_refresh_tokens_by_expiry ON oauth_refresh_tokens (expires_at);

-- Scopes a user has granted a client; a later authorization asking for no more skips the consent page.
CREATE TABLE oauth_consents (
  owner_tenant  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL,
  client_id     TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  scope         TEXT NOT NULL,
  updated_at    BIGINT NOT NULL,
  PRIMARY KEY (owner_tenant, user_id, client_id)
);
