-- 008: fitness-provider connections (src/providers). One row per user × provider with the OAuth tokens, encrypted
-- with the tenant's data key (KeyRing ciphertexts bound to "provider_token:<provider>:<user>:<kind>"), and the
-- sync state: the backfill walks backwards from backfill_before (resumable: the cursor is saved after every page),
-- then incremental syncs ask for activities after newest_start. token_version grows on every refresh; a refresh is
-- written with `WHERE token_version = <read>`, so of two processes refreshing at once only one write lands.

CREATE TABLE provider_connections (
  tenant_id          TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id            TEXT NOT NULL,
  provider           TEXT NOT NULL,
  account_id         TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('connected', 'needs_reauth')),
  access_token       BYTEA NOT NULL,
  refresh_token      BYTEA NOT NULL,
  expires_at         BIGINT NOT NULL,
  scope              TEXT NOT NULL,
  token_version      BIGINT NOT NULL,
  connected_at       BIGINT NOT NULL,
  last_sync_at       BIGINT,
  last_sync_error    TEXT,
  activities_synced  BIGINT NOT NULL,
  backfill_before    BIGINT,
  backfill_complete  INTEGER NOT NULL,
  newest_start       BIGINT,
  PRIMARY KEY (tenant_id, user_id, provider)
);

-- System-level: the browser's callback carries only `state`, and webhook events name the provider's account; both
-- arrive before any tenant is known. `state` is stored as SHA-256 hex (256 random bits); single use is a conditional
-- UPDATE on used_at. The PKCE verifier is a tenant ciphertext.
CREATE TABLE provider_oauth_states (
  state_hash     TEXT PRIMARY KEY,
  owner_tenant   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id        TEXT NOT NULL,
  provider       TEXT NOT NULL,
  code_verifier  BYTEA,
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  used_at        BIGINT
);

CREATE TABLE provider_accounts (
  provider      TEXT NOT NULL,
  account_id    TEXT NOT NULL,
  owner_tenant  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL,
  PRIMARY KEY (provider, account_id)
);
CREATE INDEX provider_accounts_by_user ON provider_accounts (owner_tenant, user_id, provider);
