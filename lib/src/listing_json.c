/* Listing JSON to BSON: the extended JSON PostgreSQL builds for a listing, turned into the
 * BSON MongoDB stores, with numbers as SPEC section 9 wants them. Part of the MongoDB module;
 * pure, so the unit tests and the fuzzers link it alone. */
#include <errno.h>
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
