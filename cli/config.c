/* Settings: flags, then environment, then the config file, then defaults.
 * The file holds `key = value` lines; '#' starts a comment line. A key COMMAND.OPTION (e.g.
 * sync-all.batch-size) sets an option of that command that takes a value, as typed after it. Like
 * libpq with .pgpass, a file that holds a secret (a password, a key password, a token) must not be
 * readable by group or others (group: unless root owns it). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"

#define SYSTEM_CONFIG "/etc/snapctl/snapctl.conf"

struct file_settings {
	char *pg_uri;
	char *mongo_uri;
	char *mongo_db;
	char *log_format;
	char *metrics_file;
	int batch_size;
	int pest_event_limit;
	int lease_seconds;
	int max_attempts;
};

/* The numeric keys and their ranges. */
static const struct int_key {
	const char *name;
	int lo, hi;
	size_t offset;
} int_keys[] = {
    {"batch_size", 1, 100000, offsetof(struct file_settings, batch_size)},
    {"pest_event_limit", 1, 10000, offsetof(struct file_settings, pest_event_limit)},
    {"lease_seconds", 1, 86400, offsetof(struct file_settings, lease_seconds)},
    {"max_attempts", 1, 1000, offsetof(struct file_settings, max_attempts)},
};

static int parse_int(const char *s, int lo, int hi, int *out)
{
	long n;

	if (!parse_count(s, lo, hi, &n))
		return -1;
	*out = (int)n;
	return 0;
}

/* COMMAND.OPTION = value: checked whatever the command, taken for this one unless typed. */
static int set_cmd_key(struct invocation *inv, const char *where, const char *key, const char *val)
{
	const char *dot = strchr(key, '.');
	const struct cmd *c;
	const struct use *u;
	const struct opt *o = NULL;
	char name[32], must[160];
	long count;
	double seconds;
	size_t i;

	snprintf(name, sizeof(name), "%.*s", (int)(dot - key), key);
	c = cmd_find(name);
	for (i = 0; c && !o && (u = cmd_use(c, i)); i++)
		if (!strcmp(opt_find(u->id)->name, dot + 1))
			o = opt_find(u->id);
	if (!o || o->type == V_FLAG)
		return fail(inv, EXIT_CONFIG, "%s: unknown key '%.40s'", where, key);
	if (!opt_parse(o, val, &count, &seconds)) {
		opt_must(o, must, sizeof(must));
		return fail(inv, EXIT_CONFIG, "%s: %s must be %s", where, key, must);
	}
	if (c == inv->cmd && (!inv->opt[o->id] || inv->owned[o->id])) {
		free(inv->owned[o->id]);
		if (!(inv->owned[o->id] = strdup(val)))
			return fail(inv, EXIT_SOFTWARE, "out of memory");
		inv->opt[o->id] = inv->owned[o->id];
	}
	return 0;
}

static int set_key(struct invocation *inv, const char *path, int lineno, const char *key,
                   const char *val, struct file_settings *fs)
{
	char where[1100];
	char **text = !strcmp(key, "pg_uri")         ? &fs->pg_uri
	              : !strcmp(key, "mongo_uri")    ? &fs->mongo_uri
	              : !strcmp(key, "mongo_db")     ? &fs->mongo_db
	              : !strcmp(key, "metrics_file") ? &fs->metrics_file
	                                             : NULL;
	size_t i;

	if (strchr(key, '.')) {
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		return set_cmd_key(inv, where, key, val);
	}
	for (i = 0; i < sizeof(int_keys) / sizeof(int_keys[0]); i++) {
		const struct int_key *k = &int_keys[i];

		if (strcmp(key, k->name) != 0)
			continue;
		if (parse_int(val, k->lo, k->hi, (int *)((char *)fs + k->offset)))
			return fail(inv, EXIT_CONFIG, "%s:%d: %s must be %d to %d", path, lineno,
			            k->name, k->lo, k->hi);
		return 0;
	}
	if (text) {
		free(*text);
		*text = strdup(val);
	} else if (!strcmp(key, "log_format")) {
		if (strcmp(val, "text") != 0 && strcmp(val, "json") != 0)
			return fail(inv, EXIT_CONFIG, "%s:%d: log_format must be text or json",
			            path, lineno);
		free(fs->log_format);
		fs->log_format = strdup(val);
	} else {
		return fail(inv, EXIT_CONFIG, "%s:%d: unknown key '%.40s'", path, lineno, key);
	}
	return 0;
}

static int read_file(struct invocation *inv, const char *path, struct file_settings *fs)
{
	FILE *f = fopen(path, "r");
	char line[2048], *key, *val;
	struct stat st;
	int lineno = 0, rc = 0;

	if (!f)
		return fail(inv, EXIT_CONFIG, "cannot read config file '%s': %s", path,
		            strerror(errno));
	while (!rc && fgets(line, sizeof(line), f)) {
		lineno++;
		switch (parse_config_line(line, &key, &val)) {
		case 0:
			break;
		case 1:
			rc = set_key(inv, path, lineno, key, val, fs);
			break;
		default:
			rc = fail(inv, EXIT_CONFIG, "%s:%d: expected 'key = value'", path, lineno);
		}
	}
	/* Parsed only when the file is open to others: the usual 0600 costs nothing. A file of
	 * root's may be open to its group: root chose who reads it (the package's is 0640, group
	 * snapctl, for the timers' user). */
	if (!rc && fstat(fileno(f), &st) == 0 &&
	    ((st.st_mode & S_IRWXO) || ((st.st_mode & S_IRWXG) && st.st_uid != 0)) &&
	    (snap_pg_uri_has_secret(fs->pg_uri) || snap_mongo_uri_has_secret(fs->mongo_uri)))
		rc = fail(inv, EXIT_CONFIG,
		          "config file '%s' holds a secret and is readable by group or others; "
		          "chmod 600 it",
		          path);
	fclose(f);
	return rc;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* A secret given as an option is in the process list and the shell's history. */
static void warn_exposed(struct invocation *inv)
{
	if (inv->opt[OPT_PG] && snap_pg_uri_has_secret(inv->opt[OPT_PG]))
		warn(inv, "--pg holds a password, which other users can see in the process list; "
		          "use SNAPCTL_PG_URI, the config file or ~/.pgpass");
	if (inv->opt[OPT_MONGO] && snap_mongo_uri_has_secret(inv->opt[OPT_MONGO]))
		warn(inv, "--mongo holds a secret, which other users can see in the process list; "
		          "use SNAPCTL_MONGO_URI or the config file");
}

/* The config file: --config, else SNAPCTL_CONFIG, else the system's when this user may read
 * it (a user of their own settings is not stopped by the file of the timers' user). */
static const char *config_path(const struct invocation *inv)
{
	const char *path = inv->opt[OPT_CONFIG] ? inv->opt[OPT_CONFIG] : env("SNAPCTL_CONFIG");

	if (!path && access(SYSTEM_CONFIG, R_OK) == 0)
		path = SYSTEM_CONFIG;
	return path;
}

int config_resolve(struct invocation *inv)
{
	const char *path = config_path(inv);
	const char *uri, *db, *metrics;
	struct file_settings fs = {0};
	int rc = 0;

	if (path && (rc = read_file(inv, path, &fs)) != 0)
		goto out;
	uri = inv->opt[OPT_PG] ? inv->opt[OPT_PG] : env("SNAPCTL_PG_URI");
	if (!uri)
		uri = fs.pg_uri;
	if (uri && !(inv->pg_uri = strdup(uri))) {
		rc = fail(inv, EXIT_SOFTWARE, "out of memory");
		goto out;
	}
	uri = inv->opt[OPT_MONGO] ? inv->opt[OPT_MONGO] : env("SNAPCTL_MONGO_URI");
	if (!uri)
		uri = fs.mongo_uri;
	db = inv->opt[OPT_MONGO_DB] ? inv->opt[OPT_MONGO_DB] : env("SNAPCTL_MONGO_DB");
	if (!db)
		db = fs.mongo_db;
	if ((uri && !(inv->mongo_uri = strdup(uri))) || (db && !(inv->mongo_db = strdup(db)))) {
		rc = fail(inv, EXIT_SOFTWARE, "out of memory");
		goto out;
	}
	metrics = inv->opt[OPT_METRICS_FILE] ? inv->opt[OPT_METRICS_FILE] : fs.metrics_file;
	if (metrics && !(inv->metrics_file = strdup(metrics))) {
		rc = fail(inv, EXIT_SOFTWARE, "out of memory");
		goto out;
	}
	if (!inv->opt[OPT_LOG_FORMAT] && fs.log_format)
		inv->log_format = strcmp(fs.log_format, "json") ? LOG_TEXT : LOG_JSON;
	/* batch_size: every command's, unless its own is typed or set */
	if (fs.batch_size && inv->cmd && cmd_uses(inv->cmd, OPT_BATCH_SIZE) &&
	    !inv->opt[OPT_BATCH_SIZE]) {
		char n[16];

		snprintf(n, sizeof(n), "%d", fs.batch_size);
		if (!(inv->owned[OPT_BATCH_SIZE] = strdup(n))) {
			rc = fail(inv, EXIT_SOFTWARE, "out of memory");
			goto out;
		}
		inv->opt[OPT_BATCH_SIZE] = inv->owned[OPT_BATCH_SIZE];
	}
	inv->pest_event_limit = fs.pest_event_limit;
	inv->lease_seconds = fs.lease_seconds;
	inv->max_attempts = fs.max_attempts;
	warn_exposed(inv);
out:
	free(fs.pg_uri);
	free(fs.mongo_uri);
	free(fs.mongo_db);
	free(fs.log_format);
	free(fs.metrics_file);
	return rc;
}
