/* snapctl status: what needs attention (exit 3 when something does). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Due work older than three sync-all periods needs attention. */
enum { DUE_ALARM_SECONDS = 900 };

static long get_long(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (long)json_object_get_int64(v) : 0;
}

/* The reasons the state needs attention, added to status as "attention". */
static struct json_object *attention(struct json_object *st)
{
	struct json_object *why = json_object_new_array(), *v;
	char line[200];

	if (json_object_object_get_ex(st, "failed", &v) && json_object_array_length(v) > 0) {
		struct json_object *counts;

		json_object_object_get_ex(st, "counts", &counts);
		snprintf(line, sizeof(line), "%ld snapshots failed", get_long(counts, "failed"));
		json_object_array_add(why, json_object_new_string(line));
	}
	if (get_long(st, "oldest_due_seconds") > DUE_ALARM_SECONDS) {
		snprintf(line, sizeof(line), "due work waits for %ld s: is sync-all running?",
		         get_long(st, "oldest_due_seconds"));
		json_object_array_add(why, json_object_new_string(line));
	}
	if (json_object_object_get_ex(st, "missing_source_indexes", &v) &&
	    json_object_array_length(v) > 0)
		json_object_array_add(why, json_object_new_string("source indexes are missing"));
	if (json_object_object_get_ex(st, "runs", &v)) {
		json_object_object_foreach(v, job, run)
		{
			struct json_object *outcome;

			if (json_object_object_get_ex(run, "outcome", &outcome) &&
			    strcmp(json_object_get_string(outcome), "ok") != 0) {
				snprintf(line, sizeof(line), "the last %s run: %s", job,
				         json_object_get_string(outcome));
				json_object_array_add(why, json_object_new_string(line));
			}
		}
	}
	return why;
}

static void print_text(struct json_object *st, struct json_object *why)
{
	struct json_object *v;
	size_t i;

	printf("schema version %ld\nsnapshots:", get_long(st, "schema_version"));
	if (json_object_object_get_ex(st, "counts", &v)) {
		const char *sep = " ";

		json_object_object_foreach(v, status, n)
		{
			printf("%s%ld %s", sep, (long)json_object_get_int64(n), status);
			sep = ", ";
		}
	}
	printf("\noldest due: %ld s; leases: %ld active, %ld expired\n",
	       get_long(st, "oldest_due_seconds"), get_long(st, "active_leases"),
	       get_long(st, "expired_leases"));
	if (json_object_object_get_ex(st, "failed", &v))
		for (i = 0; i < json_object_array_length(v); i++) {
			struct json_object *f = json_object_array_get_idx(v, i), *id, *e;

			json_object_object_get_ex(f, "booking_id", &id);
			json_object_object_get_ex(f, "last_error", &e);
			printf("failed: %s after %ld attempts: %s\n", json_object_get_string(id),
			       get_long(f, "attempts"), e ? json_object_get_string(e) : "");
		}
	if (json_object_object_get_ex(st, "missing_source_indexes", &v))
		for (i = 0; i < json_object_array_length(v); i++)
			printf("missing source index: %s\n",
			       json_object_get_string(json_object_array_get_idx(v, i)));
	if (json_object_object_get_ex(st, "runs", &v)) {
		json_object_object_foreach(v, job, run)
		{
			struct json_object *outcome, *end, *counts;

			json_object_object_get_ex(run, "outcome", &outcome);
			json_object_object_get_ex(run, "finished_at", &end);
			json_object_object_get_ex(run, "counts", &counts);
			printf("last %s: %s at %s %s\n", job, json_object_get_string(outcome),
			       json_object_get_string(end),
			       json_object_to_json_string_ext(counts, JSON_C_TO_STRING_PLAIN));
		}
	}
	for (i = 0; i < json_object_array_length(why); i++)
		printf("attention: %s\n",
		       json_object_get_string(json_object_array_get_idx(why, i)));
	if (!json_object_array_length(why))
		printf("all well\n");
}

int cmd_status(struct invocation *inv)
{
	snap_error err = {0};
	struct json_object *st, *why;
	char *json = NULL;
	long top = inv->count[OPT_LIMIT];
	int code;

	if (snap_status(inv->ctx, (int)(top > 1000 ? 1000 : top), &json, &err) != SNAP_OK)
		return fail_snap(inv, &err);
	st = json_tokener_parse(json);
	snap_free(json);
	if (!st)
		return fail(inv, EXIT_SOFTWARE, "status: unreadable JSON from the database");
	why = attention(st);
	code = json_object_array_length(why) ? EXIT_PARTIAL : 0;
	if (inv->opt[OPT_JSON]) {
		json_object_object_add(st, "attention", json_object_get(why));
		printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN));
	} else if (human_output(inv)) {
		print_text(st, why);
	}
	json_object_put(why);
	json_object_put(st);
	return code;
}
