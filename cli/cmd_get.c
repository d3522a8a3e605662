/* snapctl get: one snapshot (or with --listing its MongoDB listing) as JSON; indented on a
 * terminal, one line otherwise. */
#include <json-c/json.h>
#include <unistd.h>

#include "cli.h"

int cmd_get(struct invocation *inv)
{
	struct json_object *o;
	snap_error err = {0};
	char *json = NULL;

	if (inv->nargs != 1)
		return fail(inv, EXIT_USAGE, "get takes exactly one BOOKING_ID");
	if ((inv->opt[OPT_LISTING] ? snap_listing_get : snap_snapshot_get)(inv->ctx, inv->args[0],
	                                                                   &json, &err) != SNAP_OK)
		return fail_snap(inv, &err);
	if (!inv->opt[OPT_JSON] && isatty(STDOUT_FILENO) && (o = json_tokener_parse(json))) {
		printf("%s\n", json_object_to_json_string_ext(
		                   o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("%s\n", json);
	}
	snap_free(json);
	return 0;
}
