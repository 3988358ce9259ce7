-- 006: each user's configuration (src/profile): the chosen configuration profile and the parameters the user set
-- (physiology such as max_hr_bpm or ftp_w, model settings such as ctl_days), as a JSON object of catalogued keys.
-- Values estimated from data are not stored: they are recomputed from the activities when read.

CREATE TABLE user_configurations (
  tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id     TEXT NOT NULL,
  profile     TEXT NOT NULL,
  parameters  TEXT NOT NULL,
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
