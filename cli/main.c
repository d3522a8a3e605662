/* snapctl's entry point: parse the command line against the table, resolve settings, make the
 * library context, dispatch, map the outcome to an exit code. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parse.h"

#define MAX_OPTS 64

static snap_ctx *signal_ctx;

/* The first SIGINT or SIGTERM asks the run to wind down; a second one ends it at once (the
 * default action), whatever it is waiting for. */
static void on_signal(int sig)
{
	(void)sig;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (signal_ctx)
		snap_ctx_interrupt(signal_ctx);
}

/* Builds getopt_long's tables from the global options and, if cmd is set, its options. */
static void build_opts(const struct cmd *cmd, struct option *lo, char *shorts)
{
	const struct opt *o;
	const enum opt_id *id;
	int n = 0;
	char *s = shorts;

	*s++ = ':';
	for (o = global_opts; o->name; o++) {
		lo[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
		                          256 + (int)o->id};
		if (o->short_name) {
			*s++ = o->short_name;
			if (o->arg)
				*s++ = ':';
		}
	}
	for (id = cmd ? cmd->opts : NULL; id && *id != OPT_COUNT; id++) {
		o = opt_find(*id);
		lo[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
		                          256 + (int)o->id};
		if (o->short_name) {
			*s++ = o->short_name;
			if (o->arg)
				*s++ = ':';
		}
	}
	lo[n] = (struct option){0};
	*s = '\0';
}

static const struct opt *opt_by_short(const struct cmd *cmd, int c)
{
	const struct opt *o;
	const enum opt_id *id;

	for (o = global_opts; o->name; o++)
		if (o->short_name == c)
			return o;
	for (id = cmd ? cmd->opts : NULL; id && *id != OPT_COUNT; id++)
		if (opt_find(*id)->short_name == c)
			return opt_find(*id);
	return NULL;
}

/* Parses argv[0..argc) into inv. With stop_at_operand, stops at the first operand (the
 * command name); else permutes, so options may follow operands. Returns 0 or EXIT_USAGE. */
static int parse(struct invocation *inv, int argc, char **argv, int stop_at_operand)
{
	struct option lo[MAX_OPTS];
	char shorts[2 * MAX_OPTS + 3], spec[2 * MAX_OPTS + 4];
	const struct opt *o;
	int c;

	build_opts(inv->cmd, lo, shorts);
	snprintf(spec, sizeof(spec), "%s%s", stop_at_operand ? "+" : "", shorts);
	optind = 0; /* glibc: reinitialise for the second pass */
	opterr = 0;
	while ((c = getopt_long(argc, argv, spec, lo, NULL)) != -1) {
		if (c == '?' || c == ':') {
			/* The name only: what follows '=' may be a password. */
			const char *bad = argv[optind - 1];

			return fail(inv, EXIT_USAGE,
			            c == '?' ? "unknown option '%.*s'%s%s"
			                     : "option '%.*s' needs an argument%s%s",
			            (int)strcspn(bad, "="), bad, inv->cmd ? " for " : "",
			            inv->cmd ? inv->cmd->name : "");
		}
		o = c >= 256 ? opt_find((enum opt_id)(c - 256)) : opt_by_short(inv->cmd, c);
		inv->opt[o->id] = o->arg ? optarg : "";
		if (o->id == OPT_VERBOSE)
			inv->verbose++;
	}
	return 0;
}

/* What --limit and --max-duration take at most: beyond, a typing slip, not a wish. */
#define MAX_LIMIT   1000000000L
#define MAX_SECONDS 1e9

static int check_values(struct invocation *inv)
{
	const char *lf = inv->opt[OPT_LOG_FORMAT];
	const char *bs = inv->opt[OPT_BATCH_SIZE];
	long n;

	if (lf && strcmp(lf, "text") != 0 && strcmp(lf, "json") != 0)
		return fail(inv, EXIT_USAGE, "--log-format must be 'text' or 'json', not '%s'", lf);
	inv->log_format = lf && !strcmp(lf, "json") ? LOG_JSON : LOG_TEXT;
	if (inv->opt[OPT_LIMIT] && !parse_count(inv->opt[OPT_LIMIT], 1, MAX_LIMIT, &inv->limit))
		return fail(inv, EXIT_USAGE, "--limit must be a number from 1 to %ld, not '%.40s'",
		            MAX_LIMIT, inv->opt[OPT_LIMIT]);
	if (inv->opt[OPT_MAX_DURATION] &&
	    !parse_seconds(inv->opt[OPT_MAX_DURATION], 0.001, MAX_SECONDS, &inv->max_seconds))
		return fail(inv, EXIT_USAGE,
		            "--max-duration must be a number of seconds from 0.001 to %.0f, "
		            "not '%.40s'",
		            MAX_SECONDS, inv->opt[OPT_MAX_DURATION]);
	if (bs && !parse_count(bs, 1, 100000, &n))
		return fail(inv, EXIT_USAGE,
		            "--batch-size must be a number from 1 to 100000, not '%.40s'", bs);
	if (bs)
		inv->batch_size = (int)n;
	return 0;
}

static int run(struct invocation *inv)
{
	snap_config cfg = {0};
	snap_error err = {0};
	struct sigaction sa = {0};
	int rc;

	if ((rc = config_resolve(inv)) != 0)
		return rc;
	cfg.pg_uri = inv->pg_uri;
	cfg.mongo_uri = inv->mongo_uri;
	cfg.mongo_db = inv->mongo_db;
	cfg.batch_size = inv->batch_size;
	cfg.pest_event_limit = inv->pest_event_limit;
	cfg.lease_seconds = inv->lease_seconds;
	cfg.max_attempts = inv->max_attempts;
	log_setup(inv, &cfg);
	if (snap_ctx_new(&inv->ctx, &cfg, &err) != SNAP_OK)
		return fail_snap(inv, &err);
	signal_ctx = inv->ctx;
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART; /* reading stdin or a socket goes on until a batch boundary */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = inv->cmd->fn(inv);
	progress_clear();
	signal_ctx = NULL;
	snap_ctx_free(inv->ctx);
	return rc;
}

int main(int argc, char **argv)
{
	struct invocation inv = {0};
	int rc, at;

	if ((rc = parse(&inv, argc, argv, 1)) != 0)
		return rc;
	at = optind;
	if (at < argc && !inv.opt[OPT_HELP] && !inv.opt[OPT_VERSION]) {
		if (!(inv.cmd = cmd_find(argv[at])))
			return fail(&inv, EXIT_USAGE, "unknown command '%s'; see 'snapctl --help'",
			            argv[at]);
		if ((rc = parse(&inv, argc - at, argv + at, 0)) != 0)
			return rc;
		inv.args = argv + at + optind;
		inv.nargs = argc - at - optind;
	}
	if ((rc = check_values(&inv)) != 0)
		return rc;
	if (inv.opt[OPT_HELP]) {
		if (inv.cmd)
			help_cmd(stdout, inv.cmd);
		else
			help_main(stdout);
		return 0;
	}
	if (inv.opt[OPT_VERSION]) {
		printf("snapctl %s\n", SNAP_VERSION);
		return 0;
	}
	if (!inv.cmd)
		return fail(&inv, EXIT_USAGE, "no command given; see 'snapctl --help'");
	rc = run(&inv);
	free(inv.pg_uri);
	free(inv.mongo_uri);
	free(inv.mongo_db);
	free(inv.metrics_file);
	return rc;
}
