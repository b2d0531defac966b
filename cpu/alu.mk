# Build fragment included by Makefile.am: data movement, arithmetic, logic, flag instructions.
# Add sources with libpopek_a_SOURCES += ..., unit tests with tests_unit_SOURCES += ...
libpopek_a_SOURCES += cpu/ops_alu.c cpu/ops_mov.c cpu/ops_flags.c
tests_unit_SOURCES += tests/test_alu.c tests/test_mov.c
