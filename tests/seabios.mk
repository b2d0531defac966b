# Build fragment included by Makefile.am: SeaBIOS integration, QEMU's fw_cfg
# device and the real SeaBIOS booted on the full board (that test is
# skipped when the seabios package is absent).
libpopek_a_SOURCES += devices/fw_cfg.h devices/fw_cfg.c
tests_unit_SOURCES += tests/test_fw_cfg.c
tests_unit_SOURCES += tests/test_seabios.c
tests_unit_SOURCES += tests/test_board.c
