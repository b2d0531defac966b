# Build fragment included by Makefile.am: MC146818 RTC/CMOS, 8042 keyboard controller, port 0x92.
# Add sources with libpopek_a_SOURCES += ..., unit tests with tests_unit_SOURCES += ...
libpopek_a_SOURCES += devices/rtc.h devices/rtc.c
tests_unit_SOURCES += tests/test_rtc.c
tests_unit_SOURCES += tests/devtm.h tests/devtm.c
libpopek_a_SOURCES += devices/port92.h devices/port92.c
tests_unit_SOURCES += tests/test_port92.c
libpopek_a_SOURCES += devices/i8042.h devices/i8042.c
tests_unit_SOURCES += tests/test_i8042.c
