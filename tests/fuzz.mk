# Build fragment included by Makefile.am: robustness suites that treat the
# guest as hostile (the decoder on every short byte string).
tests_unit_SOURCES += tests/test_fuzz_decode.c
