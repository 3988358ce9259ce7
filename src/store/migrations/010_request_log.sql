-- 010: the request log (src/usage): one row per authenticated MCP tool call, A2A request or REST request, written in
-- batches by usage::RequestLog and aggregated with GROUP BY for the dashboard's usage analytics (usage::Analytics).
-- Tenant-scoped like every table: every statement goes through db.tenant(...).
--
-- What is kept is deliberately small and free of personal data: the caller's user id (never an email), the API key
-- id when a key was used, the kind of request, its *name* — the MCP tool (tools/call) or method, or the REST route
-- pattern ("/api/keys/{id}", never the concrete path or query) —, the HTTP status and the latency. No IP addresses,
-- no bodies, no arguments. Rows older than PIERRE_REQUEST_LOG_RETENTION_DAYS are deleted by the log's background
-- thread. `day` is the UTC day number (days since 1970-01-01), so per-day grouping needs no dialect date functions.
CREATE TABLE request_log (
  tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  at_ms       BIGINT NOT NULL,
  day         BIGINT NOT NULL,
  user_id     TEXT NOT NULL,
  api_key_id  TEXT NOT NULL,
  kind        TEXT NOT NULL,
  name        TEXT NOT NULL,
  status      INTEGER NOT NULL,
  latency_us  BIGINT NOT NULL,
  CHECK (kind IN ('mcp', 'a2a', 'rest'))
);

CREATE INDEX request_log_by_time ON request_log (tenant_id, at_ms);
CREATE INDEX request_log_by_user ON request_log (tenant_id, user_id, at_ms);
