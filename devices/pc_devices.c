/* The chips of the PC board, in the order the board creates them: the
 * interrupt controller first, since the others take its lines. */
#include "devices/dma.h"
#include "devices/i440fx.h"
#include "devices/machine.h"
#include "devices/pci.h"
#include "devices/piix3.h"
#include "devices/uart.h"

const struct device_class *const pc_device_classes[] = {
	&pci_bus_class,
	&i440fx_class,
	&piix3_class,
	&uart_class,
	&dma_class,
	NULL,
};
