/* snapctl upsert: ids as operands (one transaction), '-' for ids on stdin (streamed, a
 * transaction per batch), or --all. One line per booking: JSON with --json, else text. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct tally {
	struct invocation *inv;
	long n[3];       /* by snap_action */
	int per_booking; /* print a line per booking */
	int dry_run;
};

static int print_result(const snap_upsert_result *r, void *data)
{
	struct tally *t = data;
	struct json_object *o;

	t->n[r->action]++;
	if (!t->per_booking)
		return 0;
	if (t->inv->opt[OPT_JSON]) {
		o = json_object_new_object();
		json_object_object_add(o, "booking_id", json_object_new_string(r->booking_id));
		json_object_object_add(o, "action",
		                       json_object_new_string(snap_action_name(r->action)));
		json_object_object_add(o, "status", json_object_new_string(r->status));
		json_object_object_add(o, "snapshot_version",
		                       json_object_new_int64(r->snapshot_version));
		if (t->dry_run)
			json_object_object_add(o, "dry_run", json_object_new_boolean(1));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("%s %s%s (%s, version %lld)\n", r->booking_id, t->dry_run ? "would be " : "",
		       snap_action_name(r->action), r->status, (long long)r->snapshot_version);
	}
	return 0;
}

/* Reads ids from stdin, one per line, and upserts them a batch at a time. Each id is checked
 * before its batch is sent, so a malformed line stops the run before anything of its batch is
 * written; earlier batches are committed (and were reported). */
static snap_code upsert_stdin(struct invocation *inv, unsigned flags, struct tally *t,
                              snap_error *err)
{
	size_t batch = inv->batch_size ? (size_t)inv->batch_size : 5000, n = 0, i;
	char **ids = calloc(batch, sizeof(*ids)), *line = NULL, *id;
	size_t cap = 0;
	long lineno = 0;
	snap_code rc = SNAP_OK;
	ssize_t len;

	if (!ids) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		return err->code = SNAP_ERR_INTERNAL;
	}
	while (rc == SNAP_OK && (len = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		id = line + strspn(line, " \t");
		id[strcspn(id, " \t\r\n")] = '\0';
		if (*id == '\0')
			continue;
		if (!snap_uuid_valid(id)) {
			snprintf(err->message, sizeof(err->message),
			         "standard input line %ld: booking id '%.60s' is not a UUID",
			         lineno, id);
			rc = err->code = SNAP_ERR_INPUT;
		} else if (!(ids[n++] = strdup(id))) {
			snprintf(err->message, sizeof(err->message), "out of memory");
			rc = err->code = SNAP_ERR_INTERNAL;
		}
		if (rc == SNAP_OK && n == batch) {
			rc = snap_upsert(inv->ctx, (const char *const *)ids, n, flags, print_result,
			                 t, err);
			while (n)
				free(ids[--n]);
		}
	}
	if (rc == SNAP_OK && n)
		rc =
		    snap_upsert(inv->ctx, (const char *const *)ids, n, flags, print_result, t, err);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(line);
	return rc;
}

int cmd_upsert(struct invocation *inv)
{
	int all = inv->opt[OPT_ALL] != NULL, from_stdin, i;
	unsigned flags = inv->opt[OPT_DRY_RUN] ? SNAP_UPSERT_DRY_RUN : 0;
	struct tally t = {inv, {0}, 1, flags != 0};
	snap_error err = {0};
	snap_code rc;

	from_stdin = inv->nargs == 1 && !strcmp(inv->args[0], "-");
	if (all && inv->nargs)
		return fail(inv, EXIT_USAGE, "--all takes no booking ids");
	if (!all && !inv->nargs)
		return fail(inv, EXIT_USAGE, "no booking ids given (BOOKING_ID..., - or --all)");
	for (i = 0; i < inv->nargs && !from_stdin; i++)
		if (!strcmp(inv->args[i], "-"))
			return fail(inv, EXIT_USAGE, "'-' reads ids from stdin and goes alone");
	/* With --all a terminal gets a summary; scripts (--json) and -v get every booking. */
	t.per_booking = !inv->opt[OPT_QUIET] && (!all || inv->opt[OPT_JSON] || inv->verbose);
	if (all)
		rc = snap_upsert_all(inv->ctx, flags, print_result, &t, &err);
	else if (from_stdin)
		rc = upsert_stdin(inv, flags, &t, &err);
	else
		rc = snap_upsert(inv->ctx, (const char *const *)inv->args, (size_t)inv->nargs,
		                 flags, print_result, &t, &err);
	if (all && human_output(inv))
		printf("%s%ld created, %ld updated, %ld unchanged\n", t.dry_run ? "dry run: " : "",
		       t.n[SNAP_ACTION_CREATED], t.n[SNAP_ACTION_UPDATED],
		       t.n[SNAP_ACTION_UNCHANGED]);
	return rc == SNAP_OK ? 0 : fail_snap(inv, &err);
}
