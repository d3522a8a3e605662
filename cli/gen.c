/* snapctl-gen: the command table rendered at build time, as the bash, zsh and fish completions
 * and the man page's SYNOPSIS. Fails (exit 1) when a command's default is not a value of its
 * option, so a broken table does not build.
 *
 *   snapctl-gen bash|zsh|fish > FILE
 *   snapctl-gen man IN OUT      IN with its line "@SYNOPSIS@" replaced */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define GENERATED "Generated from cli/cmdtab.def by snapctl-gen; do not edit."

/* An option's help up to its first parenthesis, colon or semicolon: a completion's text. */
static void brief(const char *help, char *buf, size_t size)
{
	size_t n = strcspn(help, "(:;");

	while (n && help[n - 1] == ' ')
		n--;
	snprintf(buf, size, "%.*s", (int)n, help);
}

static const char *help_of(const struct opt *o, const struct use *u)
{
	return u && u->help ? u->help : o->help;
}

/* Prints s for a single-quoted shell word: fish escapes a quote as \', zsh closes the word. */
static void quoted(FILE *f, const char *s, const char *quote)
{
	for (; *s; s++)
		if (*s == '\'')
			fputs(quote, f);
		else
			fputc(*s, f);
}

/* Every option name of cmd (global ones with cmd NULL), as bash completes them. */
static void bash_names(FILE *f, const struct cmd *cmd)
{
	const struct opt *o;
	const struct use *u;
	size_t i;
	int first = 1;

	for (i = 0; cmd ? (u = cmd_use(cmd, i)) != NULL : i < OPT_COUNT; i++) {
		o = cmd ? opt_find(u->id) : &options[i];
		if (!o || (!cmd && !o->global))
			continue;
		if (o->short_name)
			fprintf(f, "%s-%c", first ? "" : " ", o->short_name), first = 0;
		fprintf(f, "%s--%s", first ? "" : " ", o->name), first = 0;
	}
}

/* The options that take a value, as a bash case pattern: every one with t V_FLAG, those of
 * type t, and with t V_TEXT all whose value is neither a choice nor a path (nothing to offer). */
static void bash_pattern(FILE *f, enum value_type t)
{
	const char *sep = "";
	int i;

	for (i = 1; i < OPT_COUNT; i++)
		if (options[i].type != V_FLAG &&
		    (t == V_FLAG || options[i].type == t ||
		     (t == V_TEXT && options[i].type != V_CHOICE && options[i].type != V_PATH)))
			fprintf(f, "%s--%s", sep, options[i].name), sep = " | ";
}

static void bash(FILE *f)
{
	const struct cmd *c;
	int i;

	fprintf(f,
	        "# bash completion for snapctl. " GENERATED "\n_snapctl() {\n"
	        "\tlocal cur prev words cword\n\t_init_completion || return\n\n\tlocal global=\"");
	bash_names(f, NULL);
	fprintf(f, "\"\n\tlocal commands=\"");
	for (c = commands; c->name; c++)
		fprintf(f, "%s%s", c == commands ? "" : " ", c->name);
	fprintf(f, "\"\n\tlocal cmd=\"\" i\n\tfor ((i = 1; i < cword; i++)); do\n"
	           "\t\tcase ${words[i]} in\n\t\t");
	bash_pattern(f, V_FLAG);
	fprintf(f, ") ((i++)) ;;\n\t\t-*) ;;\n\t\t*) cmd=${words[i]} && break ;;\n\t\tesac\n"
	           "\tdone\n\n\tcase $prev in\n");
	for (i = 1; i < OPT_COUNT; i++) {
		const char *const *v = options[i].choices;

		if (options[i].type != V_CHOICE)
			continue;
		fprintf(f, "\t--%s) COMPREPLY=($(compgen -W \"", options[i].name);
		for (; *v; v++)
			fprintf(f, "%s%s", v == options[i].choices ? "" : " ", *v);
		fprintf(f, "\" -- \"$cur\")) && return ;;\n");
	}
	fprintf(f, "\t");
	bash_pattern(f, V_PATH);
	fprintf(f, ") _filedir && return ;;\n\t");
	bash_pattern(f, V_TEXT);
	fprintf(f, ") return ;;\n\tesac\n\n\tlocal opts=\"\"\n\tcase $cmd in\n");
	for (c = commands; c->name; c++) {
		fprintf(f, "\t%s) opts=\"", c->name);
		bash_names(f, c);
		fprintf(f, "\" ;;\n");
	}
	fprintf(f, "\t\"\")\n\t\t[[ $cur == -* ]] || "
	           "{ COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\")) && return; }\n\t\t;;\n"
	           "\tesac\n\tCOMPREPLY=($(compgen -W \"$global $opts\" -- \"$cur\"))\n}\n"
	           "complete -F _snapctl snapctl\n");
}

/* One _arguments spec: '(-n --dry-run)'{-n,--dry-run}'[help]:arg:action'. */
static void zsh_opt(FILE *f, const struct opt *o, const struct use *u)
{
	char text[160], *p;

	brief(help_of(o, u), text, sizeof(text));
	for (p = text; *p; p++)
		if (*p == '[' || *p == ']')
			*p = ' ';
	if (o->short_name && o->repeat)
		fprintf(f, "'*'{-%c,--%s}'[", o->short_name, o->name);
	else if (o->short_name)
		fprintf(f, "'(-%c --%s)'{-%c,--%s}'[", o->short_name, o->name, o->short_name,
		        o->name);
	else
		fprintf(f, "'--%s[", o->name);
	quoted(f, text, "'\\''");
	fputc(']', f);
	if (o->type != V_FLAG) {
		fprintf(f, ":%s:", o->arg);
		if (o->type == V_PATH)
			fputs("_files", f);
		for (const char *const *v = o->choices; v && *v; v++)
			fprintf(f, "%s%s%s", v == o->choices ? "(" : " ", *v, v[1] ? "" : ")");
	}
	fputc('\'', f);
}

static void zsh(FILE *f)
{
	const struct cmd *c;
	const struct use *u;
	size_t i;

	fprintf(f, "#compdef snapctl\n# zsh completion for snapctl. " GENERATED "\n\n"
	           "_snapctl() {\n\tlocal -a global\n\tglobal=(\n");
	for (i = 1; i < OPT_COUNT; i++)
		if (options[i].global)
			fprintf(f, "\t\t"), zsh_opt(f, &options[i], NULL), fputc('\n', f);
	fprintf(f, "\t)\n\tlocal -a commands\n\tcommands=(\n");
	for (c = commands; c->name; c++) {
		fprintf(f, "\t\t'%s:", c->name);
		quoted(f, c->summary, "'\\''");
		fprintf(f, "'\n");
	}
	fprintf(f,
	        "\t)\n\tlocal curcontext=$curcontext state line\n"
	        "\t_arguments -C $global '1:command:->command' '*::arg:->args'\n"
	        "\tcase $state in\n\tcommand) _describe -t commands 'snapctl command' commands ;;\n"
	        "\targs)\n\t\tcase $line[1] in\n");
	for (c = commands; c->name; c++) {
		fprintf(f, "\t\t%s)\n\t\t\t_arguments $global", c->name);
		for (i = 0; (u = cmd_use(c, i)); i++)
			fprintf(f, " \\\n\t\t\t\t"), zsh_opt(f, opt_find(u->id), u);
		if (c->operands.max)
			fprintf(f, " \\\n\t\t\t\t'%s:booking id:'",
			        c->operands.max == 1 ? "1" : "*");
		fprintf(f, "\n\t\t\t;;\n");
	}
	fprintf(f, "\t\tesac\n\t\t;;\n\tesac\n}\n\n_snapctl \"$@\"\n");
}

/* One fish "complete" line: cond names the command, or is NULL for a global option. */
static void fish_opt(FILE *f, const char *cmd, const struct opt *o, const struct use *u)
{
	char text[160];

	brief(help_of(o, u), text, sizeof(text));
	fprintf(f, "complete -c snapctl");
	if (cmd)
		fprintf(f, " -n \"__fish_seen_subcommand_from %s\"", cmd);
	if (o->short_name)
		fprintf(f, " -s %c", o->short_name);
	fprintf(f, " -l %s", o->name);
	if (o->type == V_PATH)
		fprintf(f, " -r -F");
	else if (o->type != V_FLAG)
		fprintf(f, " -x");
	for (const char *const *v = o->choices; v && *v; v++)
		fprintf(f, "%s%s%s", v == o->choices ? " -a '" : " ", *v, v[1] ? "" : "'");
	fprintf(f, " -d '");
	quoted(f, text, "\\'");
	fprintf(f, "'\n");
}

static void fish(FILE *f)
{
	const struct cmd *c;
	const struct use *u;
	size_t i;

	fprintf(f, "# fish completion for snapctl. " GENERATED "\nset -l commands");
	for (c = commands; c->name; c++)
		fprintf(f, " %s", c->name);
	fprintf(f, "\ncomplete -c snapctl -f\n");
	for (c = commands; c->name; c++) {
		fprintf(f,
		        "complete -c snapctl -n \"not __fish_seen_subcommand_from $commands\" "
		        "-a %s -d '",
		        c->name);
		quoted(f, c->summary, "\\'");
		fprintf(f, "'\n");
	}
	fputc('\n', f);
	for (i = 1; i < OPT_COUNT; i++)
		if (options[i].global)
			fish_opt(f, NULL, &options[i], NULL);
	fputc('\n', f);
	for (c = commands; c->name; c++)
		for (i = 0; (u = cmd_use(c, i)); i++)
			fish_opt(f, c->name, opt_find(u->id), u);
}

/* The SYNOPSIS in mdoc: one block per command, its options, then its operands. */
static void synopsis(FILE *f)
{
	const struct cmd *c;
	const struct use *u;
	const struct opt *o;
	size_t i;

	for (c = commands; c->name; c++) {
		fprintf(f, ".Nm\n.Op Ar options\n.Cm %s\n", c->name);
		for (i = 0; (u = cmd_use(c, i)); i++) {
			if (u->id == c->operands.instead)
				continue;
			o = opt_find(u->id);
			fprintf(f, ".Op Fl -%s%s%s\n", o->name, o->type != V_FLAG ? " Ar " : "",
			        o->type != V_FLAG ? o->arg : "");
		}
		if (!c->operands.max)
			continue;
		fprintf(f, "%sAr BOOKING_ID%s", c->operands.min ? "." : ".Op ",
		        c->operands.max == 1 ? "" : " ...");
		if (c->operands.from_stdin)
			fprintf(f, " | Fl");
		if (c->operands.instead)
			fprintf(f, " | Fl -%s", opt_find(c->operands.instead)->name);
		fputc('\n', f);
	}
}

/* IN to OUT, its line "@SYNOPSIS@" replaced by the synopsis. */
static int man(const char *in, const char *out)
{
	FILE *fi = fopen(in, "r"), *fo = fi ? fopen(out, "w") : NULL;
	char line[4096];
	int found = 0;

	if (!fo) {
		perror(fi ? out : in);
		if (fi)
			fclose(fi);
		return 1;
	}
	fprintf(fo, ".\\\" " GENERATED "\n");
	while (fgets(line, sizeof(line), fi))
		if (!strcmp(line, "@SYNOPSIS@\n") && (found = 1))
			synopsis(fo);
		else
			fputs(line, fo);
	fclose(fi);
	if (fclose(fo) != 0 || !found) {
		fprintf(stderr, "%s: %s\n", in, found ? "cannot write" : "no line @SYNOPSIS@");
		return 1;
	}
	return 0;
}

/* Every default is a value of its option. */
static int defaults_ok(void)
{
	const struct cmd *c;
	const struct use *u;
	long count;
	double seconds;
	size_t i;
	int ok = 1;

	for (c = commands; c->name; c++)
		for (i = 0; (u = cmd_use(c, i)); i++)
			if (u->def && !opt_parse(opt_find(u->id), u->def, &count, &seconds)) {
				fprintf(stderr, "%s --%s: default '%s' is not a value\n", c->name,
				        opt_find(u->id)->name, u->def);
				ok = 0;
			}
	return ok;
}

int main(int argc, char **argv)
{
	if (!defaults_ok())
		return 1;
	if (argc == 2 && !strcmp(argv[1], "bash"))
		bash(stdout);
	else if (argc == 2 && !strcmp(argv[1], "zsh"))
		zsh(stdout);
	else if (argc == 2 && !strcmp(argv[1], "fish"))
		fish(stdout);
	else if (argc == 4 && !strcmp(argv[1], "man"))
		return man(argv[2], argv[3]);
	else {
		fprintf(stderr, "usage: snapctl-gen bash|zsh|fish, or snapctl-gen man IN OUT\n");
		return 1;
	}
	return fflush(stdout) != 0;
}
