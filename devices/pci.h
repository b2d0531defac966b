/*
 * PCI bus 0 with configuration mechanism #1 (ports 0xCF8/0xCFC-0xCFF; PCI
 * Local Bus Specification 2.1, 3.7.4.1). Devices own a 256-byte configuration
 * space; the bus handles BAR sizing and placement generically and tells the
 * device when a BAR (or its expansion ROM) is mapped, moved or disabled.
 */
#ifndef POPEK_PCI_H
#define POPEK_PCI_H

#include "mem/types.h"

struct machine;
struct pci_bus;

#define PCI_BAR_ROM 6 /* index of the expansion-ROM BAR (config offset 0x30) */
#define PCI_BAR_IO 0x1 /* flags for pci_device.bar_flags: I/O space BAR */

struct pci_device {
	const char *name;
	uint8_t devfn;        /* device << 3 | function */
	uint8_t config[256];  /* little-endian configuration space */
	uint8_t wmask[256];   /* bits the guest may write (the bus fills BAR masks) */
	uint32_t bar_size[7]; /* 0 = unused; power of two */
	uint8_t bar_flags[7];
	/* Optional hooks */
	void *opaque;
	/* After a guest write (already applied through wmask). */
	void (*config_written)(struct pci_device *d, unsigned off, unsigned size);
	/* A BAR was mapped at addr, or unmapped (addr == PCI_UNMAPPED) because
	 * the guest moved it or turned off memory/I/O decoding in COMMAND. */
	void (*bar_mapped)(struct pci_device *d, unsigned bar, uint32_t addr);
};
#define PCI_UNMAPPED 0xFFFFFFFFu

/* Helpers to fill config space before registering. */
void pci_set_ids(struct pci_device *d, uint16_t vendor, uint16_t device, uint32_t class_rev,
		 uint8_t header_type);
void pci_set_bar(struct pci_device *d, unsigned bar, uint32_t size, uint8_t flags);

/* The bus (created by the board; owns ports 0xCF8-0xCFF). */
struct pci_bus *pci_machine_bus(struct machine *m);
/* Returns 0, or -1 when devfn is taken. The device struct must outlive the bus. */
int pci_register(struct pci_bus *bus, struct pci_device *d);

/* Configuration access as the guest sees it (also for tests). */
uint32_t pci_config_read(struct pci_bus *bus, uint8_t devfn, unsigned off, unsigned size);
void pci_config_write(struct pci_bus *bus, uint8_t devfn, unsigned off, uint32_t v, unsigned size);

#endif
