/* snapctl get: one snapshot (or with --listing its MongoDB listing) as JSON, keys in the order
 * the library gives them; indented on a terminal, one line otherwise (--json: compact). */
#include <json-c/json.h>
#include <unistd.h>

#include "cli.h"

int cmd_get(struct invocation *inv)
{
	struct json_object *o;
	snap_error err = {0};
	char *json = NULL;

	if ((inv->opt[OPT_LISTING] ? snap_listing_get : snap_snapshot_get)(inv->ctx, inv->args[0],
	                                                                   &json, &err) != SNAP_OK)
		return fail_snap(inv, &err);
	if ((o = json_tokener_parse(json))) {
		int style = inv->opt[OPT_JSON]      ? JSON_C_TO_STRING_PLAIN
		            : isatty(STDOUT_FILENO) ? JSON_C_TO_STRING_PRETTY
		                                    : JSON_C_TO_STRING_SPACED;

		printf("%s\n",
		       json_object_to_json_string_ext(o, style | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("%s\n", json);
	}
	snap_free(json);
	return 0;
}
