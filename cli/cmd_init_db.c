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

static struct json_object *migration_json(const snap_schema_step *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "version", json_object_new_int(s->version));
	json_object_object_add(o, "description", json_object_new_string(s->name));
	json_object_object_add(o, "legacy_upgrade",
	                       json_object_new_boolean(!strcmp(s->kind, "legacy-upgrade")));
	return o;
}

static void print_step(const struct report *r, const snap_schema_step *s)
{
	const char *legacy = " (upgrading the earlier system's table in place)";

	if (!strcmp(s->kind, "source-index-missing")) {
		warn(r->inv, "no index on %s; 'snapctl init-db --source-indexes' adds %s",
		     s->detail, s->name);
	} else if (!strcmp(s->kind, "duplicate-listings")) {
		warn(r->inv, "booking %s has %s", s->name, s->detail);
	} else if (!human_output(r->inv)) {
		return;
	} else if (!strcmp(s->kind, "duplicates-removed")) {
		printf("kept the newest of %s of booking %s\n", s->detail, s->name);
	} else if (!strcmp(s->kind, "listing-index")) {
		printf("%s listing index %s on %s\n", r->check ? "would create" : "created",
		       s->name, s->detail);
		return;
	} else if (!strcmp(s->kind, "source-index")) {
		printf("%s index %s on %s\n", r->check ? "would create" : "created", s->name,
		       s->detail);
	} else {
		printf("%s schema migration %d: %s%s\n", r->check ? "would apply" : "applied",
		       s->version, s->name, strcmp(s->kind, "legacy-upgrade") ? "" : legacy);
	}
}

static int on_step(const snap_schema_step *s, void *data)
{
	struct report *r = data;

	if (!r->inv->opt[OPT_JSON])
		print_step(r, s);
	else if (!strcmp(s->kind, "source-index-missing"))
		json_object_array_add(r->missing, json_object_new_string(s->detail));
	else if (!strcmp(s->kind, "source-index"))
		json_object_array_add(r->created, json_object_new_string(s->name));
	else if (!strcmp(s->kind, "listing-index"))
		json_object_array_add(r->listing_indexes, json_object_new_string(s->name));
	else if (!strcmp(s->kind, "duplicate-listings") || !strcmp(s->kind, "duplicates-removed"))
		json_object_array_add(r->duplicates, json_object_new_string(s->name));
	else
		json_object_array_add(r->migrations, migration_json(s));
	return 0;
}

/* The first, checking pass over MongoDB reports duplicates only. */
static int on_duplicate(const snap_schema_step *s, void *data)
{
	return strcmp(s->kind, "duplicate-listings") ? 0 : on_step(s, data);
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
	struct report r = {
	    inv, inv->opt[OPT_CHECK] || inv->opt[OPT_DRY_RUN], NULL, NULL, NULL, NULL, NULL};
	unsigned flags = (r.check ? SNAP_SCHEMA_CHECK : 0) |
	                 (inv->opt[OPT_SOURCE_INDEXES] ? SNAP_SCHEMA_SOURCE_INDEXES : 0);
	unsigned lflags = (r.check ? SNAP_LISTINGS_CHECK : 0) |
	                  (inv->opt[OPT_FIX_DUPLICATES] ? SNAP_LISTINGS_FIX_DUPLICATES : 0);
	snap_error err = {0};
	int version = 0, rc = 0;

	r.migrations = json_object_new_array();
	r.created = json_object_new_array();
	r.missing = json_object_new_array();
	r.listing_indexes = json_object_new_array();
	r.duplicates = json_object_new_array();
	/* Duplicate listings stop init-db before it changes anything, in either database. */
	if (!(lflags & SNAP_LISTINGS_FIX_DUPLICATES) &&
	    snap_listings_init(inv->ctx, SNAP_LISTINGS_CHECK, on_duplicate, &r, &err) != SNAP_OK) {
		rc = fail_snap(inv, &err);
	} else if (snap_schema_init(inv->ctx, flags, on_step, &r, &err) != SNAP_OK ||
	           snap_listings_init(inv->ctx, lflags, on_step, &r, &err) != SNAP_OK ||
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
