# Build fragment included by Makefile.am: 8259A PIC pair, 8254 PIT, port 0x61.
# Add sources with libpopek_a_SOURCES += ..., unit tests with tests_unit_SOURCES += ...
libpopek_a_SOURCES += devices/pic.h devices/pic.c devices/pit.h devices/pit.c
tests_unit_SOURCES += tests/test_pic.c tests/test_pit.c
