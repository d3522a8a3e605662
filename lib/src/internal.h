/* Private to libsnapshot: the context, error and logging helpers, the libpq wrapper and the
 * embedded SQL. Nothing here is installed. */
#ifndef SNAP_INTERNAL_H
#define SNAP_INTERNAL_H

#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>

#include "snapshot.h"

struct snap_ctx {
	char *pg_uri; /* NULL: libpq defaults */
	char *app_name;
	int pest_event_limit;
	snap_log_fn log;
	void *log_data;
	snap_log_level log_max;
	snap_progress_fn progress;
	void *progress_data;
	PGconn *pg; /* NULL until first use */
	char *mongo_uri;
	char *mongo_db;
	int lease_seconds;
	int max_attempts;
	void *mongo_dl; /* the MongoDB module, loaded on first use */
	const struct mongo_ops *mongo_ops;
	void *mongo; /* its open connection */
	volatile sig_atomic_t interrupted;
};

/* Says in err (which may be NULL) what would put it right; returns code:
 * `return with_remedy(err, SNAP_REMEDY_INIT_DB, snap_fail(err, ...))`. */
snap_code with_remedy(snap_error *err, snap_remedy remedy, snap_code code);
/* Sets err (which may be NULL) and returns code, so callers can `return snap_fail(...)`. */
snap_code snap_fail(snap_error *err, snap_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void snap_log(snap_ctx *ctx, snap_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A growing string; on allocation failure it stays valid and sb_failed() says so. */
typedef struct strbuf {
	char *buf;
	size_t len, cap;
	int failed;
} strbuf;

void sb_add(strbuf *sb, const char *s);
void sb_addn(strbuf *sb, const char *s, size_t n);
void sb_free(strbuf *sb);
/* s as a JSON string, quoted; invalid UTF-8 becomes U+FFFD, a character cut short at the end
 * is dropped. */
void sb_add_json_string(strbuf *sb, const char *s);
/* items as a PostgreSQL array literal, each quoted and escaped: {"a","b\"c"}. */
void sb_add_text_array(strbuf *sb, const char *const *items, size_t n);
/* ids (canonical UUID text) as a uuid[] in PostgreSQL's binary array format, for a parameter
 * of format 1. Binary, because the server spends about a microsecond on each element of a
 * uuid[] in text. */
void sb_add_uuid_array(strbuf *sb, const char *const *ids, size_t n);
/* A JSON object of n fields whose values are strings (NULL: null), as jsonb_to_recordset()
 * reads them into typed columns: {"id":"...","found":"12"}. */
void sb_add_json_record(strbuf *sb, const char *const *keys, const char *const *values, size_t n);
/* Ends s before a character cut short at its end (what snprintf leaves of a long text). */
void utf8_cut(char *s);

double now_seconds(void); /* monotonic, for durations */

/* Tells the progress callback, if any, that done items are counted as what. */
void progress(snap_ctx *ctx, const char *what, long done);

/* The counts of a run's tally, in order: pairs of a static name and a long (at most 12). */
#define tally_counts(t, ...) tally_counts_((t), __VA_ARGS__, (const char *)NULL)
void tally_counts_(snap_tally *t, ...);
/* Ends the tally of a run that started at start (now_seconds()) and ended with rc, and records
 * it under run->job unless a dry run. */
void tally_end(snap_ctx *ctx, const snap_run *run, snap_tally *t, double start, snap_code rc);
/* status.c: records a job's run for snap_status(); a failure is a warning in the log, and none
 * at all when the run itself failed (PostgreSQL may be what is down). */
void run_record(snap_ctx *ctx, const char *job, const snap_tally *t, snap_code ended);
/* The batch size run asks for, else batch (the operation's default). */
long batch_of(const snap_run *run, long batch);
/* The size of a run's next batch in *want: batch_size, less near the limit (0: none), 0 once
 * max_seconds (0: none) have passed since start; SNAP_ERR_TEMPORARY once interrupted. */
snap_code next_batch(snap_ctx *ctx, long limit, long done, long batch_size, double start,
                     double max_seconds, long *want, snap_error *err);

/* sync.c: claims those of ids that are due, under a lease, writes their listings and settles
 * them, as sync-all would, in sync-all's batches, counting in *sum. For reconcile, upsert
 * --publish and verify --repair; MongoDB is reached only when one is. */
snap_code sync_due_among(snap_ctx *ctx, const char *const *ids, size_t n, snap_sync_summary *sum,
                         snap_error *err);

/* sync.c: makes those of ids[0..n) that are published and free due again (their listing is
 * missing or wrong), counting them in *made; dry: only counts. */
snap_code sync_make_due(snap_ctx *ctx, const char *const *ids, size_t n, int dry_run, long *made,
                        snap_error *err);

/* cleanup.c: removes the listings of ids[0..n) that have no snapshot (checked again now), as
 * cleanup --orphans does; *removed says how many went (or, dry, would go). */
snap_code remove_orphans(snap_ctx *ctx, const char *const *ids, size_t n, int dry_run,
                         long *removed, snap_error *err);

/* beside.c: fn(arg) run on a thread of its own, every signal blocked in it, while the caller
 * goes on; when no thread can be made, at once, before beside_start returns. beside_join
 * waits for it. The two must not touch the same thing meanwhile. */
struct beside_run {
	pthread_t thread;
	int threaded;
};
void beside_start(struct beside_run *b, void *(*fn)(void *), void *arg);
void beside_join(struct beside_run *b);

/* pg.c: the one place that talks libpq. */
snap_code pg_conn(snap_ctx *ctx, snap_error *err);
snap_code pg_exec(snap_ctx *ctx, const char *what, const char *sql, int nparams,
                  const char *const *params, PGresult **out, snap_error *err);
/* The same in two steps, so that the caller works meanwhile: pg_send sends the statement,
 * pg_receive waits for its result. Nothing else may use the connection in between, but
 * between pg_pipeline_begin and pg_pipeline_end several statements may be sent before their
 * results are taken, in order; each is still a transaction of its own. The connection may be
 * used from another thread than the one that opened it, by one thread at a time. */
snap_code pg_pipeline_begin(snap_ctx *ctx, snap_error *err);
void pg_pipeline_end(snap_ctx *ctx);
snap_code pg_send(snap_ctx *ctx, const char *what, const char *sql, int nparams,
                  const char *const *params, snap_error *err);
snap_code pg_receive(snap_ctx *ctx, const char *what, PGresult **out, snap_error *err);
/* The same with lengths and formats per parameter (1: binary), as PQexecParams takes them. */
snap_code pg_exec_ex(snap_ctx *ctx, const char *what, const char *sql, int nparams,
                     const char *const *params, const int *lengths, const int *formats,
                     PGresult **out, snap_error *err);
/* Static SQL with no values, possibly several statements. */
snap_code pg_cmd(snap_ctx *ctx, const char *what, const char *sql, snap_error *err);
void pg_rollback(snap_ctx *ctx); /* best effort, for error paths */

/* listings.c */
void listings_close(snap_ctx *ctx);
/* init-db's MongoDB part: duplicate listings (fail it with SNAP_ERR_INPUT unless
 * SNAP_INIT_FIX_DUPLICATES removes all but the newest), then the listing indexes. */
snap_code listings_init(snap_ctx *ctx, unsigned flags, snap_init_fn fn, void *data,
                        snap_error *err);
/* schema.c: init-db's PostgreSQL part, the migrations then the source indexes. */
snap_code schema_init(snap_ctx *ctx, unsigned flags, snap_init_fn fn, void *data, snap_error *err);

/* Embedded from lib/sql at build time (sql.c is generated). */
extern const char snap_sql_upsert[];
extern const char snap_sql_migrate_001[];
extern const char snap_sql_migrate_002[];
extern const char snap_sql_migrate_003[];
extern const char snap_sql_migrate_004[];
extern const char snap_sql_migrate_005[];
extern const char snap_sql_migrate_006[];
extern const char snap_sql_migrate_007[];
extern const char snap_sql_source_indexes[];
extern const char snap_sql_status[];
extern const char snap_sql_sync_claim[];
extern const char snap_sql_sync_settle[];
extern const char snap_sql_verify_rows[];

#endif
