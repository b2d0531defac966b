/* Crash reports for the fuzz suites (see fuzz_util.h). */
#define _GNU_SOURCE /* RTLD_DEFAULT, RTLD_NOLOAD */
#include "tests/fuzz_util.h"

#include <dlfcn.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* A signal handler can reach nothing else: this one record is the only
 * state, and only these test suites write it. */
static struct {
	const char *what;
	volatile uint32_t seed, step;
} where;

static void put(const char *s) { (void)!write(2, s, strlen(s)); }

static void put_u32(uint32_t v)
{
	char b[11];
	unsigned i = sizeof(b);
	b[--i] = 0;
	do
		b[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i);
	put(b + i);
}

static void report(void)
{
	put("\nfuzz: died in ");
	put(where.what ? where.what : "?");
	put(" at seed ");
	put_u32(where.seed);
	put(" step ");
	put_u32(where.step);
	put("\n");
}

static void on_fatal(int sig)
{
	report();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The sanitizers end the process with _exit, not a signal; their death
 * callback is the one hook left. GCC links ASan and UBSan as two runtimes,
 * each with its own callback, so both are looked up by name (neither is
 * present in the normal build). */
static void hook_death(void *lib)
{
	void (*set_cb)(void (*)(void));
	*(void **)&set_cb = dlsym(lib, "__sanitizer_set_death_callback");
	if (set_cb)
		set_cb(report);
}

void fuzz_where_init(const char *what)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	where.what = what;
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal);
	hook_death(RTLD_DEFAULT);
	void *ubsan = dlopen("libubsan.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (ubsan) {
		hook_death(ubsan);
		dlclose(ubsan);
	}
}

void fuzz_where(uint32_t seed, uint32_t step)
{
	where.seed = seed;
	where.step = step;
}
