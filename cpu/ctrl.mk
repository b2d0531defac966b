# Build fragment included by Makefile.am: control transfer, stack, string, I/O, segment and system instructions.
# Add sources with libpopek_a_SOURCES += ..., unit tests with tests_unit_SOURCES += ...
libpopek_a_SOURCES += cpu/ops_stack.c cpu/ops_ctrl.c cpu/ops_string.c cpu/ops_io.c \
	cpu/ops_seg.c cpu/ops_sys.c
tests_unit_SOURCES += tests/ctrl_direct.h tests/test_ctrl.c tests/test_stack.c tests/test_string.c \
	tests/test_io.c tests/test_sys.c
