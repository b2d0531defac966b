# Build fragment included by Makefile.am: the real SeaBIOS booted on the
# full board (skipped when the seabios package is absent).
tests_unit_SOURCES += tests/test_seabios.c
