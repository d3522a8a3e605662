/* What every batched job shares: how much the next batch may take (limit, time, signal), the
 * progress it reports, and the tally it ends with. */
#include <stdarg.h>

#include "internal.h"

snap_code next_batch(snap_ctx *ctx, long limit, long done, long batch_size, double start,
                     double max_seconds, long *want, snap_error *err)
{
	*want = 0;
	if (ctx->interrupted)
		return snap_fail(err, SNAP_ERR_TEMPORARY,
		                 "interrupted; the rest is left for later");
	if (max_seconds > 0 && now_seconds() - start >= max_seconds)
		return SNAP_OK;
	*want = limit > 0 && limit - done < batch_size ? limit - done : batch_size;
	if (*want < 0)
		*want = 0;
	return SNAP_OK;
}

long batch_of(const snap_run *run, long batch)
{
	return run->batch_size > 0 ? run->batch_size : batch;
}

void progress(snap_ctx *ctx, const char *what, long done)
{
	if (ctx->progress)
		ctx->progress(what, done, ctx->progress_data);
}

void tally_counts_(snap_tally *t, ...)
{
	const char *name;
	va_list ap;

	va_start(ap, t);
	while ((name = va_arg(ap, const char *)) != NULL) {
		long value = va_arg(ap, long);

		if (t->n < sizeof(t->counts) / sizeof(t->counts[0]))
			t->counts[t->n++] = (struct snap_count){name, value};
	}
	va_end(ap);
}

void tally_end(snap_ctx *ctx, const snap_run *run, snap_tally *t, double start, snap_code rc)
{
	t->duration_ms = (long)((now_seconds() - start) * 1000);
	if (run->job && !(run->flags & SNAP_DRY_RUN))
		run_record(ctx, run->job, t, rc);
}
