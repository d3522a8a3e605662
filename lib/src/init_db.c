/* init-db: the order of its steps across both databases, so that duplicate listings stop it
 * before anything changes in either. */
#include "internal.h"

struct duplicates_only {
	snap_init_fn fn;
	void *data;
};

static int duplicates_only(const snap_init_step *step, void *data)
{
	struct duplicates_only *d = data;

	return step->kind == SNAP_STEP_DUPLICATE_LISTINGS && d->fn ? d->fn(step, d->data) : 0;
}

snap_code snap_init_db(snap_ctx *ctx, unsigned flags, snap_init_fn fn, void *data, snap_error *err)
{
	struct duplicates_only d = {fn, data};
	snap_code rc;

	if (!(flags & SNAP_INIT_FIX_DUPLICATES) &&
	    (rc = listings_init(ctx, SNAP_DRY_RUN, duplicates_only, &d, err)) != SNAP_OK)
		return rc;
	if ((rc = schema_init(ctx, flags, fn, data, err)) != SNAP_OK)
		return rc;
	return listings_init(ctx, flags, fn, data, err);
}
