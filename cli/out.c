/* Where things go: logs and errors to stderr (text or JSON lines), exit codes from snap codes. */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int exit_code(snap_code code)
{
	static const int map[] = {
	    [SNAP_OK] = 0,
	    [SNAP_ERR_USAGE] = EXIT_USAGE,
	    [SNAP_ERR_INPUT] = EXIT_DATAERR,
	    [SNAP_ERR_NOT_FOUND] = EXIT_NOINPUT,
	    [SNAP_ERR_UNAVAILABLE] = EXIT_UNAVAILABLE,
	    [SNAP_ERR_TEMPORARY] = EXIT_TEMPFAIL,
	    [SNAP_ERR_CONFIG] = EXIT_CONFIG,
	    [SNAP_ERR_INTERNAL] = EXIT_SOFTWARE,
	};

	return (unsigned)code < sizeof(map) / sizeof(map[0]) ? map[code] : EXIT_SOFTWARE;
}

static const char *const level_names[] = {"error", "warning", "info", "debug"};

/* A progress line is on stderr (a terminal) until cleared. */
static int progress_shown;

void progress_clear(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

static void progress_show(const char *what, long done, void *data)
{
	const struct invocation *inv = data;

	fprintf(stderr, "\r\033[Ksnapctl %s: %ld %s", inv->cmd->name, done, what);
	fflush(stderr);
	progress_shown = 1;
}

/* Whether stderr is the journal (systemd sets JOURNAL_STREAM to its device:inode): then each
 * line starts with its syslog priority, <3> for an error, which journald keeps as the level. */
static int to_journal(void)
{
	static int known, yes;
	const char *v;
	struct stat st;
	unsigned long long dev, ino;

	if (!known) {
		known = 1;
		v = getenv("JOURNAL_STREAM");
		yes = v && sscanf(v, "%llu:%llu", &dev, &ino) == 2 &&
		      fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
		      (unsigned long long)st.st_ino == ino;
	}
	return yes;
}

/* One log line on stderr; in JSON, with the run's counts when given. */
static void log_line(const struct invocation *inv, snap_log_level level, const char *message,
                     struct json_object *counts)
{
	const char *cmd = inv && inv->cmd ? inv->cmd->name : "snapctl";
	struct json_object *o;
	char when[32];
	time_t now;

	static const char *const priority[] = {"<3>", "<4>", "<6>", "<7>"};

	progress_clear();
	if (to_journal())
		fputs(priority[level], stderr);
	if (inv && inv->log_format == LOG_JSON) {
		now = time(NULL);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		o = json_object_new_object();
		json_object_object_add(o, "time", json_object_new_string(when));
		json_object_object_add(o, "level", json_object_new_string(level_names[level]));
		json_object_object_add(o, "cmd", json_object_new_string(cmd));
		json_object_object_add(o, "msg", json_object_new_string(message));
		if (counts)
			json_object_object_add(o, "counts", json_object_get(counts));
		fprintf(stderr, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else if (level <= SNAP_LOG_WARN) {
		fprintf(stderr, "snapctl: %s: %s\n", level_names[level], message);
	} else {
		fprintf(stderr, "snapctl: %s\n", message);
	}
}

void log_msg(snap_log_level level, const char *message, void *data)
{
	log_line(data, level, message, NULL);
}

void log_setup(struct invocation *inv, snap_config *cfg)
{
	cfg->log = log_msg;
	cfg->log_data = inv;
	/* Progress only for a person watching: stderr a terminal, text logs, not --quiet. */
	if (isatty(STDERR_FILENO) && inv->log_format == LOG_TEXT && !inv->opt[OPT_QUIET]) {
		cfg->progress = progress_show;
		cfg->progress_data = inv;
	}
	cfg->log_max = inv->opt[OPT_QUIET] ? SNAP_LOG_ERROR
	               : inv->verbose >= 2 ? SNAP_LOG_DEBUG
	               : inv->verbose      ? SNAP_LOG_INFO
	                                   : SNAP_LOG_WARN;
}

/* fmt and ap as one log line at level. */
static void say(struct invocation *inv, snap_log_level level, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	log_msg(level, line, inv);
}

int fail(struct invocation *inv, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(inv, SNAP_LOG_ERROR, fmt, ap);
	va_end(ap);
	return code;
}

void warn(struct invocation *inv, const char *fmt, ...)
{
	va_list ap;

	if (!inv->opt[OPT_QUIET]) {
		va_start(ap, fmt);
		say(inv, SNAP_LOG_WARN, fmt, ap);
		va_end(ap);
	}
}

/* The library names the problem; the tool says how to put it right in its own words. */
int fail_snap(struct invocation *inv, const snap_error *err)
{
	static const char *const remedies[] = {
	    [SNAP_REMEDY_NONE] = "",
	    [SNAP_REMEDY_INIT_DB] = " (run 'snapctl init-db')",
	    [SNAP_REMEDY_FIX_DUPLICATES] =
	        "; 'snapctl init-db --fix-duplicates' keeps the newest of each",
	    [SNAP_REMEDY_PG_URI] = " (--pg or SNAPCTL_PG_URI)",
	    [SNAP_REMEDY_MONGO_URI] = " (--mongo or SNAPCTL_MONGO_URI)",
	    [SNAP_REMEDY_UPGRADE] = ": upgrade snapctl",
	};
	unsigned r = (unsigned)err->remedy;

	return fail(inv, exit_code(err->code), "%s%s", err->message,
	            r < sizeof(remedies) / sizeof(remedies[0]) ? remedies[r] : "");
}

int human_output(const struct invocation *inv)
{
	return !inv->opt[OPT_JSON] && !inv->opt[OPT_QUIET];
}

snap_code set_error(snap_error *err, snap_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->remedy = SNAP_REMEDY_NONE;
	return err->code = code;
}

int finish_run(struct invocation *inv, const char *job, const snap_tally *t,
               struct json_object *details, snap_code rc, const snap_error *err)
{
	int dry_run = (inv->run.flags & SNAP_DRY_RUN) != 0;
	struct json_object *o;
	char line[512];
	size_t i, len;
	const char *p;

	progress_clear();
	o = json_object_new_object();
	len = (size_t)snprintf(line, sizeof(line), "%s", dry_run ? "dry run: " : "");
	for (i = 0; i < t->n; i++) {
		json_object_object_add(o, t->counts[i].name,
		                       json_object_new_int64(t->counts[i].value));
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%ld ", i ? ", " : "",
		                        t->counts[i].value);
		for (p = t->counts[i].name; *p && len < sizeof(line) - 1; p++)
			line[len++] = *p == '_' ? ' ' : *p;
		line[len] = '\0';
	}
	snprintf(line + len, sizeof(line) - len, " (%ld ms)", t->duration_ms);
	json_object_object_add(o, "duration_ms", json_object_new_int64(t->duration_ms));
	if (!dry_run && job && inv->metrics_file &&
	    metrics_write(inv->metrics_file, job, t, rc == SNAP_OK && !t->partial) != 0)
		warn(inv, "cannot write the metrics file %.200s", inv->metrics_file);
	/* The library recorded the run, whatever ended it (monitoring tells the truth); the
	 * summary of what was done goes out when the run stopped for a reason outside it. */
	if (rc != SNAP_OK && rc != SNAP_ERR_UNAVAILABLE && rc != SNAP_ERR_TEMPORARY) {
		json_object_put(o);
		return fail_snap(inv, err);
	}
	/* JSON logs with --verbose carry the counts too, for log pipelines. */
	if (inv->verbose && inv->log_format == LOG_JSON && !inv->opt[OPT_QUIET])
		log_line(inv, SNAP_LOG_INFO, line, o);
	if (dry_run)
		json_object_object_add(o, "dry_run", json_object_new_boolean(1));
	if (details)
		json_object_object_add(o, "details", json_object_get(details));
	if (inv->opt[OPT_JSON])
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else if (human_output(inv))
		printf("%s\n", line);
	json_object_put(o);
	if (rc != SNAP_OK)
		return fail_snap(inv, err);
	return t->partial ? EXIT_PARTIAL : 0;
}
