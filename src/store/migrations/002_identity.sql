-- 002: identity — key management (master check value, wrapped tenant keys, JWT signing keys), the one-time admin
-- setup marker, the global login index and per-tenant auto-approval.
--
-- Why some tables say `owner_tenant` instead of `tenant_id`: the store treats every table with a `tenant_id`
-- column as tenant-scoped, reachable only through db.tenant(id). Wrapped tenant keys must all be loaded at start-up
-- (before any tenant is known), and login looks an email up before the tenant is known, so those two tables are
-- system-level tables that name their tenant in `owner_tenant`. Neither holds user data beyond what the
-- tenant-scoped `users` table already has (tenant_keys only holds AES-GCM-wrapped keys).

-- The master key check value (KeyRing::check_value, base64), written on first start; later starts must match it.
CREATE TABLE keyring_master (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  check_value  TEXT NOT NULL,
  created_at   BIGINT NOT NULL
);

-- Wrapped tenant data keys (KeyRing WrappedKey, `wrapped` base64). owner_tenant is a tenants.id or the reserved
-- system tenant that encrypts server secrets such as signing keys, so it has no foreign key.
CREATE TABLE tenant_keys (
  owner_tenant  TEXT NOT NULL,
  key_id        TEXT NOT NULL,
  version       BIGINT NOT NULL,
  wrapped       TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  PRIMARY KEY (owner_tenant, key_id, version),
  UNIQUE (owner_tenant, version)
);

-- JWT signing keys. private_pem_encrypted = base64(KeyRing ciphertext of the PKCS#8 PEM under the system tenant,
-- context "signing_key:<kid>"). At most one active key (partial unique index); retired keys stay published in the
-- JWKS until retire_after (epoch ms), when every token they signed has expired.
CREATE TABLE signing_keys (
  kid                    TEXT PRIMARY KEY,
  algorithm              TEXT NOT NULL,
  public_jwk             TEXT NOT NULL,
  private_pem_encrypted  TEXT NOT NULL,
  status                 TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  created_at             BIGINT NOT NULL,
  retire_after           BIGINT
);

CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (status) WHERE status = 'active';

-- The first super_admin: inserted in the same transaction as that user, so exactly one setup can ever commit.
CREATE TABLE setup_state (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  default_tenant  TEXT NOT NULL,
  admin_user      TEXT NOT NULL,
  completed_at    BIGINT NOT NULL
);

-- Emails are unique across the server (as in Pierre); login finds the user's tenant here, then reads `users`
-- through that tenant's scope. Written in the same transaction as the users row.
CREATE TABLE user_logins (
  email         TEXT PRIMARY KEY,
  owner_tenant  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL UNIQUE
);

-- New registrations in a tenant with auto_approve = 1 are active at once; otherwise they wait for approval.
ALTER TABLE tenants ADD COLUMN auto_approve INTEGER NOT NULL DEFAULT 0;

CREATE INDEX users_by_tenant_time ON users (tenant_id, created_at, id);
