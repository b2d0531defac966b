# Build fragment included by Makefile.am: VGA.
# Add sources with libpopek_a_SOURCES += ..., unit tests with tests_unit_SOURCES += ...
libpopek_a_SOURCES += devices/vga.h devices/vga_state.h devices/vga.c devices/vga_text.c devices/vga_pci.c
libpopekfe_a_SOURCES += frontend/screen_dump.h frontend/screen_dump.c
tests_unit_SOURCES += tests/test_vga.c
