# Build fragment included by Makefile.am: robustness suites that treat the
# guest as hostile (random port I/O on the full PC, random code with the
# devices present, the decoder on every short byte string).
tests_unit_SOURCES += tests/fuzz_util.h tests/fuzz_util.c tests/test_fuzz_io.c \
	tests/test_fuzz_code.c tests/test_fuzz_decode.c
