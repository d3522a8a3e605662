/* Error codes, their names, the library's log line, and snap_free. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *snap_strerror(snap_code code)
{
	switch (code) {
	case SNAP_OK:
		return "success";
	case SNAP_ERR_USAGE:
		return "invalid arguments";
	case SNAP_ERR_INPUT:
		return "malformed input";
	case SNAP_ERR_NOT_FOUND:
		return "not found";
	case SNAP_ERR_UNAVAILABLE:
		return "database unavailable";
	case SNAP_ERR_TEMPORARY:
		return "temporary failure";
	case SNAP_ERR_CONFIG:
		return "configuration error";
	case SNAP_ERR_INTERNAL:
		return "internal error";
	}
	return "unknown error";
}

snap_code snap_fail(snap_error *err, snap_code code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->remedy = SNAP_REMEDY_NONE;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	/* Messages are one line (server text may carry newlines), cut on a character. */
	err->message[strcspn(err->message, "\n")] = '\0';
	utf8_cut(err->message);
	return code;
}

snap_code with_remedy(snap_error *err, snap_remedy remedy, snap_code code)
{
	if (err)
		err->remedy = remedy;
	return code;
}

void snap_log(snap_ctx *ctx, snap_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!ctx->log || level > ctx->log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->log(level, line, ctx->log_data);
}

void snap_free(void *p)
{
	free(p);
}
