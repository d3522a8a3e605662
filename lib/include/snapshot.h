/* libsnapshot: aggregates cold-storage booking evidence into market inventory snapshots.
 * The public API; no libpq, libmongoc or json-c types cross it. */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility; what this header declares is its ABI. */
#if defined(SNAP_BUILDING) && defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define SNAP_VERSION "0.1.0"

/* Every call returns one of these; snap_strerror() names it. The CLI maps them to exit codes. */
typedef enum snap_code {
	SNAP_OK = 0,
	SNAP_ERR_USAGE,       /* the caller passed arguments that make no sense */
	SNAP_ERR_INPUT,       /* malformed input, e.g. a booking id that is not a UUID */
	SNAP_ERR_NOT_FOUND,   /* booking or snapshot does not exist */
	SNAP_ERR_UNAVAILABLE, /* a database cannot be reached; nothing was half-done */
	SNAP_ERR_TEMPORARY,   /* try again later: lock held elsewhere, deadlock, interrupted */
	SNAP_ERR_CONFIG,      /* configuration or schema state prevents the work */
	SNAP_ERR_INTERNAL,    /* a bug or an unexpected server answer */
} snap_code;

/* What would put a failure right, for the front end to say in its own words (the message names
 * the problem only). */
typedef enum snap_remedy {
	SNAP_REMEDY_NONE,
	SNAP_REMEDY_INIT_DB,        /* create or migrate the schema: snap_init_db() */
	SNAP_REMEDY_FIX_DUPLICATES, /* snap_init_db() with SNAP_INIT_FIX_DUPLICATES */
	SNAP_REMEDY_PG_URI,         /* correct the PostgreSQL setting (snap_config.pg_uri) */
	SNAP_REMEDY_MONGO_URI,      /* correct the MongoDB one (snap_config.mongo_uri) */
	SNAP_REMEDY_UPGRADE,        /* a newer libsnapshot */
} snap_remedy;

/* Filled in on failure: the code again, a one-line message (no trailing newline) that never
 * contains a password, and what would put it right. */
typedef struct snap_error {
	snap_code code;
	char message[256];
	snap_remedy remedy;
} snap_error;

const char *snap_strerror(snap_code code); /* static, never NULL */

typedef enum snap_log_level {
	SNAP_LOG_ERROR,
	SNAP_LOG_WARN,
	SNAP_LOG_INFO,
	SNAP_LOG_DEBUG,
} snap_log_level;

/* The library never prints: it hands one-line messages to this callback. */
typedef void (*snap_log_fn)(snap_log_level level, const char *message, void *data);

/* After each batch of a long operation: what it counts ("claimed", "checked", "deleted") and
 * how many so far. For a progress display. */
typedef void (*snap_progress_fn)(const char *what, long done, void *data);

/* The batch of each bulk operation when its batch_size is 0, measured by bench/: larger
 * batches spend less per item on planning and round trips, and each still commits within a
 * few tenths of a second; but upsert's and reconcile's, whose aggregation scans the sources
 * for large batches and probes them for small ones, within about four seconds at 200,000
 * bookings (bench/RESULTS.md). */
#define SNAP_UPSERT_BATCH    100000 /* bookings per transaction */
#define SNAP_SYNC_BATCH      500    /* snapshots per claim and bulk write */
#define SNAP_RECONCILE_BATCH 100000 /* snapshots checked per step */
#define SNAP_CLEANUP_BATCH   100    /* snapshots deleted per transaction */
#define SNAP_VERIFY_BATCH    1000   /* snapshots read per step */
#define SNAP_LIST_LIMIT      50     /* rows per page of snap_list() */
#define SNAP_STATUS_FAILED   10     /* failed snapshots snap_status() shows */

/* Zero-initialise, then set what you need; NULL or 0 means the default. The strings are copied
 * by snap_ctx_new(). */

typedef struct snap_config {
	const char *pg_uri;     /* libpq conninfo or URI; NULL: libpq's environment and services */
	const char *app_name;   /* application_name for PostgreSQL; NULL: "snapctl" */
	int pest_event_limit;   /* pest events kept per snapshot; 0: 50 */
	const char *mongo_uri;  /* NULL: mongodb://127.0.0.1:27017 */
	const char *mongo_db;   /* database of market_listings; NULL: market_connect */
	int lease_seconds;      /* how long a claim on a snapshot lasts; 0: 300 */
	int max_attempts;       /* failed publications before a snapshot is 'failed'; 0: 10 */
	snap_log_fn log;        /* NULL: silent */
	void *log_data;         /* handed to log */
	snap_log_level log_max; /* messages above this level are not produced */
	snap_progress_fn progress; /* NULL: none */
	void *progress_data;       /* handed to progress */
} snap_config;

typedef struct snap_ctx snap_ctx;

/* Makes a context. It connects lazily, on the first call that needs a database. */
snap_code snap_ctx_new(snap_ctx **out, const snap_config *cfg, snap_error *err);
void snap_ctx_free(snap_ctx *ctx); /* NULL is fine; closes connections */

/* Asks the running operation to stop at the next batch boundary; async-signal-safe. */
void snap_ctx_interrupt(snap_ctx *ctx);

/* Operations that write take flags, directly or in their options. SNAP_DRY_RUN is theirs in
 * common: do everything but commit, and report what would change. Their own flags follow. */
#define SNAP_DRY_RUN (1u << 0)

/* How a bulk operation runs: the same fields in the options of each (each says which apply). */
typedef struct snap_run {
	unsigned flags;     /* SNAP_DRY_RUN and the operation's own */
	long limit;         /* items at most; 0: all */
	int batch_size;     /* items per step; 0: the operation's SNAP_*_BATCH */
	double max_seconds; /* start no new step after this long; 0: no limit */
	const char *job;    /* the run is recorded under this name for snap_status(), whatever
	                       ended it (a dry run never is); NULL: not recorded */
} snap_run;

/* What a bulk operation did, in the order a report shows it: its counts by name, how long it
 * took, and whether it was partial (some items were retried or failed, and the next run takes
 * them again; for verify: something differs, or could not be put right). */
typedef struct snap_tally {
	size_t n;
	struct snap_count {
		const char *name; /* static */
		long value;
	} counts[12];
	long duration_ms;
	int partial;
} snap_tally;

/* ---- init-db ---- */

typedef enum snap_init_flags {
	SNAP_INIT_SOURCE_INDEXES = 1u << 1, /* also create the indexes the aggregation needs */
	SNAP_INIT_FIX_DUPLICATES = 1u << 2, /* keep the newest listing of each booking, remove
	                                       the rest */
} snap_init_flags;

typedef enum snap_step_kind {
	SNAP_STEP_MIGRATION,            /* a schema migration: version, name */
	SNAP_STEP_LEGACY_UPGRADE,       /* migration 1 upgrading the earlier system's table */
	SNAP_STEP_SOURCE_INDEX,         /* an index created on a source table: name, detail */
	SNAP_STEP_SOURCE_INDEX_MISSING, /* one the aggregation needs, not created */
	SNAP_STEP_LISTING_INDEX,        /* a listing index: name, detail its keys */
	SNAP_STEP_DUPLICATE_LISTINGS,   /* name a booking with several listings, detail how many */
	SNAP_STEP_DUPLICATES_REMOVED,   /* the same, all but the newest removed */
} snap_step_kind;

/* One change init-db made or, with SNAP_DRY_RUN, would make. */
typedef struct snap_init_step {
	snap_step_kind kind;
	const char *name;   /* migration description, index name or booking id */
	int version;        /* migration version; 0 otherwise */
	const char *detail; /* e.g. "sensor_readings (sensor_id, reading_time)"; may be "" */
} snap_init_step;

typedef int (*snap_init_fn)(const snap_init_step *step, void *data);

/* Creates or migrates everything snapctl owns in both databases; safe to run any number of
 * times and concurrently. First duplicate listings (several of one booking): reported, and
 * unless SNAP_INIT_FIX_DUPLICATES they fail it with SNAP_ERR_INPUT before anything changes;
 * then the schema migrations, the source indexes (missing ones always reported, created with
 * SNAP_INIT_SOURCE_INDEXES) and the listing indexes. fn hears each step as it is done (with
 * SNAP_DRY_RUN, each that would be). */
snap_code snap_init_db(snap_ctx *ctx, unsigned flags, snap_init_fn fn, void *data, snap_error *err);

/* The schema version this library writes, and the one found in the database (0: none). */
int snap_schema_target_version(void);
snap_code snap_schema_version(snap_ctx *ctx, int *out, snap_error *err);

/* ---- upsert ---- */

typedef enum snap_action {
	SNAP_ACTION_CREATED,
	SNAP_ACTION_UPDATED,
	SNAP_ACTION_UNCHANGED,
} snap_action;

const char *snap_action_name(snap_action action); /* "created", "updated", "unchanged" */

/* One booking's outcome. The strings are borrowed for the duration of the callback. */
typedef struct snap_upsert_result {
	const char *booking_id; /* canonical lower-case UUID */
	snap_action action;
	const char *status;
	int64_t snapshot_version;
} snap_upsert_result;

/* Return non-zero to stop after the current batch. */
typedef int (*snap_upsert_fn)(const snap_upsert_result *result, void *data);

/* With SNAP_UPSERT_PUBLISH, after each batch commits, the listings of its snapshots left ready
 * and due are published as reconcile publishes them (claims, leases, fences). A publication
 * that fails is not the upsert's failure: the summary says so, and sync-all publishes them
 * later. */
enum { SNAP_UPSERT_PUBLISH = 1u << 1 };

typedef struct snap_upsert_opts {
	/* flags: SNAP_DRY_RUN (compute and report, then roll back), SNAP_UPSERT_PUBLISH;
	 * batch_size: snap_upsert_all's bookings per transaction */
	snap_run run;
	snap_upsert_fn fn; /* each booking's outcome, once its batch committed; NULL: none */
	void *data;        /* handed to fn */
} snap_upsert_opts;

/* The operations add to it (zero it first), so one summary may gather several calls. */
typedef struct snap_upsert_summary {
	long actions[3];          /* bookings by snap_action */
	long ready;               /* SNAP_UPSERT_PUBLISH: snapshots left ready to publish */
	long published;           /* of those, published now (or at once by a concurrent run) */
	snap_error publish_error; /* why publishing stopped; code SNAP_OK when it did not */
} snap_upsert_summary;

/* Aggregates and writes the snapshots of the n bookings, atomically: if any id is malformed
 * (SNAP_ERR_INPUT) or names no booking (SNAP_ERR_NOT_FOUND), nothing is written and fn is not
 * called. Repeated ids are reported once. Concurrent upserts of the same booking serialise;
 * none fails and none overwrites newer content with older. sum may be NULL. */
snap_code snap_upsert(snap_ctx *ctx, const char *const *ids, size_t n, const snap_upsert_opts *opts,
                      snap_upsert_summary *sum, snap_error *err);

/* Every booking, opts->batch_size at a time, each batch its own transaction, by location.
 * Memory stays flat whatever the number of bookings. */
snap_code snap_upsert_all(snap_ctx *ctx, const snap_upsert_opts *opts, snap_upsert_summary *sum,
                          snap_error *err);

/* ---- listings (MongoDB, SPEC section 5) ---- */

/* The listing of one booking as relaxed extended JSON, keys in stored order, each number as
 * short as reads back the same; SNAP_ERR_NOT_FOUND when none. */
snap_code snap_listing_get(snap_ctx *ctx, const char *booking_id, char **json_out, snap_error *err);

/* What publish, sync-all and withdraw do (SPEC sections 4 and 7). */
typedef struct snap_sync_opts {
	const char *const *ids; /* publish these now, whatever their schedule; NULL: due work */
	size_t nids;
	/* flags: SNAP_DRY_RUN (count what would be done, claim and write nothing),
	 * SNAP_SYNC_RETRY_FAILED; limit: snapshots; batch_size: per claim and bulk write;
	 * max_seconds: claim nothing after */
	snap_run run;
} snap_sync_opts;

enum { SNAP_SYNC_RETRY_FAILED = 1u << 1 }; /* also take 'failed' snapshots */

typedef struct snap_sync_summary {
	long claimed, published, withdrawn, completed, skipped_stale, retried, failed;
	snap_tally tally; /* the same, for a report (snap_sync() fills it; partial: retried or
	                     failed) */
} snap_sync_summary;

/* Claims due snapshots in batches (FOR UPDATE SKIP LOCKED, under a lease on the database
 * clock), writes their listings in one unordered bulk write per batch, and marks them under a
 * fence, until none is due or a limit is reached. Listings of cancelled or rejected bookings
 * are removed ('withdrawn'), of completed or ended ones too ('completed'). With MongoDB
 * unreachable it releases its claims and returns SNAP_ERR_UNAVAILABLE; items that failed
 * are counted in *sum (retried, or failed after max_attempts). snap_ctx_interrupt() stops it
 * between batches. */
snap_code snap_sync(snap_ctx *ctx, const snap_sync_opts *opts, snap_sync_summary *sum,
                    snap_error *err);

/* Removes a booking's listing now and marks its snapshot 'withdrawn'. */
snap_code snap_withdraw(snap_ctx *ctx, const char *booking_id, unsigned flags, snap_error *err);

/* What reconcile does (SPEC section 6). */
typedef struct snap_reconcile_opts {
	const char *const *ids; /* check these; NULL: the published snapshots, in turn */
	size_t nids;
	/* flags: SNAP_DRY_RUN (check and count changes, write nothing); limit: snapshots checked
	 * (0: to the end of the pass); batch_size: checked per step; max_seconds */
	snap_run run;
} snap_reconcile_opts;

typedef struct snap_reconcile_summary {
	long checked, unchanged, changed, published, withdrawn, completed, retried, failed;
	long missing;     /* published snapshots found without a listing, published again */
	snap_tally tally; /* the same, for a report (partial: retried or failed) */
} snap_reconcile_summary;

/* Re-aggregates published snapshots (all of them in turn, from where the last run of any host
 * stopped, or the ids given) and publishes those whose content changed, or whose listing is
 * missing, in the same run;
 * listings of bookings now cancelled, rejected, completed or ended are removed. Unchanged
 * snapshots cost no write in either database. Claims, leases, fences, retries and the
 * circuit breaker are sync-all's. snap_ctx_interrupt() stops it between batches. */
snap_code snap_reconcile(snap_ctx *ctx, const snap_reconcile_opts *opts,
                         snap_reconcile_summary *sum, snap_error *err);

/* What cleanup does (SPEC section 6). */
typedef struct snap_cleanup_opts {
	double older_than_seconds; /* withdrawn or completed for longer than this */
	/* flags: SNAP_DRY_RUN (count what would go, change nothing), SNAP_CLEANUP_ORPHANS;
	 * batch_size: snapshots per transaction */
	snap_run run;
} snap_cleanup_opts;

enum { SNAP_CLEANUP_ORPHANS = 1u << 1 }; /* also remove listings whose snapshot is gone */

typedef struct snap_cleanup_summary {
	long deleted;     /* snapshots deleted (dry run: that would be) */
	long kept;        /* old snapshots kept: their listing could not be confirmed gone */
	long orphans;     /* listings removed (dry run: found) with no snapshot */
	snap_tally tally; /* the same, for a report */
} snap_cleanup_summary;

/* Deletes withdrawn and completed snapshots older than opts->older_than_seconds, in small
 * transactions, each only once its listing is confirmed absent from MongoDB; with MongoDB
 * unreachable nothing more is deleted and SNAP_ERR_UNAVAILABLE returned. */
snap_code snap_cleanup(snap_ctx *ctx, const snap_cleanup_opts *opts, snap_cleanup_summary *sum,
                       snap_error *err);

/* ---- list ---- */

typedef struct snap_list_opts {
	const char *status;    /* one status; NULL: any */
	const char *crop_type; /* case-insensitive; NULL: any */
	const char *farmer_id; /* NULL: any */
	const char *after;     /* the page after this booking id (the previous page's last) */
	long limit;            /* rows at most; 0: SNAP_LIST_LIMIT */
} snap_list_opts;

/* One snapshot; the strings are borrowed for the callback ("" when unknown). */
typedef struct snap_list_row {
	const char *booking_id, *status, *crop_type, *farmer_id, *updated_at, *last_error;
	int64_t snapshot_version;
} snap_list_row;

/* Return non-zero to stop. */
typedef int (*snap_list_fn)(const snap_list_row *row, void *data);

/* The snapshots that match, in booking id order, a page at a time. An unknown status is
 * SNAP_ERR_USAGE, a farmer or booking id that is not a UUID SNAP_ERR_INPUT. */
snap_code snap_list(snap_ctx *ctx, const snap_list_opts *opts, snap_list_fn fn, void *data,
                    snap_error *err);

/* ---- status ---- */

/* What an operator or a monitoring check wants to know. json is one JSON object (free it with
 * snap_free()): schema_version, counts per status, oldest_due_seconds, active_leases,
 * expired_leases, the top_failed (0: SNAP_STATUS_FAILED) most recent failed snapshots with
 * their last error, missing_source_indexes, runs (the last run of each job: snap_run.job)
 * and attention: why the state needs attention (failed snapshots, due work waiting longer than
 * 900 s, missing source indexes, a job's last run not ok), one line each. */
typedef struct snap_status_report {
	char *json;
	long attention; /* how many reasons; 0: all well */
} snap_status_report;

snap_code snap_status(snap_ctx *ctx, int top_failed, snap_status_report *out, snap_error *err);

/* ---- verify: do PostgreSQL and MongoDB agree? ---- */

typedef enum snap_verify_class {
	SNAP_VERIFY_MISSING, /* a published snapshot without its listing */
	SNAP_VERIFY_EXTRA,   /* a listing without a snapshot, or of a withdrawn or completed one */
	SNAP_VERIFY_VERSION, /* the listing at another version than its snapshot */
	SNAP_VERIFY_DRIFT    /* the same version, other content */
} snap_verify_class;

typedef struct snap_verify_opts {
	/* flags: SNAP_VERIFY_REPAIR, and SNAP_DRY_RUN with it (say what it would repair); limit:
	 * bookings checked; batch_size: snapshots read per step; max_seconds */
	snap_run run;
} snap_verify_opts;

enum { SNAP_VERIFY_REPAIR = 1u << 1 }; /* put right what differs */

typedef struct snap_verify_summary {
	long checked, ok, skipped, missing, extra, version, drift;
	long repaired, retried, failed; /* with repair */
	snap_tally tally; /* the same, for a report (partial: something differs; with repair,
	                     something could not be put right) */
} snap_verify_summary;

/* Called for each booking that differs, with a one-line detail. */
typedef void (*snap_verify_fn)(const char *booking_id, snap_verify_class cls, const char *detail,
                               void *data);

/* "missing", "extra", "version", "drift". */
const char *snap_verify_class_name(snap_verify_class cls);

/* Walks every snapshot and every listing once, both in booking_id order, and compares them:
 * a published snapshot must have its listing, at its version, with its content (fields as a
 * publication writes them; _id, published_at and updated_at aside); a withdrawn or completed
 * one, none; a listing needs a snapshot. Bookings in flight (due, claimed, leased, failed,
 * ending) are skipped. What differs is read again on both sides before it counts (a concurrent
 * sync-all is not a difference), then reported through fn and, with repair, put right through
 * sync-all's claims, leases and fences (missing, version, drift: published again; extra:
 * removed). Memory follows batch_size. snap_ctx_interrupt() stops it between batches. */
snap_code snap_verify(snap_ctx *ctx, const snap_verify_opts *opts, snap_verify_fn fn, void *data,
                      snap_verify_summary *sum, snap_error *err);

/* ---- reading snapshots ---- */

/* The snapshot of one booking as a JSON object: its content in SPEC section 3's order, then
 * "state", its bookkeeping (status, version, attempts, lease, last error, listing id, ...);
 * timestamps in UTC. *json_out belongs to the caller: free it with snap_free(). */
snap_code snap_snapshot_get(snap_ctx *ctx, const char *booking_id, char **json_out,
                            snap_error *err);

void snap_free(void *p); /* frees what the library handed out; NULL is fine */

/* ---- small pure helpers, public because callers validate input with them ---- */

/* 1 when s is a UUID in 8-4-4-4-12 hexadecimal form (any letter case), else 0. */
int snap_uuid_valid(const char *s);

/* A duration: a whole number followed by s, m, h, d or w (seconds when bare), e.g. "90d",
 * "12h", of a century (36,600 days) at most. Returns 1 and sets *seconds, or 0 when s is not
 * one. */
int snap_parse_duration(const char *s, double *seconds);

/* 1 when a PostgreSQL conninfo or URI holds a secret as libpq parses it (password,
 * sslpassword), or cannot be parsed; else 0. */
int snap_pg_uri_has_secret(const char *conninfo);

/* 1 when a MongoDB URI holds a secret as the driver parses it (a password, a TLS key password,
 * authMechanismProperties), or cannot be parsed; else 0. Loads the MongoDB module only when the
 * URI has userinfo or options. */
int snap_mongo_uri_has_secret(const char *uri);

/* Copies conninfo or URI s into out with every secret value replaced by "***": a URI's
 * password, and the value of any option whose name ends in "password" or is
 * authMechanismProperties (any letter case). Returns out. */
char *snap_redact(const char *s, char *out, size_t outsz);

#if defined(SNAP_BUILDING) && defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
