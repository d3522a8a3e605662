/* snapctl verify: do PostgreSQL and MongoDB agree? A summary on stdout (one JSON object with
 * --json, each difference in "details"); each difference on stderr as a warning, the first
 * ones of each kind; exit 3 when something differs (with --repair: when something could not be
 * put right now). */
#include <json-c/json.h>

#include "cli.h"

/* Differences shown on stderr per kind; --json lists them all up to DETAILS. */
enum { SHOWN = 10, DETAILS = 1000 };

struct shown {
	struct invocation *inv;
	struct json_object *details;
	long per_class[4];
};

static void on_difference(const char *booking_id, snap_verify_class cls, const char *detail,
                          void *data)
{
	struct shown *s = data;
	struct json_object *o;
	long n = ++s->per_class[cls];

	if (n <= SHOWN)
		warn(s->inv, "%s %s: %s", snap_verify_class_name(cls), booking_id, detail);
	else if (n == SHOWN + 1)
		warn(s->inv, "more bookings %s: see the summary", snap_verify_class_name(cls));
	if (json_object_array_length(s->details) >= DETAILS)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "booking_id", json_object_new_string(booking_id));
	json_object_object_add(o, "class", json_object_new_string(snap_verify_class_name(cls)));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_array_add(s->details, o);
}

int cmd_verify(struct invocation *inv)
{
	snap_verify_opts o = {inv->run};
	snap_verify_summary s = {0};
	struct shown shown = {inv, json_object_new_array(), {0}};
	snap_error err = {0};
	snap_code rc = snap_verify(inv->ctx, &o, on_difference, &shown, &s, &err);
	int code = finish_run(inv, o.run.job, &s.tally, shown.details, rc, &err);

	json_object_put(shown.details);
	return code;
}
