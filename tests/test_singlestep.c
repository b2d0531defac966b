/* The SingleStepTests 80286 suite (hardware captures, 16,250 tests) and the
 * runner's comparison and skip rules on hand-made tests. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/ss_run.h"

#define SUITE_DIR SHARED_TESTDATA "/singlestep-80286"
#define SHOWN_FAILURES 200

static void show_failures(FILE *log)
{
	char line[2048];
	unsigned n = 0;
	rewind(log);
	while (fgets(line, sizeof(line), log))
		if (n++ < SHOWN_FAILURES)
			fputs(line, stderr);
	if (n > SHOWN_FAILURES)
		fprintf(stderr, "... and %u more failing tests\n", n - SHOWN_FAILURES);
}

Test(singlestep, hardware_suite_80286_passes, .timeout = 300)
{
	struct stat st;
	if (stat(SUITE_DIR, &st) != 0)
		cr_skip_test("%s is absent", SUITE_DIR);
	struct ss_suite *s = calloc(1, sizeof(*s));
	char err[512];
	cr_assert_eq(ss_suite_init(s, SUITE_DIR, err, sizeof(err)), 0, "%s", err);
	size_t n;
	char **names = ss_list_dir(SUITE_DIR, &n);
	cr_assert_gt(n, 0, "no .MOO.gz files in %s", SUITE_DIR);
	FILE *log = tmpfile();
	cr_assert_not_null(log);
	struct ss_totals tot = { 0 };
	for (size_t k = 0; k < n; k++)
		ss_run_file(s, names[k], &tot, log);
	show_failures(log);
	fclose(log);
	ss_free_list(names, n);
	ss_suite_free(s);
	free(s);
	fprintf(stderr, "singlestep-80286: %lu passed, %lu failed, %lu skipped\n", tot.passed,
		tot.failed, tot.skipped);
	for (unsigned r = 0; r < SS_MAX_REASONS && tot.reason[r][0]; r++)
		fprintf(stderr, "  skipped %lu: %s\n", tot.by_reason[r], tot.reason[r]);
	cr_expect_gt(tot.passed, 10000);
	cr_assert_eq(tot.failed, 0, "%lu of %lu tests failed", tot.failed,
		     tot.passed + tot.failed + tot.skipped);
}
