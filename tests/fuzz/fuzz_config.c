/* The config file, line by line as config.c reads it (fgets into 2048 bytes): a line is blank,
 * a comment, malformed, or a key and a value with no blank around either and no '=' in the
 * key. */
#include <ctype.h>

#include "fuzz.h"
#include "parse.h"

static int trimmed(const char *s)
{
	size_t n = strlen(s);

	return !n || (!isspace((unsigned char)s[0]) && !isspace((unsigned char)s[n - 1]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[2048], *key, *val;
	size_t at = 0, n;

	while (at < size) {
		/* fgets: up to a newline (kept) or 2047 bytes. */
		for (n = 0; at + n < size && n < sizeof(line) - 1;)
			if (data[at + n++] == '\n')
				break;
		memcpy(line, data + at, n);
		line[n] = '\0';
		at += n;
		switch (parse_config_line(line, &key, &val)) {
		case 1:
			CHECK(*key != '#' && trimmed(key) && trimmed(val) && !strchr(key, '='));
			CHECK(key >= line && val > key && val <= line + n);
			break;
		case 0:
		case -1:
			break;
		default:
			CHECK(!"parse_config_line returned something else");
		}
	}
	return 0;
}
