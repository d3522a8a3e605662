/* Unit tests for libsnapshot's pure functions: UUID checks, redaction, names of codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "snapshot.h"

static void uuid_accepts_canonical_forms(void **state)
{
	(void)state;
	assert_true(snap_uuid_valid("00000000-0000-0000-0000-000000000000"));
	assert_true(snap_uuid_valid("3b95b709-5c45-cfe3-a70a-4889c17275a7"));
	assert_true(snap_uuid_valid("3B95B709-5C45-CFE3-A70A-4889C17275A7"));
}

static void durations_parse(void **state)
{
	static const struct {
		const char *in;
		double seconds;
	} good[] = {{"90d", 90 * 86400.0}, {"12h", 43200},  {"30m", 1800}, {"45s", 45},
	            {"3600", 3600},        {"2w", 1209600}, {"0d", 0}};
	static const char *const bad[] = {"",     "d",   "90 d", "90dd",          "-1d",
	                                  "1.5h", "12y", "h12",  "9999999999999d"};
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(snap_parse_duration(good[i].in, &v));
		assert_true(v == good[i].seconds);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(snap_parse_duration(bad[i], &v));
	assert_false(snap_parse_duration(NULL, &v));
}

static void uuid_rejects_everything_else(void **state)
{
	static const char *const bad[] = {
	    "",
	    "not-a-uuid",
	    "3b95b709-5c45-cfe3-a70a-4889c17275a",   /* short */
	    "3b95b709-5c45-cfe3-a70a-4889c17275a7f", /* long */
	    "3b95b7095c45cfe3a70a4889c17275a7",      /* no dashes: PostgreSQL takes it, we don't */
	    "{3b95b709-5c45-cfe3-a70a-4889c17275a7}",
	    "3b95b709-5c45-cfe3-a70a-4889c17275g7",
	    "3b95b709_5c45-cfe3-a70a-4889c17275a7",
	    " 3b95b709-5c45-cfe3-a70a-4889c17275a7",
	    "3b95b709-5c45-cfe3-a70a-4889c17275a7\n",
	    "'; DROP TABLE storage_bookings; --",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(snap_uuid_valid(bad[i]));
	assert_false(snap_uuid_valid(NULL));
}

static void check_redact(const char *in, const char *want)
{
	char buf[256];

	assert_ptr_equal(snap_redact(in, buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void redact_hides_passwords(void **state)
{
	(void)state;
	check_redact("postgresql://snap:s3cret@db.example:5432/market",
	             "postgresql://snap:***@db.example:5432/market");
	check_redact("postgres://u:p%40ss@h/db?sslmode=require",
	             "postgres://u:***@h/db?sslmode=require");
	check_redact("host=db user=snap password=s3cret dbname=market",
	             "host=db user=snap password=*** dbname=market");
	check_redact("password='a b\\' c' host=db", "password=*** host=db");
	check_redact("password=s\\wo host=db", "password=*** host=db"); /* libpq reads "swo" */
	check_redact("host=db password = s3cret user=u", "host=db password = *** user=u");
	check_redact("sslpassword=k3y host=db", "sslpassword=*** host=db");
	check_redact("postgresql://db/market?password=s3cret&sslmode=verify-full",
	             "postgresql://db/market?password=***&sslmode=verify-full");
	check_redact("mongodb://h/?tls=true&tlsCertificateKeyFilePassword=k3y&w=1",
	             "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=***&w=1");
	check_redact("mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties="
	             "AWS_SESSION_TOKEN:t0ken",
	             "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=***");
	check_redact("mongodb://u:p@h1,h2/?PASSWORD=x", "mongodb://u:***@h1,h2/?PASSWORD=***");
	check_redact("host=db PassWord='x y'", "host=db PassWord=***");
	check_redact("=password=s3cret", "=password=***");
	/* Found by tests/fuzz/fuzz_redact against the drivers' parsers. */
	check_redact("host=db password = s3cret user=abcpostgres://u:p",
	             "host=db password = *** user=abcpostgres://u:p");
	check_redact(" password\n\n =s3cret host=h", " password\n\n =*** host=h");
	check_redact("postgresql://abc#:s3cret@h/db", "postgresql://abc#:***@h/db");
	check_redact("mongodb://u@h/?authMechanismProperties=AWS#_SESSION_TOKEN:t0k&w=1",
	             "mongodb://u@h/?authMechanismProperties=***&w=1");
}

static void redact_keeps_what_is_not_secret(void **state)
{
	(void)state;
	check_redact("postgresql://snap@db/market", "postgresql://snap@db/market");
	check_redact("host=/tmp dbname=market", "host=/tmp dbname=market");
	check_redact("", "");
	check_redact("passwordless=1", "passwordless=1");
	check_redact("host=db authMechanism=x user=password",
	             "host=db authMechanism=x user=password");
}

static void redact_truncates_safely(void **state)
{
	char buf[12];

	(void)state;
	snap_redact("postgresql://u:s3cret@host/db", buf, sizeof(buf));
	assert_string_equal(buf, "postgresql:");
	assert_null(strstr(buf, "s3cret"));
	snap_redact("password=s3cret", buf, 4);
	assert_string_equal(buf, "pas");
}

static void every_code_has_a_name(void **state)
{
	int c;

	(void)state;
	for (c = SNAP_OK; c <= SNAP_ERR_INTERNAL; c++) {
		assert_non_null(snap_strerror((snap_code)c));
		assert_true(strlen(snap_strerror((snap_code)c)) > 0);
	}
	assert_non_null(snap_strerror((snap_code)9999));
	assert_string_equal(snap_action_name(SNAP_ACTION_CREATED), "created");
	assert_string_equal(snap_action_name(SNAP_ACTION_UPDATED), "updated");
	assert_string_equal(snap_action_name(SNAP_ACTION_UNCHANGED), "unchanged");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(uuid_accepts_canonical_forms),
	    cmocka_unit_test(uuid_rejects_everything_else),
	    cmocka_unit_test(redact_hides_passwords),
	    cmocka_unit_test(redact_keeps_what_is_not_secret),
	    cmocka_unit_test(redact_truncates_safely),
	    cmocka_unit_test(every_code_has_a_name),
	    cmocka_unit_test(durations_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
