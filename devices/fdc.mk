# Build fragment included by Makefile.am: 82077AA floppy controller, disk
# images (raw, read-only, copy-on-write overlay) and their command-line options.
libpopek_a_SOURCES += devices/fdc.h devices/fdc.c
libpopekfe_a_SOURCES += frontend/image.h frontend/image.c
tests_unit_SOURCES += tests/test_fdc.c tests/test_image.c
libpopekfe_a_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
