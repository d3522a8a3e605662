/* snapctl upsert: ids as operands (one transaction), '-' for ids on stdin (streamed, a
 * transaction per batch), or --all. One line per booking: JSON with --json, else text.
 * --publish: the library then publishes what was left ready; a failure there is a warning,
 * not an error: the snapshots are written, and sync-all publishes them later. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parse.h"

struct tally {
	struct invocation *inv;
	int per_booking; /* print a line per booking */
	int dry_run;
};

static int print_result(const snap_upsert_result *r, void *data)
{
	struct tally *t = data;
	struct json_object *o;

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

/* Copies the ids on stdin, one per line, to a temporary file, checking each: a malformed id
 * fails the run before anything is written. Memory stays flat whatever the input size. */
static snap_code spool_stdin(FILE **out, snap_error *err)
{
	FILE *spool = tmpfile();
	char *line = NULL, *id;
	size_t cap = 0;
	ssize_t got;
	int kind;
	long lineno = 0;
	snap_code rc = SNAP_OK;

	if (!spool)
		return set_error(err, SNAP_ERR_INTERNAL, "cannot create a temporary file");
	while (rc == SNAP_OK && (got = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if ((kind = parse_id_line(line, (size_t)got, &id)) == 0)
			continue;
		if (kind < 0)
			rc = set_error(err, SNAP_ERR_INPUT,
			               "standard input line %ld: booking id '%.60s' is not a UUID",
			               lineno, id);
		else if (fprintf(spool, "%s\n", id) < 0)
			rc = set_error(err, SNAP_ERR_INTERNAL, "cannot write a temporary file");
	}
	free(line);
	if (rc == SNAP_OK && (ferror(stdin) || fflush(spool) != 0))
		rc = set_error(err, SNAP_ERR_INTERNAL, "cannot read standard input");
	if (rc != SNAP_OK) {
		fclose(spool);
		return rc;
	}
	rewind(spool);
	*out = spool;
	return SNAP_OK;
}

/* Upserts the spooled ids a batch (one transaction) at a time. */
static snap_code upsert_stdin(struct invocation *inv, const snap_upsert_opts *o,
                              snap_upsert_summary *s, snap_error *err)
{
	size_t batch = (size_t)inv->run.batch_size, n = 0;
	char(*ids)[40] = calloc(batch, sizeof(*ids));
	const char **ptrs = calloc(batch, sizeof(*ptrs));
	FILE *spool = NULL;
	snap_code rc;
	int more = 1;

	if (!ids || !ptrs)
		rc = set_error(err, SNAP_ERR_INTERNAL, "out of memory");
	else
		rc = spool_stdin(&spool, err);
	while (rc == SNAP_OK && more) {
		more = fgets(ids[n], sizeof(ids[n]), spool) != NULL;
		if (more) {
			ids[n][strcspn(ids[n], "\n")] = '\0';
			ptrs[n] = ids[n];
			n++;
		}
		if (n && (n == batch || !more)) {
			rc = snap_upsert(inv->ctx, ptrs, n, o, s, err);
			n = 0;
		}
	}
	if (spool)
		fclose(spool);
	free(ptrs);
	free(ids);
	return rc;
}

/* --publish: what the library could not publish now is a warning, not an error. */
static void report_published(struct invocation *inv, const snap_upsert_summary *s)
{
	if (s->published < s->ready)
		warn(inv, "%ld of %ld listings not published now (%s); sync-all will publish them",
		     s->ready - s->published, s->ready,
		     s->publish_error.code != SNAP_OK ? s->publish_error.message
		                                      : "MongoDB refused or deferred some writes");
	else if (human_output(inv) && s->ready)
		printf("%ld listing%s published\n", s->published, s->published == 1 ? "" : "s");
}

int cmd_upsert(struct invocation *inv)
{
	struct tally t = {inv, 1, (inv->run.flags & SNAP_DRY_RUN) != 0};
	snap_upsert_opts o = {inv->run, print_result, &t};
	snap_upsert_summary s = {{0}, 0, 0, {0}};
	int all = inv->opt[OPT_ALL] != NULL;
	snap_error err = {0};
	snap_code rc;

	/* With --all a terminal gets a summary; scripts (--json) and -v get every booking. */
	t.per_booking = !inv->opt[OPT_QUIET] && (!all || inv->opt[OPT_JSON] || inv->verbose);
	if (all)
		rc = snap_upsert_all(inv->ctx, &o, &s, &err);
	else if (!strcmp(inv->args[0], "-"))
		rc = upsert_stdin(inv, &o, &s, &err);
	else
		rc = snap_upsert(inv->ctx, (const char *const *)inv->args, (size_t)inv->nargs, &o,
		                 &s, &err);
	if (all && human_output(inv))
		printf("%s%ld created, %ld updated, %ld unchanged\n", t.dry_run ? "dry run: " : "",
		       s.actions[SNAP_ACTION_CREATED], s.actions[SNAP_ACTION_UPDATED],
		       s.actions[SNAP_ACTION_UNCHANGED]);
	if (rc == SNAP_OK && (inv->run.flags & SNAP_UPSERT_PUBLISH) && !t.dry_run)
		report_published(inv, &s);
	return rc == SNAP_OK ? 0 : fail_snap(inv, &err);
}
