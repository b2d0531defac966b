# Build fragment included by Makefile.am: protected mode: descriptors, gates, tasks, paging, v86.
# Add sources with libpopek_a_SOURCES += ..., unit tests with tests_unit_SOURCES += ...
libpopek_a_SOURCES += cpu/debug.h cpu/debug.c cpu/desc.h cpu/desc.c cpu/task.h cpu/task.c cpu/prot_seg.c \
	cpu/prot_far.c cpu/prot_iret.c cpu/prot_io.c cpu/ops_prot.c
tests_unit_SOURCES += tests/prot_util.h tests/prot_util.c tests/test_prot_seg.c tests/test_prot_far.c tests/test_prot_int.c tests/test_v86.c tests/test_task.c tests/test_debug.c tests/test_paging.c
