/* --help, rendered from the command table. */
#include "cli.h"

static void opt_line(FILE *f, const struct opt *o, const struct use *u)
{
	const char *arg = o->type != V_FLAG ? o->arg : NULL;
	char left[64], choices[160] = "";

	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
		         arg ? " " : "", arg ? arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name, arg ? " " : "",
		         arg ? arg : "");
	if (o->type == V_CHOICE)
		opt_must(o, choices, sizeof(choices));
	fprintf(f, "  %-26s %s%s%s%s%s%s%s\n", left, u && u->help ? u->help : o->help,
	        *choices ? " (" : "", choices, *choices ? ")" : "", u && u->def ? " (default " : "",
	        u && u->def ? u->def : "", u && u->def ? ")" : "");
}

void help_main(FILE *f)
{
	const struct cmd *c;
	int i;

	fprintf(f, "usage: snapctl [OPTIONS] COMMAND [ARGS]\n\n"
	           "Aggregates cold-storage booking evidence into market inventory snapshots.\n\n"
	           "Commands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, c->summary);
	fprintf(f, "\nOptions (before or after the command):\n");
	for (i = 1; i < OPT_COUNT; i++)
		if (options[i].global)
			opt_line(f, &options[i], NULL);
	fprintf(f,
	        "\nExit status: 0 success, 3 partial (status: attention), 64 usage, 65 malformed\n"
	        "input, 66 not found, 69 database unavailable, 70 internal error, 75 try again,\n"
	        "78 configuration.\n"
	        "'snapctl COMMAND --help' shows a command's options; snapctl(1) has the rest.\n");
}

void help_cmd(FILE *f, const struct cmd *cmd)
{
	const struct use *u;
	char operands[64];
	size_t i;

	cmd_operands(cmd, operands, sizeof(operands));
	fprintf(f, "usage: snapctl %s [OPTIONS]%s%s\n\n%s\n", cmd->name, *operands ? " " : "",
	        operands, cmd->summary);
	if (cmd_use(cmd, 0))
		fprintf(f, "\nOptions:\n");
	for (i = 0; (u = cmd_use(cmd, i)); i++)
		opt_line(f, opt_find(u->id), u);
	fprintf(f, "\nGlobal options: see 'snapctl --help'.\n");
}
