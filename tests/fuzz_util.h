/*
 * Shared by the robustness (fuzz) suites: where the fuzzer is (suite, seed,
 * step), printed to stderr if the test process dies on a signal (a crash, or
 * the abort AddressSanitizer and UBSan end with), so a failure can be
 * replayed from its seed.
 */
#ifndef POPEK_TESTS_FUZZ_UTIL_H
#define POPEK_TESTS_FUZZ_UTIL_H

#include <stdint.h>

/* Install the report handlers (once per process; cheap to call again). */
void fuzz_where_init(const char *what);
void fuzz_where(uint32_t seed, uint32_t step);

#endif
