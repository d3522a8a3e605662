/* The snapctl tool: the command table, parsed invocation, output and exit codes. The tool
 * reaches the library only through snapshot.h. */
#ifndef SNAPCTL_CLI_H
#define SNAPCTL_CLI_H

#include <stdio.h>

#include "snapshot.h"

/* Every option of every command. The table in cmdtab.c says which command takes which. */
enum opt_id {
	OPT_PG,
	OPT_MONGO,
	OPT_MONGO_DB,
	OPT_CONFIG,
	OPT_JSON,
	OPT_QUIET,
	OPT_VERBOSE,
	OPT_LOG_FORMAT,
	OPT_METRICS_FILE,
	OPT_HELP,
	OPT_VERSION,
	OPT_ALL,
	OPT_DRY_RUN,
	OPT_BATCH_SIZE,
	OPT_CHECK,
	OPT_SOURCE_INDEXES,
	OPT_FIX_DUPLICATES,
	OPT_LISTING,
	OPT_LIMIT,
	OPT_MAX_DURATION,
	OPT_RETRY_FAILED,
	OPT_PUBLISH,
	OPT_OLDER_THAN,
	OPT_ORPHANS,
	OPT_STATUS,
	OPT_CROP,
	OPT_FARMER,
	OPT_AFTER,
	OPT_REPAIR,
	OPT_COUNT
};

struct opt {
	enum opt_id id;
	const char *name; /* long name, without "--" */
	char short_name;  /* 0: none */
	const char *arg;  /* argument placeholder; NULL: a flag */
	const char *help;
	const char *values; /* space-separated choices for completion; NULL: free text */
};

struct invocation;
typedef int (*cmd_fn)(struct invocation *inv);

struct cmd {
	const char *name;
	const char *args; /* operand synopsis, e.g. "BOOKING_ID... | - | --all" */
	const char *summary;
	cmd_fn fn;
	const enum opt_id *opts; /* terminated by OPT_COUNT */
};

extern const struct opt global_opts[];
extern const struct opt cmd_opts[];
extern const struct cmd commands[];
const struct opt *opt_find(enum opt_id id);
const struct cmd *cmd_find(const char *name);

enum log_format { LOG_TEXT, LOG_JSON };

struct invocation {
	const struct cmd *cmd;
	const char *opt[OPT_COUNT]; /* argument, or "" for a flag given; NULL: not given */
	int verbose;                /* -v count */
	char **args;                /* operands */
	int nargs;
	/* resolved settings: flags, then environment, then config file, then defaults */
	char *pg_uri;
	char *mongo_uri;
	char *mongo_db;
	char *metrics_file; /* --metrics-file or the config's metrics_file; NULL: none */
	int batch_size;
	long limit;         /* --limit; 0: none */
	double max_seconds; /* --max-duration; 0: none */
	int pest_event_limit;
	int lease_seconds; /* config only; 0: the library's default */
	int max_attempts;
	enum log_format log_format;
	snap_ctx *ctx;
};

/* Exit codes (sysexits); the man page's EXIT STATUS mirrors exit_code(). */
enum {
	EXIT_PARTIAL = 3,
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,
	EXIT_NOINPUT = 66,
	EXIT_UNAVAILABLE = 69,
	EXIT_SOFTWARE = 70,
	EXIT_TEMPFAIL = 75,
	EXIT_CONFIG = 78,
};
int exit_code(snap_code code);

/* config.c */
int config_resolve(struct invocation *inv);

/* out.c: logs and errors go to stderr; results to stdout. */
void log_setup(struct invocation *inv, snap_config *cfg);
void log_msg(snap_log_level level, const char *message, void *inv);
void progress_clear(void); /* ends the progress line on stderr, if one is shown */
int fail(struct invocation *inv, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int fail_snap(struct invocation *inv, const snap_error *err);
/* Fills err like the library does, for errors the tool finds itself; returns code. */
snap_code set_error(snap_error *err, snap_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void warn(struct invocation *inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int human_output(const struct invocation *inv); /* text to stdout wanted */
/* The end of a run: its counts on stdout (one JSON object with --json, else one line of
 * text), also when a lost database stopped it; for a job that wrote, its record in PostgreSQL
 * for `snapctl status`. Returns the exit code: rc's, else 3 when partial, else 0. */
struct run_summary {
	const char *job; /* NULL: not recorded */
	const char *const *names;
	const long *values;
	size_t n;
	long duration_ms;
	int dry_run;
	int partial;                 /* some items were retried or failed */
	struct json_object *details; /* optional, borrowed: added to --json output as "details" */
};
int finish_run(struct invocation *inv, const struct run_summary *r, snap_code rc,
               const snap_error *err);

/* metrics.c: the run of job r in inv->metrics_file; ok: it ended ok. Failures are warnings. */
void metrics_write(struct invocation *inv, const struct run_summary *r, int ok);

/* help.c */
void help_main(FILE *f);
void help_cmd(FILE *f, const struct cmd *cmd);

int cmd_init_db(struct invocation *inv);
int cmd_upsert(struct invocation *inv);
int cmd_get(struct invocation *inv);
int cmd_publish(struct invocation *inv);
int cmd_sync_all(struct invocation *inv);
int cmd_withdraw(struct invocation *inv);
int cmd_reconcile(struct invocation *inv);
int cmd_cleanup(struct invocation *inv);
int cmd_status(struct invocation *inv);
int cmd_verify(struct invocation *inv);
int cmd_cron(struct invocation *inv);
int cmd_systemd(struct invocation *inv);
/* cmd_publish.c: runs a sync (publish, sync-all) and reports its summary. */
int sync_run(struct invocation *inv, const snap_sync_opts *o, const char *job);
void self_path(char *buf, size_t size); /* this executable's path, else "snapctl" */
int cmd_list(struct invocation *inv);

#endif
