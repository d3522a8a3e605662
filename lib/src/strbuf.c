/* strbuf, the growing string the statements' parameters are built in, and its encoders, the
 * only ones: PostgreSQL arrays (text, and uuid[] in binary), JSON strings and records; and
 * cutting text at a UTF-8 character boundary. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

/* The length of the well-formed UTF-8 sequence at s (RFC 3629), 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)
			return 0;
	return n;
}

/* Whether s is the start of a character that the end of the string cut short. */
static int cut_short(const unsigned char *s)
{
	size_t want = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
	              : s[0] >= 0xe0 && s[0] <= 0xef ? 3
	              : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
	                                             : 0,
	       i;

	for (i = 1; i < want && s[i]; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return want && i < want;
}

void utf8_cut(char *s)
{
	size_t n;

	while (*s) {
		if ((n = utf8_seq((const unsigned char *)s)) == 0 &&
		    cut_short((unsigned char *)s)) {
			*s = '\0';
			return;
		}
		s += n ? n : 1;
	}
}

void sb_add_text_array(strbuf *sb, const char *const *items, size_t n)
{
	const char *p;
	size_t i;

	sb_add(sb, "{");
	for (i = 0; i < n; i++) {
		sb_add(sb, i ? ",\"" : "\"");
		for (p = items[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				sb_add(sb, "\\");
			sb_addn(sb, p, 1);
		}
		sb_add(sb, "\"");
	}
	sb_add(sb, "}");
}

void sb_add_json_string(strbuf *sb, const char *s)
{
	char esc[8];
	size_t n;

	sb_add(sb, "\"");
	while (*s) {
		const unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, esc[2] = '\0';
			sb_add(sb, esc);
			n = 1;
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_add(sb, esc);
			n = 1;
		} else if ((n = utf8_seq((const unsigned char *)s)) > 0) {
			sb_addn(sb, s, n);
		} else if (cut_short((const unsigned char *)s)) {
			break; /* dropped */
		} else {
			sb_add(sb, "\\ufffd");
			n = 1;
		}
		s += n;
	}
	sb_add(sb, "\"");
}

static void put_be32(strbuf *sb, uint32_t v)
{
	char b[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};

	sb_addn(sb, b, 4);
}

static int hex(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

void sb_add_uuid_array(strbuf *out, const char *const *ids, size_t n)
{
	size_t i, j;

	put_be32(out, n ? 1 : 0); /* dimensions */
	put_be32(out, 0);         /* no NULLs */
	put_be32(out, 2950);      /* uuid */
	if (n) {
		put_be32(out, (uint32_t)n);
		put_be32(out, 1); /* lower bound */
	}
	for (i = 0; i < n; i++) {
		char bytes[16];
		const char *p = ids[i];

		for (j = 0; j < 16; j++, p += 2) {
			if (*p == '-')
				p++;
			bytes[j] = (char)(hex(p[0]) << 4 | hex(p[1]));
		}
		put_be32(out, 16);
		sb_addn(out, bytes, 16);
	}
}

void sb_add_json_record(strbuf *sb, const char *const *keys, const char *const *values, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sb_add(sb, i ? "," : "{");
		sb_add_json_string(sb, keys[i]);
		sb_add(sb, ":");
		if (values[i])
			sb_add_json_string(sb, values[i]);
		else
			sb_add(sb, "null");
	}
	sb_add(sb, n ? "}" : "{}");
}
