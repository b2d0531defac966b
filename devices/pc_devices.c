/* The chips of the PC board, in the order the board creates them: the
 * interrupt controller first, since the others take its lines; the PCI bus
 * before the functions on it. */
#include "devices/dma.h"
#include "devices/fdc.h"
#include "devices/fw_cfg.h"
#include "devices/i440fx.h"
#include "devices/i8042.h"
#include "devices/ide.h"
#include "devices/machine.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "devices/piix3.h"
#include "devices/pit.h"
#include "devices/port92.h"
#include "devices/rtc.h"
#include "devices/uart.h"
#include "devices/vga.h"

const struct device_class *const pc_device_classes[] = {
	&pic_device_class,
	&pit_device_class,
	&pci_bus_class,
	&i440fx_class,
	&piix3_class,
	&ide_class,
	&vga_class,
	&rtc_class,
	&i8042_class,
	&port92_class,
	&uart_class,
	&dma_class,
	&fdc_class,
	&fw_cfg_class,
	NULL,
};
