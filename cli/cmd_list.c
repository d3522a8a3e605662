/* snapctl list: snapshots by status, crop type and farmer, a page at a time. Text columns, or
 * with --json one JSON array. */
#include <json-c/json.h>

#include "cli.h"

struct out {
	struct invocation *inv;
	struct json_object *array; /* --json */
	long rows;
	char last[40];
};

static int row(const snap_list_row *r, void *data)
{
	struct out *out = data;
	struct json_object *o;

	out->rows++;
	snprintf(out->last, sizeof(out->last), "%s", r->booking_id);
	if (out->array) {
		o = json_object_new_object();
		json_object_object_add(o, "booking_id", json_object_new_string(r->booking_id));
		json_object_object_add(o, "status", json_object_new_string(r->status));
		json_object_object_add(o, "snapshot_version",
		                       json_object_new_int64(r->snapshot_version));
		json_object_object_add(o, "crop_type", json_object_new_string(r->crop_type));
		json_object_object_add(o, "farmer_id", json_object_new_string(r->farmer_id));
		json_object_object_add(o, "updated_at", json_object_new_string(r->updated_at));
		if (*r->last_error)
			json_object_object_add(o, "last_error",
			                       json_object_new_string(r->last_error));
		json_object_array_add(out->array, o);
	} else if (human_output(out->inv)) {
		printf("%s  %-16s %4lld  %-12s %s%s%s\n", r->booking_id, r->status,
		       (long long)r->snapshot_version, r->crop_type, r->updated_at,
		       *r->last_error ? "  " : "", r->last_error);
	}
	return 0;
}

int cmd_list(struct invocation *inv)
{
	snap_list_opts o = {0};
	struct out out = {inv, NULL, 0, ""};
	snap_error err = {0};
	snap_code rc;

	o.status = inv->opt[OPT_STATUS];
	o.crop_type = inv->opt[OPT_CROP];
	o.farmer_id = inv->opt[OPT_FARMER];
	o.after = inv->opt[OPT_AFTER];
	o.limit = inv->count[OPT_LIMIT];
	if (inv->opt[OPT_JSON])
		out.array = json_object_new_array();
	rc = snap_list(inv->ctx, &o, row, &out, &err);
	if (rc == SNAP_OK && out.array)
		printf("%s\n", json_object_to_json_string_ext(out.array, JSON_C_TO_STRING_PLAIN));
	json_object_put(out.array);
	if (rc != SNAP_OK)
		return fail_snap(inv, &err);
	if (!out.array && human_output(inv) && out.rows == o.limit)
		printf("(more: --after %s)\n", out.last);
	return 0;
}
