/* Option values: --limit and --batch-size (parse_count), --max-duration (parse_seconds),
 * --older-than (snap_parse_duration). Whatever they accept is in range and spelled as
 * documented; nothing else is accepted. */
#include <math.h>

#include "fuzz.h"
#include "parse.h"
#include "snapshot.h"

static int only(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	double d;
	long n;

	if (!s)
		return 0;
	if (parse_count(s, 1, 1000000000L, &n))
		CHECK(n >= 1 && n <= 1000000000L && *s && only(s, "0123456789"));
	if (parse_seconds(s, 0.001, 1e9, &d)) {
		CHECK(isfinite(d) && d >= 0.001 && d <= 1e9);
		CHECK(*s != '.' && only(s, "0123456789.") && strchr(s, '.') == strrchr(s, '.'));
	}
	if (snap_parse_duration(s, &d)) {
		CHECK(isfinite(d) && d >= 0 && d <= 100 * 366 * 86400.0);
		CHECK(*s >= '0' && *s <= '9');
	}
	free(s);
	return 0;
}
