/* A snapshot's listing JSON to BSON (lib/src/listing_json.c): whatever the text, no crash; what
 * converts is valid BSON; widening integers never breaks JSON that converted as it was; and the
 * listing written back as JSON (get --listing) reads back, to the same text again: no number
 * loses a digit on the way. */
#include "fuzz.h"
#include "listing_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *w;
	bson_error_t e;
	bson_t b;
	int as_is;

	if (!s)
		return 0;
	if (!(w = listing_json_widen(s))) {
		free(s);
		return 0;
	}
	CHECK(strlen(w) >= strlen(s));
	if ((as_is = listing_json_to_bson(&b, s, &e)) != 0) {
		CHECK(bson_validate(&b, BSON_VALIDATE_NONE, NULL));
		bson_destroy(&b);
	}
	if (listing_json_to_bson(&b, w, &e)) {
		char *text = listing_bson_to_json(&b), *again;
		bson_t *back;

		CHECK(bson_validate(&b, BSON_VALIDATE_NONE, NULL));
		CHECK(text && (back = bson_new_from_json((const uint8_t *)text, -1, &e)));
		again = listing_bson_to_json(back);
		CHECK(again && !strcmp(text, again));
		bson_free(again);
		bson_destroy(back);
		bson_free(text);
		bson_destroy(&b);
	} else {
		CHECK(!as_is);
	}
	free(w);
	free(s);
	return 0;
}
