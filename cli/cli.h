/* The snapctl tool: the command table, parsed invocation, output and exit codes. The tool
 * reaches the library only through snapshot.h. */
#ifndef SNAPCTL_CLI_H
#define SNAPCTL_CLI_H

#include <stdio.h>

#include "snapshot.h"

/* Every option of every command, from the table (cmdtab.def); OPT_NONE ends a list. */
enum opt_id {
	OPT_NONE,
#define GLOBAL(i, ...) OPT_##i,
#define OPTION(i, ...) OPT_##i,
#include "cmdtab.def"
	OPT_COUNT
};

/* What an option's value is; the checks and the completions follow from it. */
enum value_type {
	V_FLAG,    /* no value */
	V_COUNT,   /* a whole number from lo to hi */
	V_SECONDS, /* decimal seconds from lo to hi */
	V_AGE,     /* a number with s, m, h, d or w (snap_parse_duration) */
	V_CHOICE,  /* one of choices */
	V_URI,
	V_PATH,
	V_TEXT,
};

struct opt {
	enum opt_id id;
	const char *name; /* long name, without "--" */
	char short_name;  /* 0: none */
	int global;       /* every command takes it */
	int repeat;       /* may be given more than once */
	enum value_type type;
	const char *arg;            /* the value's placeholder in help */
	double lo, hi;              /* V_COUNT, V_SECONDS */
	const char *const *choices; /* V_CHOICE: NULL-terminated */
	unsigned flag;              /* V_FLAG: the library's flag it sets (SNAP_DRY_RUN, ...) */
	const char *help;
};

/* An option as one command takes it. */
struct use {
	enum opt_id id;
	const char *help; /* NULL: the option's */
	const char *def;  /* the default, as it would be typed; NULL: none */
};

#define MANY (-1)
/* What a command takes after its options: booking ids, from min to max (MANY: no limit). */
struct operands {
	int min, max;
	int from_stdin;      /* "-" alone: the ids on standard input */
	enum opt_id instead; /* a flag that stands for every booking, without ids (OPT_NONE) */
};

struct invocation;
typedef int (*cmd_fn)(struct invocation *inv);

struct cmd {
	const char *name;
	const char *summary;
	struct operands operands;
	int writes;   /* then it takes --dry-run */
	int recorded; /* a job: its runs are recorded under its name for `snapctl status` */
	const struct use *uses; /* ended by OPT_NONE; NULL: none */
	cmd_fn fn;
};

extern const struct opt options[OPT_COUNT];
extern const struct cmd commands[];
const struct opt *opt_find(enum opt_id id);
const struct cmd *cmd_find(const char *name);
/* cmd's i-th option (its uses, then --dry-run when it writes); NULL past the last. */
const struct use *cmd_use(const struct cmd *cmd, size_t i);
/* The i-th option an invocation of cmd accepts: the global ones, then cmd's (cmd NULL: the
 * global ones only); NULL past the last. */
const struct opt *opt_accepted(const struct cmd *cmd, size_t i);
/* How cmd takes option id; NULL when it does not (global options neither). */
const struct use *cmd_uses(const struct cmd *cmd, enum opt_id id);
/* A value of o: 1 with *count or *seconds set as its type says, or 0 when it is not one. */
int opt_parse(const struct opt *o, const char *text, long *count, double *seconds);
/* What a value of o must be, e.g. "a number from 1 to 100000", into buf. */
void opt_must(const struct opt *o, char *buf, size_t size);
/* cmd's operands as --help writes them, e.g. "BOOKING_ID... | - | --all"; "" for none. */
void cmd_operands(const struct cmd *cmd, char *buf, size_t size);

enum log_format { LOG_TEXT, LOG_JSON };

struct invocation {
	const struct cmd *cmd;
	/* Each option's value as typed ("" for a flag) on the command line, else from the config
	 * file, else the command's default; NULL: none. Counts and durations also parsed: */
	const char *opt[OPT_COUNT];
	long count[OPT_COUNT];     /* V_COUNT */
	double seconds[OPT_COUNT]; /* V_SECONDS, V_AGE */
	char *owned[OPT_COUNT];    /* values from the config file, which opt[] points to */
	int verbose;               /* -v count */
	snap_run run; /* the options every bulk operation shares, with the library's flags */
	char **args;  /* operands */
	int nargs;
	/* resolved settings: flags, then environment, then config file, then defaults */
	char *pg_uri;
	char *mongo_uri;
	char *mongo_db;
	char *metrics_file; /* --metrics-file or the config's metrics_file; NULL: none */
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
struct json_object;
/* The end of a run the library tallied: its counts on stdout (one JSON object with --json, else
 * one line of text), also when a lost database stopped it, with details (borrowed, optional)
 * added to the JSON; for a job (the library recorded the run under it), its metrics in
 * --metrics-file. Returns the exit code: rc's, else 3 when partial, else 0. */
int finish_run(struct invocation *inv, const char *job, const snap_tally *t,
               struct json_object *details, snap_code rc, const snap_error *err);

/* metrics.c: the run of job in the file at path; ok: it ended ok. 0, or -1 when it could not
 * be written. */
int metrics_write(const char *path, const char *job, const snap_tally *t, int ok);

/* help.c */
void help_main(FILE *f);
void help_cmd(FILE *f, const struct cmd *cmd);

#define COMMAND(fn, ...) int fn(struct invocation *inv);
#include "cmdtab.def"
/* cmd_publish.c: runs a sync (publish, sync-all) and reports its summary. */
int sync_run(struct invocation *inv, const char *const *ids, size_t n); /* NULL: due work */
void self_path(char *buf, size_t size); /* this executable's path, else "snapctl" */

#endif
