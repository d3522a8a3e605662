/* The parsers of what a user types: option values, config file lines, ids on standard input.
 * Pure (no I/O, no state, nothing allocated): unit-tested and fuzzed (tests/fuzz). */
#ifndef SNAPCTL_PARSE_H
#define SNAPCTL_PARSE_H

#include <stddef.h>

/* A whole number of decimal digits (no sign, blank or exponent) from lo to hi: 1 and *out, or
 * 0 when s is not one. */
int parse_count(const char *s, long lo, long hi, long *out);

/* Decimal seconds, digits with an optional fraction ("inf", hex and exponents are not), from
 * lo to hi: 1 and *out, or 0. */
int parse_seconds(const char *s, double lo, double hi, double *out);

/* One line of the config file, cut in place: 0 for a blank or comment line, 1 with *key and
 * *val (blanks around them removed), -1 when there is no '='. */
int parse_config_line(char *line, char **key, char **val);

/* One line of standard input (len bytes, which may include NULs, and room for a NUL after them,
 * as getline() leaves it), cut in place: 0 for a blank
 * line, 1 with *id a UUID (blanks around it removed), -1 when the line is anything else (then
 * *id is its text, for the message). */
int parse_id_line(char *line, size_t len, char **id);

#endif
