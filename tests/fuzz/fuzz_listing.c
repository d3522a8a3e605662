/* A snapshot's listing JSON to BSON (lib/src/listing_json.c): whatever the text, no crash; what
 * converts is valid BSON; widening integers never breaks JSON that converted as it was; and the
 * listing written back as JSON (get --listing) reads back, to the same text again: no number
 * loses a digit on the way. (Not for a key starting with '$': extended JSON reads {"$type":
 * ...} as an operator, whoever writes it.) */
#include "fuzz.h"
#include "listing_json.h"

static int dollar_key(const bson_t *b)
{
	bson_iter_t it;

	if (!bson_iter_init(&it, b))
		return 0;
	while (bson_iter_next(&it)) {
		const uint8_t *data = NULL;
		uint32_t len = 0;
		bson_t sub;

		if (bson_iter_key(&it)[0] == '$')
			return 1;
		if (BSON_ITER_HOLDS_DOCUMENT(&it))
			bson_iter_document(&it, &len, &data);
		else if (BSON_ITER_HOLDS_ARRAY(&it))
			bson_iter_array(&it, &len, &data);
		if (data && bson_init_static(&sub, data, len) && dollar_key(&sub))
			return 1;
	}
	return 0;
}

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
		CHECK(text != NULL);
		if (!dollar_key(&b)) {
			CHECK((back = bson_new_from_json((const uint8_t *)text, -1, &e)) != NULL);
			again = listing_bson_to_json(back);
			CHECK(again && !strcmp(text, again));
			bson_free(again);
			bson_destroy(back);
		}
		bson_free(text);
		bson_destroy(&b);
	} else {
		CHECK(!as_is);
	}
	free(w);
	free(s);
	return 0;
}
