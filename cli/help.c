/* --help, rendered from the command table. */
#include "cli.h"

static void opt_line(FILE *f, const struct opt *o)
{
	char left[64];

	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
		         o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
		         o->arg ? o->arg : "");
	fprintf(f, "  %-26s %s\n", left, o->help);
}

void help_main(FILE *f)
{
	const struct cmd *c;
	const struct opt *o;

	fprintf(f, "usage: snapctl [OPTIONS] COMMAND [ARGS]\n\n"
	           "Aggregates cold-storage booking evidence into market inventory snapshots.\n\n"
	           "Commands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, c->summary);
	fprintf(f, "\nOptions (before or after the command):\n");
	for (o = global_opts; o->name; o++)
		opt_line(f, o);
	fprintf(f,
	        "\nExit status: 0 success, 3 partial (status: attention), 64 usage, 65 malformed\n"
	        "input, 66 not found, 69 database unavailable, 70 internal error, 75 try again,\n"
	        "78 configuration.\n"
	        "'snapctl COMMAND --help' shows a command's options; snapctl(1) has the rest.\n");
}

void help_cmd(FILE *f, const struct cmd *cmd)
{
	const enum opt_id *id;

	fprintf(f, "usage: snapctl %s [OPTIONS]%s%s\n\n%s\n", cmd->name, *cmd->args ? " " : "",
	        cmd->args, cmd->summary);
	if (*cmd->opts != OPT_COUNT)
		fprintf(f, "\nOptions:\n");
	for (id = cmd->opts; *id != OPT_COUNT; id++)
		opt_line(f, opt_find(*id));
	fprintf(f, "\nGlobal options: see 'snapctl --help'.\n");
}
