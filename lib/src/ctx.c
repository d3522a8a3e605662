/* The context: a copy of the configuration, the lazily opened connection, the interrupt flag. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static char *dup_or_null(const char *s, int *failed)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*failed = 1;
	return d;
}

snap_code snap_ctx_new(snap_ctx **out, const snap_config *cfg, snap_error *err)
{
	static const snap_config defaults = {0};
	snap_ctx *ctx;
	int failed = 0;

	*out = NULL;
	if (!cfg)
		cfg = &defaults;
	if (cfg->pest_event_limit < 0 || cfg->lease_seconds < 0 || cfg->max_attempts < 0)
		return snap_fail(err, SNAP_ERR_USAGE, "negative numbers in snap_config");
	if (!(ctx = calloc(1, sizeof(*ctx))))
		return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	ctx->pg_uri = dup_or_null(cfg->pg_uri, &failed);
	ctx->app_name = dup_or_null(cfg->app_name ? cfg->app_name : "snapctl", &failed);
	ctx->mongo_uri =
	    dup_or_null(cfg->mongo_uri ? cfg->mongo_uri : "mongodb://127.0.0.1:27017", &failed);
	ctx->mongo_db = dup_or_null(cfg->mongo_db ? cfg->mongo_db : "market_connect", &failed);
	if (failed) {
		snap_ctx_free(ctx);
		return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	}
	ctx->pest_event_limit = cfg->pest_event_limit ? cfg->pest_event_limit : 50;
	ctx->lease_seconds = cfg->lease_seconds ? cfg->lease_seconds : 300;
	ctx->max_attempts = cfg->max_attempts ? cfg->max_attempts : 10;
	ctx->log = cfg->log;
	ctx->log_data = cfg->log_data;
	ctx->progress = cfg->progress;
	ctx->progress_data = cfg->progress_data;
	ctx->log_max = cfg->log_max;
	*out = ctx;
	return SNAP_OK;
}

void snap_ctx_free(snap_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->pg)
		PQfinish(ctx->pg);
	listings_close(ctx);
	free(ctx->pg_uri);
	free(ctx->mongo_uri);
	free(ctx->mongo_db);
	free(ctx->app_name);
	free(ctx);
}

void snap_ctx_interrupt(snap_ctx *ctx)
{
	ctx->interrupted = 1;
}
