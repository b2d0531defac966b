/*
 * PIIX3 south bridge at PCI 00:01: ISA bridge with PIRQ routing and the 0xCF9
 * reset register (.0), IDE configuration space (.1), PIIX4-style power
 * management with the PM timer and S5 power-off (.3). Needs "pci"; PCI
 * devices raise their INTx pins with pci_set_irq().
 */
#ifndef POPEK_PIIX3_H
#define POPEK_PIIX3_H

#include "devices/device.h"

extern const struct device_class piix3_class;

struct machine;
struct pci_device;
/* Function 00:01.1 for the IDE controller (ide.c), which takes over its
 * opaque and bar_mapped hooks; NULL when the machine has no PIIX3. */
struct pci_device *piix3_ide_function(struct machine *m);

#endif
