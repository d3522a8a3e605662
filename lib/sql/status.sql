-- snapctl status: the state as one JSON object, and the reasons it needs attention.
-- $1 failed snapshots to show, $2 missing source indexes (text[]), $3 seconds due work may wait
-- (three sync-all periods) before it needs attention.
WITH counts AS (
	SELECT status, count(*) AS n FROM market_inventory_snapshots GROUP BY status
), due AS (
	SELECT coalesce(floor(extract(epoch FROM now() - min(next_attempt_at))), 0)::bigint AS oldest
	FROM market_inventory_snapshots
	WHERE status = 'ready_to_publish' AND next_attempt_at <= now()
), attention AS (
	SELECT 1 AS o, NULL AS job, format('%s snapshots failed', n) AS why
	FROM counts WHERE status = 'failed' AND $1::int > 0
	UNION ALL
	SELECT 2, NULL, format('due work waits for %s s: is sync-all running?', oldest)
	FROM due WHERE oldest > $3::bigint
	UNION ALL
	SELECT 3, NULL, 'source indexes are missing' WHERE cardinality($2::text[]) > 0
	UNION ALL
	SELECT 4, job, format('the last %s run: %s', job, outcome) FROM snapctl_runs
	WHERE outcome <> 'ok'
)
SELECT json_build_object(
	'schema_version', (SELECT max(version) FROM snapctl_schema_migrations),
	'counts', (SELECT coalesce(json_object_agg(status, n ORDER BY status), '{}') FROM counts),
	'oldest_due_seconds', (SELECT oldest FROM due),
	'active_leases', (SELECT count(*) FROM market_inventory_snapshots
		WHERE status = 'publishing' AND lease_expires_at >= now()),
	'expired_leases', (SELECT count(*) FROM market_inventory_snapshots
		WHERE status = 'publishing' AND lease_expires_at < now()),
	'failed', (SELECT coalesce(json_agg(json_build_object('booking_id', booking_id,
			'attempts', attempts, 'since', snapctl_iso(status_changed_at),
			'last_error', last_error) ORDER BY status_changed_at DESC), '[]')
		FROM (SELECT * FROM market_inventory_snapshots WHERE status = 'failed'
			ORDER BY status_changed_at DESC LIMIT $1) f),
	'missing_source_indexes', to_json($2::text[]),
	'runs', (SELECT coalesce(json_object_agg(job, json_build_object(
			'started_at', snapctl_iso(started_at), 'finished_at', snapctl_iso(finished_at),
			'outcome', outcome, 'counts', counts, 'host', host,
			'last_success_at', snapctl_iso(last_success_at)) ORDER BY job), '{}')
		FROM snapctl_runs),
	'attention', (SELECT coalesce(json_agg(why ORDER BY o, job), '[]') FROM attention)
)::text, (SELECT count(*) FROM attention);
