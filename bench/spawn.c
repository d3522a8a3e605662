/* Times a command run once per line of a file: "{}" in its arguments becomes the line.
 * Prints the median and the 90th percentile of the wall times in milliseconds.
 * Usage: spawn IDS_FILE COMMAND [ARGS...] */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	FILE *f = argc > 2 ? fopen(argv[1], "r") : NULL;
	char line[128], **args;
	double ms[10000];
	int n = 0, i, status;

	if (!f) {
		fprintf(stderr, "usage: spawn IDS_FILE COMMAND [ARGS...]\n");
		return 64;
	}
	args = calloc((size_t)argc, sizeof(*args));
	while (n < 10000 && fgets(line, sizeof(line), f)) {
		struct timespec t0, t1;
		pid_t pid;

		line[strcspn(line, "\n")] = '\0';
		for (i = 2; i < argc; i++)
			args[i - 2] = strcmp(argv[i], "{}") ? argv[i] : line;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (posix_spawnp(&pid, args[0], NULL, NULL, args, environ) != 0 ||
		    waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "spawn: %s %s failed\n", args[0], line);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[n++] =
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	fclose(f);
	free(args);
	if (!n)
		return 1;
	qsort(ms, (size_t)n, sizeof(ms[0]), cmp);
	printf("%.2f %.2f\n", ms[n / 2], ms[(n * 9) / 10]);
	return 0;
}
