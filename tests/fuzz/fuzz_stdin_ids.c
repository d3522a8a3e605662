/* Ids on standard input, line by line as getline() hands them over (NULs included): only a
 * line that is one UUID with blanks around it is an id; a blank line is skipped; anything else
 * is an error. */
#include "fuzz.h"
#include "parse.h"
#include "snapshot.h"

static int blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0, n, i;
	char *line, *id;
	int kind;

	while (at < size) {
		for (n = 0; at + n < size;)
			if (data[at + n++] == '\n')
				break;
		if (!(line = malloc(n + 1)))
			return 0;
		memcpy(line, data + at, n);
		line[n] = '\0';
		kind = parse_id_line(line, n, &id);
		if (kind == 1) {
			const uint8_t *raw = data + at;
			size_t lead = 0;

			CHECK(snap_uuid_valid(id) && strlen(id) == 36);
			while (lead < n && (raw[lead] == ' ' || raw[lead] == '\t'))
				lead++;
			CHECK(lead + 36 <= n && !memcmp(raw + lead, id, 36));
			for (i = lead + 36; i < n; i++)
				CHECK(blank(raw[i]));
		} else if (kind == 0) {
			for (i = 0; i < n; i++)
				CHECK(blank(data[at + i]));
		} else {
			CHECK(kind == -1);
		}
		free(line);
		at += n;
	}
	return 0;
}
