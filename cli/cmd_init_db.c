/* snapctl init-db: create or migrate the schema in PostgreSQL and the listing indexes in
 * MongoDB; --check (or --dry-run) reports only. Changes go to stdout; a missing source index
 * is a warning on stderr unless created; duplicate listings fail it unless --fix-duplicates. */
#include <json-c/json.h>
#include <string.h>

#include "cli.h"

struct report {
	struct invocation *inv;
	int check;
	struct json_object *migrations, *created, *missing, *listing_indexes, *duplicates;
};

static struct json_object *migration_json(const snap_init_step *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "version", json_object_new_int(s->version));
	json_object_object_add(o, "description", json_object_new_string(s->name));
	json_object_object_add(o, "legacy_upgrade",
	                       json_object_new_boolean(s->kind == SNAP_STEP_LEGACY_UPGRADE));
	return o;
}

static void print_step(const struct report *r, const snap_init_step *s)
{
	const char *legacy = " (upgrading the earlier system's table in place)";

	if (s->kind == SNAP_STEP_SOURCE_INDEX_MISSING)
		warn(r->inv, "no index on %s; 'snapctl init-db --source-indexes' adds %s",
		     s->detail, s->name);
	else if (s->kind == SNAP_STEP_DUPLICATE_LISTINGS)
		warn(r->inv, "booking %s has %s", s->name, s->detail);
	if (!human_output(r->inv))
		return;
	switch (s->kind) {
	case SNAP_STEP_DUPLICATES_REMOVED:
		printf("kept the newest of %s of booking %s\n", s->detail, s->name);
		break;
	case SNAP_STEP_LISTING_INDEX:
		printf("%s listing index %s on %s\n", r->check ? "would create" : "created",
		       s->name, s->detail);
		break;
	case SNAP_STEP_SOURCE_INDEX:
		printf("%s index %s on %s\n", r->check ? "would create" : "created", s->name,
		       s->detail);
		break;
	case SNAP_STEP_MIGRATION:
	case SNAP_STEP_LEGACY_UPGRADE:
		printf("%s schema migration %d: %s%s\n", r->check ? "would apply" : "applied",
		       s->version, s->name, s->kind == SNAP_STEP_LEGACY_UPGRADE ? legacy : "");
		break;
	default:
		break;
	}
}

static int on_step(const snap_init_step *s, void *data)
{
	struct report *r = data;
	struct json_object *to = NULL;

	if (!r->inv->opt[OPT_JSON]) {
		print_step(r, s);
		return 0;
	}
	switch (s->kind) {
	case SNAP_STEP_SOURCE_INDEX_MISSING:
		to = r->missing;
		break;
	case SNAP_STEP_SOURCE_INDEX:
		to = r->created;
		break;
	case SNAP_STEP_LISTING_INDEX:
		to = r->listing_indexes;
		break;
	case SNAP_STEP_DUPLICATE_LISTINGS:
	case SNAP_STEP_DUPLICATES_REMOVED:
		to = r->duplicates;
		break;
	case SNAP_STEP_MIGRATION:
	case SNAP_STEP_LEGACY_UPGRADE:
		json_object_array_add(r->migrations, migration_json(s));
		return 0;
	}
	json_object_array_add(to, json_object_new_string(s->kind == SNAP_STEP_SOURCE_INDEX_MISSING
	                                                     ? s->detail
	                                                     : s->name));
	return 0;
}

static void json_report(const struct report *r, int version)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "check", json_object_new_boolean(r->check));
	json_object_object_add(o, "schema_version", json_object_new_int(version));
	json_object_object_add(o, "target_version",
	                       json_object_new_int(snap_schema_target_version()));
	json_object_object_add(o, "migrations", json_object_get(r->migrations));
	json_object_object_add(o, r->check ? "source_indexes_to_create" : "source_indexes_created",
	                       json_object_get(r->created));
	json_object_object_add(o, "source_indexes_missing", json_object_get(r->missing));
	json_object_object_add(o,
	                       r->check ? "listing_indexes_to_create" : "listing_indexes_created",
	                       json_object_get(r->listing_indexes));
	json_object_object_add(o, "duplicate_listings", json_object_get(r->duplicates));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

int cmd_init_db(struct invocation *inv)
{
	struct report r = {inv, (inv->run.flags & SNAP_DRY_RUN) != 0, NULL, NULL, NULL, NULL, NULL};
	snap_error err = {0};
	int version = 0, rc = 0;

	r.migrations = json_object_new_array();
	r.created = json_object_new_array();
	r.missing = json_object_new_array();
	r.listing_indexes = json_object_new_array();
	r.duplicates = json_object_new_array();
	if (snap_init_db(inv->ctx, inv->run.flags, on_step, &r, &err) != SNAP_OK ||
	    snap_schema_version(inv->ctx, &version, &err) != SNAP_OK) {
		rc = fail_snap(inv, &err);
	} else if (inv->opt[OPT_JSON]) {
		json_report(&r, version);
	} else if (human_output(inv)) {
		printf("schema version %d (this snapctl: %d)\n", version,
		       snap_schema_target_version());
	}
	json_object_put(r.migrations);
	json_object_put(r.created);
	json_object_put(r.missing);
	json_object_put(r.listing_indexes);
	json_object_put(r.duplicates);
	return rc;
}
