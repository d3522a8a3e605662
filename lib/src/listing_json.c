/* Listing JSON to BSON: the extended JSON PostgreSQL builds for a listing, turned into the
 * BSON MongoDB stores, with numbers as SPEC section 9 wants them. Part of the MongoDB module;
 * pure, so the unit tests and the fuzzers link it alone. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listing_json.h"

/* Copies JSON text with every integer literal beyond the int64 range made a double ("1e19" in
 * jsonb prints as 10000000000000000000, which libbson refuses; SPEC section 9 wants a double).
 * NULL when out of memory. */
char *listing_json_widen(const char *json)
{
	size_t len = strlen(json), i;
	char *out;
	int in_string = 0;

	/* ".0" after runs of at least 19 digits: at most one byte in nine more. */
	if (!(out = malloc(len + len / 9 + 1)))
		return NULL;
	for (i = 0, len = 0; json[i];) {
		size_t start = i, digits;
		int integer = 1;

		if (in_string || json[i] == '"') {
			if (json[i] == '\\' && json[i + 1])
				out[len++] = json[i++];
			else if (json[i] == '"')
				in_string = !in_string;
			out[len++] = json[i++];
			continue;
		}
		if (!(json[i] == '-' || (json[i] >= '0' && json[i] <= '9'))) {
			out[len++] = json[i++];
			continue;
		}
		i += json[i] == '-';
		while (json[i] >= '0' && json[i] <= '9')
			i++;
		digits = i - start - (json[start] == '-');
		while (json[i] == '.' || json[i] == 'e' || json[i] == 'E' || json[i] == '+' ||
		       json[i] == '-' || (json[i] >= '0' && json[i] <= '9'))
			integer = 0, i++;
		memcpy(out + len, json + start, i - start);
		len += i - start;
		/* 19 digits may still fit; let strtoll decide those. */
		if (integer && digits >= 19) {
			errno = 0;
			(void)strtoll(json + start, NULL, 10);
			if (errno == ERANGE)
				out[len++] = '.', out[len++] = '0';
		}
	}
	out[len] = '\0';
	return out;
}

/* The extended JSON of a listing field set as BSON, numbers as SPEC section 9 wants them. */
int listing_json_to_bson(bson_t *out, const char *json, bson_error_t *e)
{
	char *wide = listing_json_widen(json);
	int ok;

	if (!wide) {
		bson_set_error(e, 0, 0, "out of memory");
		return 0;
	}
	ok = bson_init_from_json(out, wide, -1, e);
	free(wide);
	return ok;
}

/* The shortest text strtod reads back as d, without an exponent below 1e16, made to look like
 * a double ("100.0", not "1e+02" or "100"). */
static void add_double(bson_string_t *out, double d)
{
	char buf[40];
	int p, whole = fabs(d) >= 1 && fabs(d) < 1e16 ? (int)floor(log10(fabs(d))) + 1 : 0;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p > whole ? p : whole, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	bson_string_append(out, buf);
	if (!strpbrk(buf, ".eEni"))
		bson_string_append(out, ".0");
}

static void add_value(bson_string_t *out, const bson_iter_t *it);

static void add_doc(bson_string_t *out, bson_iter_t *in, int array)
{
	int first = 1;

	bson_string_append(out, array ? "[" : "{");
	while (bson_iter_next(in)) {
		bson_string_append(out, first ? "" : ", ");
		first = 0;
		if (!array) {
			char *key = bson_utf8_escape_for_json(bson_iter_key(in), -1);

			bson_string_append_printf(out, "\"%s\": ", key ? key : "");
			bson_free(key);
		}
		add_value(out, in);
	}
	bson_string_append(out, array ? "]" : "}");
}

static void add_value(bson_string_t *out, const bson_iter_t *it)
{
	bson_iter_t child;
	bson_t one;
	char *s;

	switch (bson_iter_type(it)) {
	case BSON_TYPE_DOUBLE:
		if (isfinite(bson_iter_double(it))) {
			add_double(out, bson_iter_double(it));
			return;
		}
		break; /* {"$numberDouble": "Infinity"}, as libbson writes it */
	case BSON_TYPE_UTF8:
		s = bson_utf8_escape_for_json(bson_iter_utf8(it, NULL), -1);
		bson_string_append_printf(out, "\"%s\"", s ? s : "");
		bson_free(s);
		return;
	case BSON_TYPE_DOCUMENT:
	case BSON_TYPE_ARRAY:
		if (bson_iter_recurse(it, &child)) {
			add_doc(out, &child, bson_iter_type(it) == BSON_TYPE_ARRAY);
			return;
		}
		break;
	case BSON_TYPE_INT32:
		bson_string_append_printf(out, "%d", bson_iter_int32(it));
		return;
	case BSON_TYPE_INT64:
		bson_string_append_printf(out, "%lld", (long long)bson_iter_int64(it));
		return;
	case BSON_TYPE_BOOL:
		bson_string_append(out, bson_iter_bool(it) ? "true" : "false");
		return;
	case BSON_TYPE_NULL:
		bson_string_append(out, "null");
		return;
	default:
		break;
	}
	/* Any other type as libbson writes it in relaxed extended JSON: {"v" : X} -> X. */
	bson_init(&one);
	bson_append_iter(&one, "v", 1, it);
	s = bson_as_relaxed_extended_json(&one, NULL);
	if (s && strlen(s) > 10)
		bson_string_append_printf(out, "%.*s", (int)strlen(s) - 10, s + 8);
	else
		bson_string_append(out, "null");
	bson_free(s);
	bson_destroy(&one);
}

char *listing_bson_to_json(const bson_t *doc)
{
	bson_string_t *out = bson_string_new(NULL);
	bson_iter_t it;

	if (bson_iter_init(&it, doc))
		add_doc(out, &it, 0);
	return bson_string_free(out, 0);
}
