# Build fragment included by Makefile.am: PIIX3 IDE controller, ATA disks, ATAPI CD-ROM.
libpopek_a_SOURCES += devices/ide.h devices/ide.c devices/ata.c devices/atapi.c
tests_unit_SOURCES += tests/ide_util.h tests/ide_util.c tests/test_ide.c tests/test_atapi.c
