/* Command-line options that are not about disks (those are in test_image.c). */
#include <criterion/criterion.h>
#include <time.h>

#include "frontend/options.h"

static int parse(struct options *o, char **argv, int argc, char *err)
{
	return options_parse(o, argc, argv, err, 256);
}

Test(options, rtc_defaults_to_2000_01_01_for_reproducible_runs)
{
	struct options o;
	char err[256];
	char *argv[] = { "popek", "--headless" };
	cr_assert_eq(parse(&o, argv, 2, err), 0);
	cr_assert_eq(o.rtc_start, 0, "0 means 2000-01-01 00:00:00 to the RTC");
}

Test(options, rtc_fixed_date_is_utc_seconds)
{
	struct options o;
	char err[256];
	char *argv[] = { "popek", "--rtc", "base=2006-06-17T16:01:21" };
	cr_assert_eq(parse(&o, argv, 3, err), 0, "%s", err);
	cr_assert_eq(o.rtc_start, 1150560081); /* date -u -d 2006-06-17T16:01:21 +%s */
}

Test(options, rtc_utc_follows_the_host_clock)
{
	struct options o;
	char err[256];
	char *argv[] = { "popek", "--rtc", "base=utc" };
	int64_t before = (int64_t)time(NULL);
	cr_assert_eq(parse(&o, argv, 3, err), 0, "%s", err);
	cr_assert(o.rtc_start >= before && o.rtc_start <= (int64_t)time(NULL));
}

Test(options, rtc_bad_values_give_one_line)
{
	static const char *bad[] = { "base=yesterday", "base=2006-13-01T00:00:00",
				     "base=2006-06-17T16:01:21Z", "base=1969-12-31T23:59:59" };
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct options o;
		char err[256] = "";
		char *argv[] = { "popek", "--rtc", (char *)bad[k] };
		cr_assert_eq(parse(&o, argv, 3, err), -1, "%s accepted", bad[k]);
		cr_assert(strstr(err, "--rtc") && !strchr(err, '\n'), "%s", err);
	}
}
