# Build fragment included by Makefile.am: shift, multiply/divide, BCD, bit, SETcc/CMOVcc, atomic instructions.
# Add sources with libpopek_a_SOURCES += ..., unit tests with tests_unit_SOURCES += ...
libpopek_a_SOURCES += cpu/alu2_operand.h cpu/ops_shift.c cpu/ops_muldiv.c cpu/ops_bcd.c cpu/ops_bit.c cpu/ops_ext.c
tests_unit_SOURCES += tests/alu2_tm.h tests/test_shift.c tests/test_muldiv.c tests/test_bcd.c tests/test_bit.c tests/test_ext.c
