/* Listing JSON to BSON (listing_json.c), private to the MongoDB module. */
#ifndef SNAP_LISTING_JSON_H
#define SNAP_LISTING_JSON_H

#include <bson/bson.h>

/* A copy of json with every integer literal beyond the int64 range made a double by a ".0";
 * NULL when out of memory. Free with free(). */
char *listing_json_widen(const char *json);

/* Initialises out from json (extended JSON) as listing_json_widen() makes it. Returns 0 with
 * *e set when json is not valid; out then needs no bson_destroy(). */
int listing_json_to_bson(bson_t *out, const char *json, bson_error_t *e);

/* A listing as relaxed extended JSON, numbers as short as they read back the same (0.56, not
 * libbson's 0.56000000000000005329), keys in their order; free with bson_free. */
char *listing_bson_to_json(const bson_t *doc);

#endif
