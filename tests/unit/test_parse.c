/* The parsers of what a user types (cli/parse.c): counts, seconds, config lines, stdin ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"

static void counts(void **state)
{
	static const char *const bad[] = {"",
	                                  "0",
	                                  "-5",
	                                  "+5",
	                                  " 5",
	                                  "5 ",
	                                  "10x",
	                                  "1e3",
	                                  "0x10",
	                                  "1000000001",
	                                  "99999999999999999999"};
	size_t i;
	long n = -1;

	(void)state;
	assert_true(parse_count("1", 1, 1000000000L, &n));
	assert_int_equal(n, 1);
	assert_true(parse_count("1000000000", 1, 1000000000L, &n));
	assert_int_equal(n, 1000000000L);
	assert_true(parse_count("007", 1, 10, &n));
	assert_int_equal(n, 7);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = -1;
		assert_false(parse_count(bad[i], 1, 1000000000L, &n));
		assert_int_equal(n, -1);
	}
}

static void seconds(void **state)
{
	static const char *const bad[] = {"",   "inf", "nan", "0x10",  "1e3", "-5",        "0",
	                                  "5s", "1.",  ".5",  "1.2.3", " 1",  "1000000001"};
	size_t i;
	double d = -1;

	(void)state;
	assert_true(parse_seconds("0.001", 0.001, 1e9, &d));
	assert_true(d > 0.0009 && d < 0.0011);
	assert_true(parse_seconds("90", 0.001, 1e9, &d));
	assert_true(d == 90);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(parse_seconds(bad[i], 0.001, 1e9, &d));
}

static void config_lines(void **state)
{
	char line[64], *key = NULL, *val = NULL;

	(void)state;
	strcpy(line, "  batch_size = 500 \r\n");
	assert_int_equal(parse_config_line(line, &key, &val), 1);
	assert_string_equal(key, "batch_size");
	assert_string_equal(val, "500");
	strcpy(line, "pg_uri=host=/tmp password=x\n");
	assert_int_equal(parse_config_line(line, &key, &val), 1);
	assert_string_equal(key, "pg_uri");
	assert_string_equal(val, "host=/tmp password=x");
	strcpy(line, "   # a comment = here\n");
	assert_int_equal(parse_config_line(line, &key, &val), 0);
	strcpy(line, " \t\n");
	assert_int_equal(parse_config_line(line, &key, &val), 0);
	strcpy(line, "no equals\n");
	assert_int_equal(parse_config_line(line, &key, &val), -1);
}

static int id_line(const char *text, size_t len, char **id)
{
	static char line[128];

	memcpy(line, text, len);
	line[len] = '\0';
	return parse_id_line(line, len, id);
}

static void stdin_ids(void **state)
{
	static const char uuid[] = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
	char *id;

	(void)state;
	assert_int_equal(id_line(uuid, 36, &id), 1);
	assert_string_equal(id, uuid);
	assert_int_equal(id_line(" \t3fa85f64-5717-4562-b3fc-2c963f66afa6 \r\n", 41, &id), 1);
	assert_string_equal(id, uuid);
	assert_int_equal(id_line("\n", 1, &id), 0);
	assert_int_equal(id_line("  \t\r\n", 5, &id), 0);
	assert_int_equal(id_line("3fa85f64-5717-4562-b3fc-2c963f66afa6 DROP TABLE x\n", 50, &id),
	                 -1);
	assert_string_equal(id, "3fa85f64-5717-4562-b3fc-2c963f66afa6 DROP TABLE x");
	/* A NUL is no blank: the line is no id. */
	assert_int_equal(id_line("3fa85f64-5717-4562-b3fc-2c963f66afa6\0\n", 38, &id), -1);
	assert_int_equal(id_line("\0\n", 2, &id), -1);
	assert_int_equal(id_line("zzz\n", 4, &id), -1);
	assert_string_equal(id, "zzz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(counts),
	    cmocka_unit_test(seconds),
	    cmocka_unit_test(config_lines),
	    cmocka_unit_test(stdin_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
