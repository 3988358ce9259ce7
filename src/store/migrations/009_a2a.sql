-- 009: agent-to-agent (src/a2a). Both tables are tenant-scoped: a task and an A2A client registration belong to one
-- tenant, and every statement on them goes through db.tenant(...).
--
-- a2a_tasks: A2A v1.0 tasks (spec §4.1.1), persisted at every state transition so a client that lost its stream can
-- poll with GetTask. The caller that created a task (user_id) is the only one who sees it. `state` is the lower-case
-- TaskState name; status_message, history, artifacts and arguments are JSON text (a Message or null, arrays of
-- Message and Artifact, the tool arguments gathered so far). `tool` is the registry tool the task runs.
-- Terminal states (completed, failed, canceled, rejected) are never left: updates say `AND state IN (<live states>)`,
-- so a cancel racing with completion has exactly one winner on both backends.
CREATE TABLE a2a_tasks (
  tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id              TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  context_id      TEXT NOT NULL,
  tool            TEXT NOT NULL,
  state           TEXT NOT NULL,
  status_message  TEXT,
  history         TEXT NOT NULL,
  artifacts       TEXT NOT NULL,
  arguments       TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  CHECK (state IN ('submitted', 'working', 'input_required', 'completed', 'failed', 'canceled', 'rejected'))
);

CREATE INDEX a2a_tasks_by_user ON a2a_tasks (tenant_id, user_id, updated_at);

-- a2a_clients: agents an administrator registered for the tenant (Pierre's A2A client registration). The credentials
-- are an OAuth client (oauth_clients.client_id, client_credentials grant, owned by the user the agent acts as): the
-- secret is stored there as SHA-256 and checked in constant time by the token endpoint. This row holds what the
-- administrator manages: name, description, scopes, rate-limit tier, active flag.
CREATE TABLE a2a_clients (
  tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id               TEXT NOT NULL,
  oauth_client_id  TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  name             TEXT NOT NULL,
  description      TEXT NOT NULL,
  scopes           TEXT NOT NULL,
  rate_limit_tier  TEXT NOT NULL,
  is_active        INTEGER NOT NULL,
  created_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (oauth_client_id)
);

CREATE INDEX a2a_clients_by_created ON a2a_clients (tenant_id, created_at);
