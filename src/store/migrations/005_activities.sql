-- 005: the local activity store (src/activity): one row per activity (summary columns, laps as JSON) and its
-- streams as one compressed blob (activity/stream_codec.hpp). Times are epoch ms; values SI, named with their unit.
-- Keyset pages walk (tenant_id, user_id, start_time, id); (source, external_id) is unique per user so a re-import or
-- a re-sync of the same activity cannot duplicate it. One text for both backends: SQLite stores a bound blob as a
-- blob whatever the declared type, so BYTEA serves both.

CREATE TABLE activities (
  tenant_id           TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                  TEXT NOT NULL,
  user_id             TEXT NOT NULL,
  source              TEXT NOT NULL,
  external_id         TEXT NOT NULL,
  sport_type          TEXT NOT NULL,
  name                TEXT NOT NULL,
  device              TEXT NOT NULL,
  group_id            TEXT,
  start_time          BIGINT NOT NULL,
  utc_offset_s        INTEGER,
  elapsed_time_s      DOUBLE PRECISION NOT NULL,
  moving_time_s       DOUBLE PRECISION NOT NULL,
  distance_m          DOUBLE PRECISION NOT NULL,
  total_ascent_m      DOUBLE PRECISION,
  total_descent_m     DOUBLE PRECISION,
  avg_hr_bpm          DOUBLE PRECISION,
  max_hr_bpm          DOUBLE PRECISION,
  avg_power_w         DOUBLE PRECISION,
  max_power_w         DOUBLE PRECISION,
  normalized_power_w  DOUBLE PRECISION,
  avg_cadence_rpm     DOUBLE PRECISION,
  avg_speed_mps       DOUBLE PRECISION,
  max_speed_mps       DOUBLE PRECISION,
  calories_kcal       DOUBLE PRECISION,
  lap_count           INTEGER NOT NULL,
  sample_count        INTEGER NOT NULL,
  created_at          BIGINT NOT NULL,
  -- Last on purpose: SQLite reads a row's overflow pages only up to the last column a query needs, so lists, which
  -- never read the laps, do not pay for them.
  laps                TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX activities_by_source ON activities (tenant_id, user_id, source, external_id);
CREATE INDEX activities_by_start ON activities (tenant_id, user_id, start_time, id);

CREATE TABLE activity_streams (
  tenant_id    TEXT NOT NULL,
  activity_id  TEXT NOT NULL,
  data         BYTEA NOT NULL,
  PRIMARY KEY (tenant_id, activity_id),
  FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id) ON DELETE CASCADE
);
