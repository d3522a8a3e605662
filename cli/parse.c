/* The parsers of what a user types (parse.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "snapshot.h"

int parse_count(const char *s, long lo, long hi, long *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	n = strtol(s, &end, 10);
	if (*end || errno || n < lo || n > hi)
		return 0;
	*out = n;
	return 1;
}

int parse_seconds(const char *s, double lo, double hi, double *out)
{
	const char *p = s + strspn(s, "0123456789"), *q = p;
	char *end;
	double v;

	if (*p == '.' && (q = p + 1 + strspn(p + 1, "0123456789")) == p + 1)
		return 0;
	if (p == s || *q)
		return 0;
	v = strtod(s, &end);
	if (*end || v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int parse_config_line(char *line, char **key, char **val)
{
	char *s = trim(line), *eq;

	if (*s == '\0' || *s == '#')
		return 0;
	if (!(eq = strchr(s, '=')))
		return -1;
	*eq = '\0';
	*key = trim(s);
	*val = trim(eq + 1);
	return 1;
}

int parse_id_line(char *line, size_t len, char **id)
{
	size_t n = len;

	/* Blanks around the id go; anything else on the line (a NUL too) makes it no id. */
	while (n && strchr(" \t\r\n", line[n - 1]) && line[n - 1] != '\0')
		n--;
	line[n] = '\0';
	*id = line + strspn(line, " \t");
	if (strlen(line) != n)
		return -1;
	if (**id == '\0')
		return 0;
	return snap_uuid_valid(*id) ? 1 : -1;
}
