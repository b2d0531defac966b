# Build fragment included by Makefile.am: SingleStepTests MOO reader and runner.
# tests/singlestep runs MOO files or directories; the unit tests run the
# 80286 suite in ../shared/testdata when it is there.
SS_SOURCES = tests/moo.h tests/moo.c tests/ss_run.h tests/ss_run.c tests/ss_meta.c \
	tests/ss_skip.c

check_PROGRAMS += tests/singlestep
tests_singlestep_SOURCES = tests/singlestep.c $(SS_SOURCES)
tests_singlestep_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
tests_singlestep_LDADD = libpopekfe.a libpopek.a $(ZLIB_LIBS)

tests_unit_SOURCES += $(SS_SOURCES) tests/test_moo.c tests/test_singlestep.c tests/test_ipwrap.c
tests_unit_CFLAGS += $(ZLIB_CFLAGS) -DSHARED_TESTDATA='"$(abs_top_srcdir)/../shared/testdata"'
