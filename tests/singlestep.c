/*
 * tests/singlestep FILE|DIR...: run SingleStepTests MOO files (see
 * ss_run.h). metadata.json and revocation_list.txt are read from the
 * directory of each file. Prints one line per failing test and ends with
 * "N passed, M failed" (", K skipped" when some were skipped); -s also
 * prints, to stderr, the failure count of each file that has failures and
 * the skip count of each reason. Exit status 0 when nothing failed.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/ss_run.h"

struct suite_cache {
	struct ss_suite suite;
	char dir[4096];
	bool loaded;
};

/* The suite of path's directory, reloaded when the directory changes. */
static struct ss_suite *suite_for(struct suite_cache *sc, const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	const char *dir = dirname(copy);
	if (sc->loaded && !strcmp(sc->dir, dir))
		return &sc->suite;
	if (sc->loaded)
		ss_suite_free(&sc->suite);
	sc->loaded = false;
	char err[512];
	if (ss_suite_init(&sc->suite, dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "singlestep: %s\n", err);
		return NULL;
	}
	snprintf(sc->dir, sizeof(sc->dir), "%s", dir);
	sc->loaded = true;
	return &sc->suite;
}

static void run_path(struct suite_cache *sc, const char *path, struct ss_totals *tot,
		     bool summary)
{
	struct ss_suite *s = suite_for(sc, path);
	if (!s) {
		printf("%s: no usable metadata.json beside it\n", path);
		tot->failed++;
		return;
	}
	long failed = ss_run_file(s, path, tot, stdout);
	if (summary && failed > 0)
		fprintf(stderr, "%s: %ld failed\n", path, failed);
}

int main(int argc, char **argv)
{
	struct suite_cache sc = { .loaded = false };
	struct ss_totals tot = { 0 };
	bool summary = false;
	int first = 1;
	if (argc > 1 && !strcmp(argv[1], "-s")) {
		summary = true;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-s] FILE.MOO.gz|DIR...\n", argv[0]);
		return 2;
	}
	for (int a = first; a < argc; a++) {
		struct stat st;
		if (stat(argv[a], &st) == 0 && S_ISDIR(st.st_mode)) {
			size_t n;
			char **names = ss_list_dir(argv[a], &n);
			for (size_t k = 0; k < n; k++)
				run_path(&sc, names[k], &tot, summary);
			ss_free_list(names, n);
		} else {
			run_path(&sc, argv[a], &tot, summary);
		}
	}
	if (sc.loaded)
		ss_suite_free(&sc.suite);
	for (unsigned r = 0; summary && r < SS_MAX_REASONS && tot.reason[r][0]; r++)
		fprintf(stderr, "skipped %lu: %s\n", tot.by_reason[r], tot.reason[r]);
	printf("%lu passed, %lu failed", tot.passed, tot.failed);
	if (tot.skipped)
		printf(", %lu skipped", tot.skipped);
	printf("\n");
	return tot.failed ? 1 : 0;
}
