/* THE command and option table. --help, parsing and dispatch read it; the man page and the
 * completions are checked against it by tests/docs. */
#include <string.h>

#include "cli.h"

const struct opt global_opts[] = {
    {OPT_PG, "pg", 0, "URI", "PostgreSQL URI or conninfo (else SNAPCTL_PG_URI, libpq's defaults)",
     NULL},
    {OPT_MONGO, "mongo", 0, "URI",
     "MongoDB URI (else SNAPCTL_MONGO_URI, else mongodb://127.0.0.1:27017)", NULL},
    {OPT_MONGO_DB, "mongo-db", 0, "NAME", "database of market_listings (default market_connect)",
     NULL},
    {OPT_CONFIG, "config", 0, "FILE", "read settings from FILE (else SNAPCTL_CONFIG)", NULL},
    {OPT_JSON, "json", 0, NULL, "machine-readable output: JSON on stdout", NULL},
    {OPT_QUIET, "quiet", 'q', NULL, "print errors only", NULL},
    {OPT_VERBOSE, "verbose", 'v', NULL, "log progress to stderr; twice for debug", NULL},
    {OPT_LOG_FORMAT, "log-format", 0, "FORMAT", "stderr log lines as text or json", "text json"},
    {OPT_METRICS_FILE, "metrics-file", 0, "PATH",
     "after a job, its metrics there (Prometheus textfile; one file per job)", NULL},
    {OPT_HELP, "help", 'h', NULL, "show help and exit", NULL},
    {OPT_VERSION, "version", 'V', NULL, "show the version and exit", NULL},
    {OPT_COUNT, NULL, 0, NULL, NULL, NULL},
};

const struct opt cmd_opts[] = {
    {OPT_ALL, "all", 0, NULL, "every booking, in batches", NULL},
    {OPT_DRY_RUN, "dry-run", 'n', NULL, "do everything but commit; report what would change", NULL},
    {OPT_BATCH_SIZE, "batch-size", 0, "N",
     "per step: upsert 10000 bookings, sync-all 500 snapshots, reconcile 20000, cleanup 100, "
     "verify 1000",
     NULL},
    {OPT_CHECK, "check", 0, NULL, "report what would change, change nothing", NULL},
    {OPT_SOURCE_INDEXES, "source-indexes", 0, NULL,
     "also create the indexes the aggregation needs on the source tables", NULL},
    {OPT_FIX_DUPLICATES, "fix-duplicates", 0, NULL,
     "keep the newest listing of each booking that has several, remove the rest", NULL},
    {OPT_LISTING, "listing", 0, NULL, "print the MongoDB listing instead", NULL},
    {OPT_LIMIT, "limit", 0, "N",
     "snapshots at most (status: failed ones shown, default 10; list: default 50)", NULL},
    {OPT_MAX_DURATION, "max-duration", 0, "SECONDS", "stop claiming after this long", NULL},
    {OPT_RETRY_FAILED, "retry-failed", 0, NULL, "also retry snapshots marked failed", NULL},
    {OPT_PUBLISH, "publish", 0, NULL,
     "then publish the listings of snapshots left ready (failure: a warning, sync-all retries)",
     NULL},
    {OPT_OLDER_THAN, "older-than", 0, "AGE",
     "finished for longer than AGE: a number with s, m, h, d or w (default 90d)", NULL},
    {OPT_ORPHANS, "orphans", 0, NULL, "also remove listings whose snapshot no longer exists", NULL},
    {OPT_STATUS, "status", 0, "STATUS", "only snapshots in this status",
     "ready_to_publish publishing published withdrawn completed failed"},
    {OPT_CROP, "crop", 0, "TYPE", "only this crop type (any letter case)", NULL},
    {OPT_FARMER, "farmer", 0, "ID", "only this farmer's snapshots", NULL},
    {OPT_AFTER, "after", 0, "BOOKING_ID", "the page after this booking id", NULL},
    {OPT_REPAIR, "repair", 0, NULL,
     "put right what differs: publish again, or remove, through sync-all's claims", NULL},
    {OPT_COUNT, NULL, 0, NULL, NULL, NULL},
};

static const enum opt_id init_db_opts[] = {OPT_CHECK, OPT_DRY_RUN, OPT_SOURCE_INDEXES,
                                           OPT_FIX_DUPLICATES, OPT_COUNT};
static const enum opt_id upsert_opts[] = {OPT_ALL, OPT_DRY_RUN, OPT_BATCH_SIZE, OPT_PUBLISH,
                                          OPT_COUNT};
static const enum opt_id get_opts[] = {OPT_LISTING, OPT_COUNT};
static const enum opt_id publish_opts[] = {OPT_DRY_RUN, OPT_COUNT};
static const enum opt_id sync_all_opts[] = {OPT_LIMIT,        OPT_BATCH_SIZE, OPT_MAX_DURATION,
                                            OPT_RETRY_FAILED, OPT_DRY_RUN,    OPT_COUNT};
static const enum opt_id withdraw_opts[] = {OPT_DRY_RUN, OPT_COUNT};
static const enum opt_id reconcile_opts[] = {OPT_LIMIT, OPT_BATCH_SIZE, OPT_MAX_DURATION,
                                             OPT_DRY_RUN, OPT_COUNT};
static const enum opt_id status_opts[] = {OPT_LIMIT, OPT_COUNT};
static const enum opt_id cron_opts[] = {OPT_COUNT};
static const enum opt_id systemd_opts[] = {OPT_COUNT};
static const enum opt_id list_opts[] = {OPT_STATUS, OPT_CROP,  OPT_FARMER,
                                        OPT_AFTER,  OPT_LIMIT, OPT_COUNT};
static const enum opt_id verify_opts[] = {OPT_REPAIR,       OPT_LIMIT,   OPT_BATCH_SIZE,
                                          OPT_MAX_DURATION, OPT_DRY_RUN, OPT_COUNT};
static const enum opt_id cleanup_opts[] = {OPT_OLDER_THAN, OPT_ORPHANS, OPT_BATCH_SIZE, OPT_DRY_RUN,
                                           OPT_COUNT};

const struct cmd commands[] = {
    {"init-db", "", "create or migrate the schema snapctl owns", cmd_init_db, init_db_opts},
    {"upsert", "BOOKING_ID... | - | --all", "aggregate bookings into snapshots", cmd_upsert,
     upsert_opts},
    {"get", "BOOKING_ID", "print a booking's snapshot as JSON", cmd_get, get_opts},
    {"publish", "BOOKING_ID...", "publish listings now, whatever their schedule", cmd_publish,
     publish_opts},
    {"sync-all", "", "publish due snapshots, remove listings of finished bookings", cmd_sync_all,
     sync_all_opts},
    {"withdraw", "BOOKING_ID", "remove a booking's listing now", cmd_withdraw, withdraw_opts},
    {"reconcile", "[BOOKING_ID...]", "refresh published snapshots and listings from the sources",
     cmd_reconcile, reconcile_opts},
    {"cleanup", "", "delete old withdrawn and completed snapshots, once their listing is gone",
     cmd_cleanup, cleanup_opts},
    {"status", "", "what needs attention: counts, due work, failures, last runs (exit 3: some)",
     cmd_status, status_opts},
    {"cron", "", "print the recommended crontab lines", cmd_cron, cron_opts},
    {"systemd", "", "print the systemd service and timer units of the jobs", cmd_systemd,
     systemd_opts},
    {"list", "", "list snapshots by status, crop type, farmer; a page at a time", cmd_list,
     list_opts},
    {"verify", "", "check that every listing matches its snapshot (exit 3: some differ)",
     cmd_verify, verify_opts},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct opt *opt_find(enum opt_id id)
{
	const struct opt *o;

	for (o = global_opts; o->name; o++)
		if (o->id == id)
			return o;
	for (o = cmd_opts; o->name; o++)
		if (o->id == id)
			return o;
	return NULL;
}

const struct cmd *cmd_find(const char *name)
{
	const struct cmd *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}
