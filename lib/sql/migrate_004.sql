-- Schema version 4: the last run of each job, for `snapctl status` and monitoring.
CREATE TABLE IF NOT EXISTS snapctl_runs (
	job text PRIMARY KEY,          -- sync-all, reconcile, cleanup
	started_at timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	outcome text NOT NULL,         -- ok, partial, or the error's kind
	counts jsonb NOT NULL,         -- the run's summary
	host text NOT NULL,
	last_success_at timestamptz    -- finished_at of the last run that ended ok
);
