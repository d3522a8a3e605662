/* The tables cmdtab.def declares, and what their value types accept. */
#include <string.h>

#include "cli.h"
#include "parse.h"

#define STR(x)       #x
#define XSTR(x)      STR(x)
#define CHOICES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define USES(...)    ((const struct use[]){__VA_ARGS__, {.id = OPT_NONE}})
#define USE(i, ...)                                                                                \
	{                                                                                          \
		.id = OPT_##i, __VA_ARGS__                                                         \
	}

const struct opt options[OPT_COUNT] = {
#define GLOBAL(i, ...) [OPT_##i] = {.id = OPT_##i, .global = 1, __VA_ARGS__},
#define OPTION(i, ...) [OPT_##i] = {.id = OPT_##i, __VA_ARGS__},
#include "cmdtab.def"
};

/* cli/gen.c renders the table without the commands' code. */
#ifdef SNAPCTL_TABLE_ONLY
#define FN(f) NULL
#else
#define FN(f) f
#endif

const struct cmd commands[] = {
#define COMMAND(f, ...) {.fn = FN(f), __VA_ARGS__},
#include "cmdtab.def"
    {.name = NULL},
};

const struct opt *opt_find(enum opt_id id)
{
	return id > OPT_NONE && id < OPT_COUNT ? &options[id] : NULL;
}

const struct cmd *cmd_find(const char *name)
{
	const struct cmd *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* The options cmd lists itself. */
static size_t listed(const struct cmd *cmd, enum opt_id id, size_t *n)
{
	size_t i, at = (size_t)-1;

	for (i = 0; cmd->uses && cmd->uses[i].id != OPT_NONE; i++)
		if (cmd->uses[i].id == id)
			at = i;
	*n = i;
	return at;
}

const struct use *cmd_use(const struct cmd *cmd, size_t i)
{
	static const struct use dry_run = {OPT_DRY_RUN, NULL, NULL};
	size_t n, dry = listed(cmd, OPT_DRY_RUN, &n);

	if (i < n)
		return &cmd->uses[i];
	return i == n && cmd->writes && dry == (size_t)-1 ? &dry_run : NULL;
}

const struct opt *opt_accepted(const struct cmd *cmd, size_t i)
{
	const struct use *u;
	size_t id;

	for (id = 1; id < OPT_COUNT; id++)
		if (options[id].global && i-- == 0)
			return &options[id];
	return cmd && (u = cmd_use(cmd, i)) ? opt_find(u->id) : NULL;
}

const struct use *cmd_uses(const struct cmd *cmd, enum opt_id id)
{
	const struct use *u;
	size_t i;

	for (i = 0; (u = cmd_use(cmd, i)); i++)
		if (u->id == id)
			return u;
	return NULL;
}

int opt_parse(const struct opt *o, const char *text, long *count, double *seconds)
{
	const char *const *c;

	switch (o->type) {
	case V_COUNT:
		return parse_count(text, (long)o->lo, (long)o->hi, count);
	case V_SECONDS:
		return parse_seconds(text, o->lo, o->hi, seconds);
	case V_AGE:
		return snap_parse_duration(text, seconds);
	case V_CHOICE:
		for (c = o->choices; *c; c++)
			if (!strcmp(*c, text))
				return 1;
		return 0;
	default:
		return 1;
	}
}

void opt_must(const struct opt *o, char *buf, size_t size)
{
	const char *const *c;
	size_t len;

	switch (o->type) {
	case V_COUNT:
		snprintf(buf, size, "a number from %.0f to %.0f", o->lo, o->hi);
		return;
	case V_SECONDS:
		snprintf(buf, size, "a number of seconds from %g to %.0f", o->lo, o->hi);
		return;
	case V_AGE:
		snprintf(buf, size,
		         "a number with s, m, h, d or w (e.g. 90d) of at most a century");
		return;
	case V_CHOICE:
		*buf = '\0';
		for (c = o->choices; *c && (len = strlen(buf)) < size; c++)
			snprintf(buf + len, size - len, "%s%s",
			         c == o->choices ? ""
			         : c[1]          ? ", "
			                         : " or ",
			         *c);
		return;
	default:
		snprintf(buf, size, "a value");
	}
}

void cmd_operands(const struct cmd *cmd, char *buf, size_t size)
{
	const struct operands *a = &cmd->operands;

	if (a->max == 0)
		snprintf(buf, size, "%s", "");
	else if (a->max == 1)
		snprintf(buf, size, "%sBOOKING_ID%s", a->min ? "" : "[", a->min ? "" : "]");
	else
		snprintf(buf, size, "%sBOOKING_ID...%s%s%s%s", a->min ? "" : "[", a->min ? "" : "]",
		         a->from_stdin ? " | -" : "", a->instead ? " | --" : "",
		         a->instead ? opt_find(a->instead)->name : "");
}
