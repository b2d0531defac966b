/*
 * PCI bus 0 with configuration mechanism #1 (ports 0xCF8/0xCFC-0xCFF; PCI
 * Local Bus Specification 2.1, 3.7.4.1). Devices own a 256-byte configuration
 * space; the bus handles BAR sizing and placement generically and tells the
 * device when a BAR (or its expansion ROM) is mapped, moved or disabled.
 */
#ifndef POPEK_PCI_H
#define POPEK_PCI_H

#include "devices/device.h"
#include "devices/ioport.h"
#include "mem/types.h"

struct machine;
struct pci_bus;

#define PCI_BAR_ROM 6 /* index of the expansion-ROM BAR (config offset 0x30) */
#define PCI_BAR_IO 0x1 /* flags for pci_device.bar_flags: I/O space BAR */
#define PCI_BAR_PREFETCH 0x8 /* memory BAR: prefetchable */

/* Standard header offsets and COMMAND bits (PCI 2.1, 6.1 and 6.2.2). */
#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_ROM_ADDRESS 0x30
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN 0x3D
#define PCI_CMD_IO 0x1
#define PCI_CMD_MEM 0x2
#define PCI_CMD_MASTER 0x4
#define PCI_HEADER_MULTIFUNCTION 0x80

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
	/* Kept by the bus: where each BAR is decoded now (PCI_UNMAPPED when
	 * not), the INTx level this device drives, and its bus. A move is
	 * reported as an unmap of the old place followed by a map of the new. */
	uint32_t bar_addr[7];
	int irq_level;
	struct pci_bus *bus;
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

/* Drive the device's INTx pin (config 0x3D: 1 = INTA ... 4 = INTD). The
 * board swizzles it to PIRQ (slot + pin - 2) & 3, as the i440FX/PIIX3 board
 * wiring that SeaBIOS and QEMU assume; lines of devices sharing a PIRQ are
 * wired-OR. */
void pci_set_irq(struct pci_device *d, int level);
/* The interrupt router (PIIX3) receives the wired-OR level of each PIRQ. */
typedef void (*pci_pirq_fn)(void *opaque, unsigned pirq, int level);
void pci_bus_set_pirq_router(struct pci_bus *bus, pci_pirq_fn fn, void *opaque);
/* Byte and word accesses to 0xCF8-0xCFB are not configuration cycles: the
 * host bridge forwards them to the ISA bus, where the PIIX3 decodes 0xCF9.
 * Offsets passed to ops are relative to 0xCF8. */
void pci_bus_set_isa_forward(struct pci_bus *bus, const struct io_ops *ops, void *opaque);

/* Configuration access as the guest sees it (also for tests). */
uint32_t pci_config_read(struct pci_bus *bus, uint8_t devfn, unsigned off, unsigned size);
void pci_config_write(struct pci_bus *bus, uint8_t devfn, unsigned off, uint32_t v, unsigned size);

extern const struct device_class pci_bus_class;

#endif
