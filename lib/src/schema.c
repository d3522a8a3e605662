/* init-db: the versioned schema snapctl owns, and the optional indexes on the source tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};

/* Append-only: a released migration never changes; a new one gets the next version. */
static const struct migration migrations[] = {
    {1, "market_inventory_snapshots with versions, leases and retries", snap_sql_migrate_001},
    {2, "listing ids and due-work indexes", snap_sql_migrate_002},
    {3, "reconcile cursor and finished-snapshot index", snap_sql_migrate_003},
    {4, "last run of each job", snap_sql_migrate_004},
    {5, "operator holds, due legacy rows, qualified functions", snap_sql_migrate_005},
    {6, "reconcile batches in flight", snap_sql_migrate_006},
    {7, "index of the reconcile walk", snap_sql_migrate_007},
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Any fixed number will do, as long as only init-db uses it. ("snapinit") */
static const char SQL_LOCK[] = "SELECT pg_advisory_xact_lock(7165064483208014196)";

static const char SQL_HAS_TABLES[] = "SELECT to_regclass('snapctl_schema_migrations') IS NOT NULL,"
                                     " to_regclass('market_inventory_snapshots') IS NOT NULL";

static const char SQL_VERSION_TABLE[] =
    "SELECT coalesce(max(version), 0) FROM snapctl_schema_migrations";

static const char SQL_CREATE_VERSIONS[] = "SET LOCAL client_min_messages = warning;"
                                          "CREATE TABLE IF NOT EXISTS snapctl_schema_migrations ("
                                          " version integer PRIMARY KEY,"
                                          " description text NOT NULL,"
                                          " applied_at timestamptz NOT NULL DEFAULT now())";

static const char SQL_RECORD[] =
    "INSERT INTO snapctl_schema_migrations (version, description) VALUES ($1, $2)";

int snap_schema_target_version(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

/* Reads the installed version (0: none) and whether the snapshot table exists at all. */
static snap_code read_version(snap_ctx *ctx, int *version, int *has_table, snap_error *err)
{
	PGresult *res = NULL;
	snap_code rc;

	if ((rc = pg_exec(ctx, "reading the schema version", SQL_HAS_TABLES, 0, NULL, &res, err)) !=
	    SNAP_OK)
		goto out;
	*has_table = PQgetvalue(res, 0, 1)[0] == 't';
	*version = 0;
	if (PQgetvalue(res, 0, 0)[0] == 't') {
		PQclear(res);
		if ((rc = pg_exec(ctx, "reading the schema version", SQL_VERSION_TABLE, 0, NULL,
		                  &res, err)) != SNAP_OK)
			goto out;
		*version = atoi(PQgetvalue(res, 0, 0));
	}
out:
	PQclear(res);
	return rc;
}

snap_code snap_schema_version(snap_ctx *ctx, int *out, snap_error *err)
{
	int has_table;

	return read_version(ctx, out, &has_table, err);
}

static snap_code too_new(int version, snap_error *err)
{
	return with_remedy(err, SNAP_REMEDY_UPGRADE,
	                   snap_fail(err, SNAP_ERR_CONFIG,
	                             "database schema version %d is newer than this snapctl "
	                             "knows (%d)",
	                             version, snap_schema_target_version()));
}

static int report(snap_init_fn fn, void *data, snap_step_kind kind, const char *name, int version,
                  const char *detail)
{
	snap_init_step step = {kind, name, version, detail};

	return fn ? fn(&step, data) : 0;
}

static void report_migrations(int from, int legacy, snap_init_fn fn, void *data)
{
	int i;

	for (i = 0; i < NMIGRATIONS; i++)
		if (migrations[i].version > from)
			/* Migration 1 is the one that upgrades the earlier system's table. */
			report(fn, data,
			       legacy && migrations[i].version == 1 ? SNAP_STEP_LEGACY_UPGRADE
			                                            : SNAP_STEP_MIGRATION,
			       migrations[i].name, migrations[i].version, "");
}

/* One transaction under an advisory lock: concurrent init-db runs queue, and the later ones
 * find nothing left to do. A failure leaves the schema as it was. */
static snap_code migrate(snap_ctx *ctx, snap_init_fn fn, void *data, snap_error *err)
{
	int version, legacy, i;
	char vbuf[16];
	const char *params[2];
	PGresult *res = NULL;
	snap_code rc;

	if ((rc = pg_cmd(ctx, "starting init-db", "BEGIN", err)) != SNAP_OK ||
	    (rc = pg_cmd(ctx, "taking the init-db lock", SQL_LOCK, err)) != SNAP_OK ||
	    (rc = read_version(ctx, &version, &legacy, err)) != SNAP_OK ||
	    (rc = pg_cmd(ctx, "creating snapctl_schema_migrations", SQL_CREATE_VERSIONS, err)) !=
	        SNAP_OK)
		goto out;
	if (version > snap_schema_target_version()) {
		rc = too_new(version, err);
		goto out;
	}
	for (i = 0; i < NMIGRATIONS; i++) {
		if (migrations[i].version <= version)
			continue;
		snap_log(ctx, SNAP_LOG_INFO, "applying schema migration %d", migrations[i].version);
		snprintf(vbuf, sizeof(vbuf), "%d", migrations[i].version);
		params[0] = vbuf;
		params[1] = migrations[i].name;
		if ((rc = pg_cmd(ctx, "applying a schema migration", migrations[i].sql, err)) !=
		        SNAP_OK ||
		    (rc = pg_exec(ctx, "recording a schema migration", SQL_RECORD, 2, params, &res,
		                  err)) != SNAP_OK)
			goto out;
		PQclear(res);
		res = NULL;
	}
	if ((rc = pg_cmd(ctx, "committing init-db", "COMMIT", err)) != SNAP_OK)
		goto out;
	report_migrations(version, legacy, fn, data);
out:
	PQclear(res);
	if (rc != SNAP_OK)
		pg_rollback(ctx);
	return rc;
}

/* CREATE INDEX CONCURRENTLY cannot run in a transaction block, so each statement commits on
 * its own; an interrupted build leaves an invalid index, which the next run drops first. */
static snap_code source_indexes(snap_ctx *ctx, unsigned flags, snap_init_fn fn, void *data,
                                snap_error *err)
{
	int create = (flags & SNAP_INIT_SOURCE_INDEXES) && !(flags & SNAP_DRY_RUN);
	char drop[200];
	PGresult *res = NULL;
	snap_code rc;
	int i;

	if ((rc = pg_exec(ctx, "checking source indexes", snap_sql_source_indexes, 0, NULL, &res,
	                  err)) != SNAP_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0), *detail = PQgetvalue(res, i, 2);

		if (create) {
			snap_log(ctx, SNAP_LOG_INFO, "creating index %s on %s", name, detail);
			snprintf(drop, sizeof(drop), "DROP INDEX CONCURRENTLY IF EXISTS \"%s\"",
			         name);
			if ((PQgetvalue(res, i, 4)[0] == 't' &&
			     (rc = pg_cmd(ctx, "dropping an invalid index", drop, err)) !=
			         SNAP_OK) ||
			    (rc = pg_cmd(ctx, "creating a source index", PQgetvalue(res, i, 3),
			                 err)) != SNAP_OK)
				goto out;
		}
		report(fn, data,
		       create || (flags & SNAP_INIT_SOURCE_INDEXES)
		           ? SNAP_STEP_SOURCE_INDEX
		           : SNAP_STEP_SOURCE_INDEX_MISSING,
		       name, 0, detail);
	}
out:
	PQclear(res);
	return rc;
}

snap_code schema_init(snap_ctx *ctx, unsigned flags, snap_init_fn fn, void *data, snap_error *err)
{
	int version, legacy;
	snap_code rc;

	if (flags & SNAP_DRY_RUN) {
		if ((rc = read_version(ctx, &version, &legacy, err)) != SNAP_OK)
			return rc;
		if (version > snap_schema_target_version())
			return too_new(version, err);
		report_migrations(version, legacy, fn, data);
	} else if ((rc = migrate(ctx, fn, data, err)) != SNAP_OK) {
		return rc;
	}
	return source_indexes(ctx, flags, fn, data, err);
}
