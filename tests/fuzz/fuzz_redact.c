/* Secret redaction of URIs and conninfo, against the drivers' own parsers: whenever libpq finds
 * a password (or sslpassword), or libmongoc a password, TLS key password or
 * authMechanismProperties value, the redacted text shows it fewer times than the original (it
 * may be spelled elsewhere too, as the user name). Any output buffer size is safe, and
 * snap_pg_uri_has_secret agrees with libpq. */
#include <ctype.h>
#include <libpq-fe.h>
#include <mongoc/mongoc.h>

#include "fuzz.h"
#include "snapshot.h"

static size_t occurrences(const char *s, const char *w)
{
	size_t n = 0, len = strlen(w);

	for (; (s = strstr(s, w)) != NULL; s += len)
		n++;
	return n;
}

static int plain(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return n >= 3;
}

/* A secret the parser found shows fewer times once redacted. */
static void hidden(const char *s, const char *out, const char *secret)
{
	/* Percent-decoded (a URI's) or unescaped (a conninfo value's backslashes), the secret is
	 * spelled otherwise in the text, and may then occur only inside other words
	 * ("password=s\\wo" holds "swo" in "password"). */
	if (secret && plain(secret) && !strchr(s, '%') && !strchr(s, '\\') &&
	    occurrences(s, secret) > 0)
		CHECK(occurrences(out, secret) < occurrences(s, secret));
}

static void mongo(const char *s, const char *out)
{
	mongoc_uri_t *uri = mongoc_uri_new_with_error(s, NULL);
	bson_iter_t it;
	bson_t props;

	if (!uri)
		return;
	hidden(s, out, mongoc_uri_get_password(uri));
	hidden(s, out,
	       mongoc_uri_get_option_as_utf8(uri, MONGOC_URI_TLSCERTIFICATEKEYFILEPASSWORD, NULL));
	if (mongoc_uri_get_mechanism_properties(uri, &props) && bson_iter_init(&it, &props))
		while (bson_iter_next(&it))
			if (BSON_ITER_HOLDS_UTF8(&it))
				hidden(s, out, bson_iter_utf8(&it, NULL));
	mongoc_uri_destroy(uri);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	char *s = fuzz_string(data, size), *out, small[8];
	PQconninfoOption *opts, *o;
	size_t cap;
	int secret = 0;

	if (!quiet) {
		mongoc_init();
		mongoc_log_set_handler(NULL, NULL);
		quiet = 1;
	}
	if (!s)
		return 0;
	cap = strlen(s) * 2 + 16;
	if (!(out = malloc(cap))) {
		free(s);
		return 0;
	}
	snap_redact(s, out, cap);
	CHECK(strlen(out) < cap);
	snap_redact(s, small, size % sizeof(small) + 1);
	CHECK(strlen(small) < size % sizeof(small) + 1);
	if ((opts = PQconninfoParse(s, NULL)) != NULL) {
		for (o = opts; o->keyword; o++) {
			if (!o->val || !*o->val || !o->dispchar || o->dispchar[0] != '*')
				continue;
			secret = 1;
			hidden(s, out, o->val);
		}
		PQconninfoFree(opts);
		CHECK(snap_pg_uri_has_secret(s) == secret);
	} else {
		CHECK(snap_pg_uri_has_secret(s) == 1);
	}
	if (!strncmp(s, "mongodb", 7))
		mongo(s, out);
	free(out);
	free(s);
	return 0;
}
