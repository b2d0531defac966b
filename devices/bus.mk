# Build fragment included by Makefile.am: PCI bus, i440FX, PIIX3, 16550A UARTs, 8237 DMA.
# Add sources with libpopek_a_SOURCES += ..., unit tests with tests_unit_SOURCES += ...
libpopek_a_SOURCES += devices/pci.h devices/pci.c
libpopek_a_SOURCES += devices/i440fx.h devices/i440fx.c devices/piix3.h devices/piix3.c
libpopek_a_SOURCES += devices/uart.h devices/uart.c
libpopek_a_SOURCES += devices/dma.h devices/dma.c
tests_unit_SOURCES += tests/bus_util.h tests/bus_util.c tests/test_pci.c tests/test_chipset.c tests/test_uart.c tests/test_dma.c
