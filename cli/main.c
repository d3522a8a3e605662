/* snapctl's entry point: parse the command line against the table, resolve settings, make the
 * library context, dispatch, map the outcome to an exit code. */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

/* One option in getopt_long's tables. */
static void add_opt(const struct opt *o, struct option *lo, int *n, char **s)
{
	int arg = o->type != V_FLAG;

	lo[(*n)++] =
	    (struct option){o->name, arg ? required_argument : no_argument, NULL, 256 + (int)o->id};
	if (o->short_name) {
		*(*s)++ = o->short_name;
		if (arg)
			*(*s)++ = ':';
	}
}

/* Builds getopt_long's tables from the global options and, if cmd is set, its options. */
static void build_opts(const struct cmd *cmd, struct option *lo, char *shorts)
{
	const struct opt *o;
	size_t i;
	int n = 0;
	char *s = shorts;

	*s++ = ':';
	for (i = 0; (o = opt_accepted(cmd, i)); i++)
		add_opt(o, lo, &n, &s);
	lo[n] = (struct option){0};
	*s = '\0';
}

static const struct opt *opt_by_short(const struct cmd *cmd, int c)
{
	const struct opt *o;
	size_t i;

	for (i = 0; (o = opt_accepted(cmd, i)); i++)
		if (o->short_name == c)
			return o;
	return NULL;
}

/* Parses argv[0..argc) into inv. With stop_at_operand, stops at the first operand (the
 * command name); else permutes, so options may follow operands. Returns 0 or EXIT_USAGE. */
static int parse(struct invocation *inv, int argc, char **argv, int stop_at_operand)
{
	struct option lo[OPT_COUNT + 1];
	char shorts[2 * OPT_COUNT + 3], spec[2 * OPT_COUNT + 4];
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
		inv->opt[o->id] = o->type != V_FLAG ? optarg : "";
		inv->run.flags |= o->flag;
		if (o->id == OPT_VERBOSE)
			inv->verbose++;
	}
	return 0;
}

/* Parses every value given into inv->count and inv->seconds: 0, or the first option whose
 * value is not one of its type. */
static enum opt_id take_values(struct invocation *inv)
{
	int i;

	for (i = 1; i < OPT_COUNT; i++)
		if (inv->opt[i] &&
		    !opt_parse(&options[i], inv->opt[i], &inv->count[i], &inv->seconds[i]))
			return (enum opt_id)i;
	return OPT_NONE;
}

static int check_values(struct invocation *inv)
{
	enum opt_id bad = take_values(inv);
	const struct opt *o = opt_find(bad);
	char must[160], what[32];
	size_t i;

	inv->log_format = inv->opt[OPT_LOG_FORMAT] && !strcmp(inv->opt[OPT_LOG_FORMAT], "json")
	                      ? LOG_JSON
	                      : LOG_TEXT;
	if (!o)
		return 0;
	opt_must(o, must, sizeof(must));
	if (o->type != V_CHOICE)
		return fail(inv, EXIT_USAGE, "--%s must be %s, not '%.40s'", o->name, must,
		            inv->opt[bad]);
	for (i = 0; o->arg[i] && i + 1 < sizeof(what); i++)
		what[i] = (char)tolower((unsigned char)o->arg[i]); /* the placeholder, lower case */
	what[i] = '\0';
	return fail(inv, EXIT_USAGE, "unknown %s '%.40s' for --%s (%s)", what, inv->opt[bad],
	            o->name, must);
}

/* The operands against what the command takes. */
static int check_operands(struct invocation *inv)
{
	const struct cmd *c = inv->cmd;
	const struct operands *a = &c->operands;
	int i;

	if (a->max == 0 && inv->nargs)
		return fail(inv, EXIT_USAGE, "%s takes no arguments", c->name);
	if (a->min == 1 && a->max == 1 && inv->nargs != 1)
		return fail(inv, EXIT_USAGE, "%s takes exactly one BOOKING_ID", c->name);
	if (a->instead && inv->opt[a->instead]) {
		if (inv->nargs)
			return fail(inv, EXIT_USAGE, "--%s takes no booking ids",
			            opt_find(a->instead)->name);
		return 0;
	}
	if (inv->nargs < a->min) {
		char synopsis[64];

		cmd_operands(c, synopsis, sizeof(synopsis));
		return fail(inv, EXIT_USAGE, "no booking ids given (%s)", synopsis);
	}
	for (i = 0; a->from_stdin && inv->nargs > 1 && i < inv->nargs; i++)
		if (!strcmp(inv->args[i], "-"))
			return fail(inv, EXIT_USAGE, "'-' reads ids from stdin and goes alone");
	return 0;
}

/* The command's defaults for options neither typed nor in the config file; then the run
 * every bulk operation takes from them (inv->run). */
static int take_defaults(struct invocation *inv)
{
	const struct use *u;
	size_t i;

	for (i = 0; (u = cmd_use(inv->cmd, i)); i++)
		if (u->def && !inv->opt[u->id])
			inv->opt[u->id] = u->def;
	if (take_values(inv) != OPT_NONE) /* cli/gen.c checks every default at build time */
		return fail(inv, EXIT_SOFTWARE, "a default of %s is not a value", inv->cmd->name);
	inv->run.job = inv->cmd->recorded ? inv->cmd->name : NULL;
	inv->run.limit = inv->count[OPT_LIMIT];
	inv->run.batch_size = (int)inv->count[OPT_BATCH_SIZE];
	inv->run.max_seconds = inv->seconds[OPT_MAX_DURATION];
	return 0;
}

static int run(struct invocation *inv)
{
	snap_config cfg = {0};
	snap_error err = {0};
	struct sigaction sa = {0};
	int rc;

	if ((rc = config_resolve(inv)) != 0 || (rc = take_defaults(inv)) != 0)
		return rc;
	cfg.pg_uri = inv->pg_uri;
	cfg.mongo_uri = inv->mongo_uri;
	cfg.mongo_db = inv->mongo_db;
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
	if ((rc = check_operands(&inv)) != 0)
		return rc;
	rc = run(&inv);
	free(inv.pg_uri);
	free(inv.mongo_uri);
	free(inv.mongo_db);
	free(inv.metrics_file);
	for (at = 0; at < OPT_COUNT; at++)
		free(inv.owned[at]);
	return rc;
}
