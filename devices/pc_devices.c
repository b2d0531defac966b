/* The chips of the PC board, in the order the board creates them: the
 * interrupt controller first, since the others take its lines. */
#include "devices/machine.h"
#include "devices/pci.h"

const struct device_class *const pc_device_classes[] = {
	&pci_bus_class,
	NULL,
};
