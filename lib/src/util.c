/* Pure helpers with no database: UUID syntax and password redaction. Unit-tested. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

int snap_uuid_valid(const char *s)
{
	static const int dash[] = {8, 13, 18, 23};
	size_t i, d = 0;

	if (!s || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (d < 4 && i == (size_t)dash[d]) {
			if (s[i] != '-')
				return 0;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

/* White space as libpq's conninfo parser (isspace) knows it. */
#define SPACE " \t\n\v\f\r"

/* Length of the password value starting at p in keyword=value conninfo: a bare word or a
 * single-quoted string with backslash escapes. */
static size_t kv_value_len(const char *p)
{
	size_t n = 0;

	if (*p != '\'')
		return strcspn(p, SPACE);
	for (n = 1; p[n] && p[n] != '\''; n++)
		if (p[n] == '\\' && p[n + 1])
			n++;
	return p[n] ? n + 1 : n;
}

/* 1 when s is a URI (scheme://...), as libpq and libmongoc tell them from conninfo: by the
 * start. A conninfo value may hold "://" further on. */
static int is_uri(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	return n > 0 && isalpha((unsigned char)s[0]) && !strncmp(s + n, "://", 3);
}

/* In a URI (scheme://user:password@host/...), the password runs from the first ':' to the last
 * '@' before the first '/': libpq reads as userinfo whatever comes before an '@' there ('?' and
 * '#' included), so the widest reading is redacted. */
static const char *uri_secret(const char *s, size_t *len)
{
	const char *auth = s + strcspn(s, ":") + 3, *end, *at = NULL, *colon, *q;

	end = auth + strcspn(auth, "/");
	for (q = auth; q < end; q++)
		if (*q == '@')
			at = q;
	if (!at || !(colon = memchr(auth, ':', (size_t)(at - auth))))
		return NULL;
	*len = (size_t)(at - colon - 1);
	return colon + 1;
}

struct out {
	char *buf;
	size_t len, cap;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - 1 - o->len)
		n = o->cap - 1 - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* Option names whose values are secrets: any "...password" (password, sslpassword,
 * tlsCertificateKeyFilePassword) and authMechanismProperties (tokens), in any letter case. */
static int secret_key(const char *k, size_t n)
{
	static const char pw[] = "password", amp[] = "authMechanismProperties";

	return (n >= sizeof(pw) - 1 &&
	        !strncasecmp(k + n - (sizeof(pw) - 1), pw, sizeof(pw) - 1)) ||
	       (n == sizeof(amp) - 1 && !strncasecmp(k, amp, n));
}

char *snap_redact(const char *s, char *out, size_t outsz)
{
	struct out o = {out, 0, outsz};
	int uri = s && is_uri(s);
	const char *p = s, *sec, *eq, *k, *ke, *v;
	size_t n;

	if (!outsz)
		return out;
	out[0] = '\0';
	if (!s)
		return out;
	if (uri && (sec = uri_secret(s, &n)) != NULL) {
		emit(&o, s, (size_t)(sec - s));
		emit(&o, "***", 3);
		p = sec + n;
	}
	/* Each "name=value" whose name is a secret's: conninfo allows blanks around '='. */
	for (eq = p; (eq = strchr(eq, '=')) != NULL; eq++) {
		for (ke = eq; !uri && ke > p && isspace((unsigned char)ke[-1]); ke--)
			;
		for (k = ke; k > p && (isalnum((unsigned char)k[-1]) || k[-1] == '_'); k--)
			;
		if (!secret_key(k, (size_t)(ke - k)))
			continue;
		v = eq + 1 + (uri ? 0 : strspn(eq + 1, SPACE));
		emit(&o, p, (size_t)(v - p));
		emit(&o, "***", 3);
		/* In a URI query the value ends at the next '&' (neither driver knows a '#'
		 * fragment); in conninfo at white space. */
		p = v + (uri ? strcspn(v, "&") : kv_value_len(v));
		eq = p - 1;
	}
	emit(&o, p, strlen(p));
	return out;
}

int snap_parse_duration(const char *s, double *seconds)
{
	static const struct {
		char unit;
		double seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	double n = 0, scale = 1;
	const char *p = s;
	size_t i;

	if (!s || !isdigit((unsigned char)*s))
		return 0;
	for (; isdigit((unsigned char)*p); p++)
		if ((n = n * 10 + (*p - '0')) > 1e12)
			return 0;
	if (*p) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]) && units[i].unit != *p; i++)
			;
		if (i == sizeof(units) / sizeof(units[0]) || p[1])
			return 0;
		scale = units[i].seconds;
	}
	/* A century at most: further back than that no snapshot is, and the database's
	 * timestamps would run out. */
	if (n * scale > 100 * 366 * 86400.0)
		return 0;
	*seconds = n * scale;
	return 1;
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
