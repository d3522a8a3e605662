/* snapctl withdraw: a booking's listing removed now (and the snapshot held withdrawn until a
 * publish). */
#include <json-c/json.h>

#include "cli.h"

int cmd_withdraw(struct invocation *inv)
{
	snap_error err = {0};
	int dry_run = inv->opt[OPT_DRY_RUN] != NULL;

	if (snap_withdraw(inv->ctx, inv->args[0], inv->run.flags, &err) != SNAP_OK)
		return fail_snap(inv, &err);
	if (inv->opt[OPT_JSON]) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "booking_id", json_object_new_string(inv->args[0]));
		json_object_object_add(o, "status", json_object_new_string("withdrawn"));
		if (dry_run)
			json_object_object_add(o, "dry_run", json_object_new_boolean(1));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else if (human_output(inv))
		printf("%s%s withdrawn\n", inv->args[0], dry_run ? " would be" : "");
	return 0;
}
