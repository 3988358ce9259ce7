-- 007: fitness goals (src/goals): what a user wants to reach by a date — a distance, moving time or number of
-- sessions over the goal's period, a race time, an FTP, or a custom goal tracked by hand. Values are SI (target_value
-- in metres, seconds, sessions or watts, named by `unit`); dates are calendar days YYYY-MM-DD (the period runs from the
-- start of start_date to the end of target_date, UTC); times are epoch ms. baseline_value is the measured performance
-- when a race_time or ftp goal was set (null when there was none), so progress can be measured from where it started.
-- Lists walk (tenant_id, user_id, created_at).

CREATE TABLE goals (
  tenant_id          TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                 TEXT NOT NULL,
  user_id            TEXT NOT NULL,
  title              TEXT NOT NULL,
  description        TEXT NOT NULL,
  goal_type          TEXT NOT NULL,
  sport_type         TEXT,
  target_value       DOUBLE PRECISION NOT NULL,
  unit               TEXT NOT NULL,
  target_distance_m  DOUBLE PRECISION,
  baseline_value     DOUBLE PRECISION,
  start_date         TEXT NOT NULL,
  target_date        TEXT NOT NULL,
  status             TEXT NOT NULL,
  achieved_at        BIGINT,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  CHECK (status IN ('active', 'achieved', 'abandoned'))
);

CREATE INDEX goals_by_user ON goals (tenant_id, user_id, created_at);
