-- 003: API keys and their usage counters.
--
-- A key is shown to its owner once; only its SHA-256 is stored. Keys carry ~190 bits of randomness, so a fast hash
-- is as safe as a slow one here (nobody can enumerate the input space) and keeps per-request authentication cheap.
-- `api_key_lookup` is the system-level index from hash to tenant (like user_logins for emails): an incoming key
-- names no tenant, and tenant-scoped tables can only be read once the tenant is known.

CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  description   TEXT,
  tier          TEXT NOT NULL CHECK (tier IN ('trial', 'starter', 'professional', 'enterprise')),
  key_prefix    TEXT NOT NULL,
  key_hash      TEXT NOT NULL UNIQUE,
  created_at    BIGINT NOT NULL,
  expires_at    BIGINT,
  revoked_at    BIGINT,
  last_used_at  BIGINT
);

CREATE INDEX api_keys_by_owner ON api_keys (tenant_id, user_id, created_at, id);

CREATE TABLE api_key_lookup (
  key_hash      TEXT PRIMARY KEY,
  owner_tenant  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key_id        TEXT NOT NULL UNIQUE
);

-- Requests counted per key and calendar month (UTC, "YYYY-MM"). Servers add their counts (requests = requests +
-- delta), so several instances sharing the database never overwrite each other's.
CREATE TABLE api_key_usage (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key_id     TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  period     TEXT NOT NULL,
  requests   BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, key_id, period)
);
