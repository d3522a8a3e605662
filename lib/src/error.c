/* Error codes, their names, and the small shared helpers every other file uses. */
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
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	/* Messages are one line: server text may carry newlines. */
	err->message[strcspn(err->message, "\n")] = '\0';
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

void sb_addn(strbuf *sb, const char *s, size_t n)
{
	if (sb->failed)
		return;
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;
		char *p;

		while (cap < sb->len + n + 1)
			cap *= 2;
		if (!(p = realloc(sb->buf, cap))) {
			sb->failed = 1;
			return;
		}
		sb->buf = p;
		sb->cap = cap;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_add(strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void sb_free(strbuf *sb)
{
	free(sb->buf);
	*sb = (strbuf){0};
}
