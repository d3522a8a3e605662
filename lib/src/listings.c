/* Listings: loads the MongoDB module on first use, and the listing calls that need no
 * PostgreSQL (init-db's part, get --listing). */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "listings.h"

/* The module sits next to libsnapshot itself, in the build tree and once installed. */
static void *load_module(const struct mongo_ops **out, snap_error *err)
{
	Dl_info self;
	char dir[PATH_MAX], path[PATH_MAX + 32];
	const struct mongo_ops *ops;
	void *dl;

	if (!dladdr((void *)&listings_open, &self) || !self.dli_fname) {
		snap_fail(err, SNAP_ERR_INTERNAL, "cannot find libsnapshot's directory");
		return NULL;
	}
	snprintf(dir, sizeof(dir), "%s", self.dli_fname);
	snprintf(path, sizeof(path), "%s/snapshot/snapshot-mongo.so", dirname(dir));
	/* libmongoc initialises itself when loaded and, unless told not to, exports its
	 * counters in a /dev/shm/mongoc-PID segment: a killed process leaves it behind, and
	 * a later process given that PID prints a warning before any log handler of ours can
	 * be installed. Nobody reads those counters here. */
	setenv("MONGOC_DISABLE_SHM", "1", 0);
	if (!(dl = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		snap_fail(err, SNAP_ERR_CONFIG, "cannot load the MongoDB module: %s", dlerror());
		return NULL;
	}
	ops = dlsym(dl, "snap_mongo_ops");
	if (!ops || ops->abi != SNAP_MONGO_ABI) {
		snap_fail(err, SNAP_ERR_CONFIG, "%s is not this libsnapshot's module", path);
		dlclose(dl);
		return NULL;
	}
	*out = ops;
	return dl;
}

static snap_code load(snap_ctx *ctx, snap_error *err)
{
	if (!(ctx->mongo_dl = load_module(&ctx->mongo_ops, err)))
		return err->code;
	return SNAP_OK;
}

int snap_mongo_uri_has_secret(const char *uri)
{
	const struct mongo_ops *ops;
	snap_error err;
	void *dl;
	int secret;

	/* Without '@' or '=' there is neither userinfo nor an option to hold one: no need to
	 * load the driver. */
	if (!uri || !strpbrk(uri, "@="))
		return 0;
	if (!(dl = load_module(&ops, &err)))
		return 1;
	secret = ops->uri_secret(uri);
	dlclose(dl);
	return secret;
}

snap_code listings_open(snap_ctx *ctx, const struct mongo_ops **ops, void **h, snap_error *err)
{
	snap_code rc;

	if (!ctx->mongo_ops && (rc = load(ctx, err)) != SNAP_OK)
		return rc;
	if (!ctx->mongo && (rc = ctx->mongo_ops->open(&ctx->mongo, ctx->mongo_uri, ctx->mongo_db,
	                                              ctx->app_name, err)) != SNAP_OK)
		return rc;
	*ops = ctx->mongo_ops;
	*h = ctx->mongo;
	return SNAP_OK;
}

void listings_close(snap_ctx *ctx)
{
	if (ctx->mongo)
		ctx->mongo_ops->close(ctx->mongo);
	if (ctx->mongo_dl)
		dlclose(ctx->mongo_dl);
	ctx->mongo = NULL;
	ctx->mongo_dl = NULL;
	ctx->mongo_ops = NULL;
}

struct init_report {
	snap_init_fn fn;
	void *data;
	snap_step_kind kind;
};

static void on_duplicate(const char *booking_id, long count, void *data)
{
	struct init_report *r = data;
	char detail[32];
	snap_init_step step = {r->kind, booking_id, 0, detail};

	snprintf(detail, sizeof(detail), "%ld listings", count);
	if (r->fn)
		r->fn(&step, r->data);
}

static void on_index(const char *name, const char *keys, void *data)
{
	struct init_report *r = data;
	snap_init_step step = {SNAP_STEP_LISTING_INDEX, name, 0, keys};

	if (r->fn)
		r->fn(&step, r->data);
}

snap_code listings_init(snap_ctx *ctx, unsigned flags, snap_init_fn fn, void *data, snap_error *err)
{
	int check = (flags & SNAP_DRY_RUN) != 0;
	int fix = !check && (flags & SNAP_INIT_FIX_DUPLICATES);
	struct init_report r = {fn, data,
	                        fix ? SNAP_STEP_DUPLICATES_REMOVED : SNAP_STEP_DUPLICATE_LISTINGS};
	const struct mongo_ops *ops;
	void *h;
	long found = 0;
	snap_code rc;

	if ((rc = listings_open(ctx, &ops, &h, err)) != SNAP_OK)
		return rc;
	if ((rc = ops->duplicates(h, fix, on_duplicate, &r, &found, err)) != SNAP_OK)
		return rc;
	if (found && !fix)
		return with_remedy(
		    err, SNAP_REMEDY_FIX_DUPLICATES,
		    snap_fail(err, SNAP_ERR_INPUT, "%ld bookings have several listings", found));
	return ops->indexes(h, check, on_index, &r, err);
}

snap_code snap_listing_get(snap_ctx *ctx, const char *booking_id, char **json_out, snap_error *err)
{
	const struct mongo_ops *ops;
	void *h;
	snap_code rc;
	char canon[37];
	size_t i;

	*json_out = NULL;
	if (!snap_uuid_valid(booking_id))
		return snap_fail(err, SNAP_ERR_INPUT, "booking id '%.60s' is not a UUID",
		                 booking_id);
	for (i = 0; i < 36; i++)
		canon[i] = (char)(booking_id[i] | (booking_id[i] >= 'A' ? 0x20 : 0));
	canon[36] = '\0';
	if ((rc = listings_open(ctx, &ops, &h, err)) != SNAP_OK)
		return rc;
	if ((rc = ops->get(h, canon, json_out, err)) != SNAP_OK)
		return rc;
	if (!*json_out)
		return snap_fail(err, SNAP_ERR_NOT_FOUND, "no listing for booking '%s'", canon);
	return SNAP_OK;
}
