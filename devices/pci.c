/*
 * PCI bus 0 behind configuration mechanism #1 (PCI Local Bus Specification
 * 2.1, 3.7.4.1 and 6.2.5; Intel 82441FX data sheet, CONFADD/CONFDATA).
 * CONFIG_ADDRESS at 0xCF8 is decoded for dword accesses only; byte and word
 * accesses to 0xCF8-0xCFB go on to the ISA bus (0xCF9 is the PIIX3 reset
 * register). CONFIG_DATA at 0xCFC-0xCFF selects the byte lane (port & 3).
 * The bus sizes and places BARs generically from bar_size and the COMMAND
 * decode bits, and tells the device when a BAR appears, moves or vanishes.
 *
 * Deviations: only bus 0 exists (other buses, and absent devices, read all
 * ones); the STATUS register is read-only (no write-one-to-clear bits);
 * a BAR at address 0, or one that touches the top of its address space (as
 * all-ones sizing values do), is treated as not decoded, as QEMU does.
 */
#include "devices/pci.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"

#define PCI_CONF_ENABLE 0x80000000u
#define PCI_CONF_MASK 0x80FFFFFCu /* bits 30:24 and 1:0 are reserved, read 0 */

struct pci_bus {
	struct machine *m;
	uint32_t addr; /* CONFIG_ADDRESS */
	uint8_t pirq_count[4]; /* devices asserting each PIRQ */
	struct pci_device *dev[256];
	pci_pirq_fn pirq_fn;
	void *pirq_opaque;
	const struct io_ops *isa_ops;
	void *isa_opaque;
};

static uint32_t ones(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned b = 0; b < 4; b++)
		p[b] = (uint8_t)(v >> (8 * b));
}

static unsigned bar_offset(unsigned bar)
{
	return bar == PCI_BAR_ROM ? PCI_ROM_ADDRESS : PCI_BAR0 + 4 * bar;
}

/* ---- helpers for devices ---- */

void pci_set_ids(struct pci_device *d, uint16_t vendor, uint16_t device, uint32_t class_rev,
		 uint8_t header_type)
{
	d->config[0] = (uint8_t)vendor;
	d->config[1] = (uint8_t)(vendor >> 8);
	d->config[2] = (uint8_t)device;
	d->config[3] = (uint8_t)(device >> 8);
	/* class_rev is class << 8 | revision: the dword at 0x08. */
	put32(&d->config[0x08], class_rev);
	d->config[PCI_HEADER_TYPE] = header_type;
	/* COMMAND: I/O, memory, bus master, parity, SERR, interrupt disable;
	 * cache line size, latency timer and interrupt line are plain storage. */
	d->wmask[PCI_COMMAND] = 0x47;
	d->wmask[PCI_COMMAND + 1] = 0x05;
	d->wmask[0x0C] = 0xFF;
	d->wmask[0x0D] = 0xFF;
	d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
}

void pci_set_bar(struct pci_device *d, unsigned bar, uint32_t size, uint8_t flags)
{
	if (bar > PCI_BAR_ROM)
		return;
	unsigned off = bar_offset(bar);
	uint32_t low_bits;
	uint32_t wmask;
	if (bar == PCI_BAR_ROM) {
		size = size < 0x800 ? 0x800 : size;
		low_bits = 0;
		wmask = (~(size - 1) & 0xFFFFF800u) | 1;
		flags = 0;
	} else if (flags & PCI_BAR_IO) {
		size = size < 4 ? 4 : size;
		low_bits = 1;
		wmask = ~(size - 1) & ~3u;
	} else {
		size = size < 16 ? 16 : size;
		low_bits = flags & PCI_BAR_PREFETCH;
		wmask = ~(size - 1) & ~15u;
	}
	d->bar_size[bar] = size;
	d->bar_flags[bar] = flags;
	put32(&d->config[off], low_bits);
	put32(&d->wmask[off], wmask);
}

/* ---- BAR placement ---- */

static uint32_t bar_decoded_at(const struct pci_device *d, unsigned bar)
{
	uint32_t size = d->bar_size[bar];
	uint32_t v = get32(&d->config[bar_offset(bar)]);
	unsigned cmd = d->config[PCI_COMMAND];
	uint32_t addr;
	uint64_t limit;
	if (bar == PCI_BAR_ROM) {
		if (!(cmd & PCI_CMD_MEM) || !(v & 1))
			return PCI_UNMAPPED;
		addr = v & 0xFFFFF800u;
		limit = 0xFFFFFFFFu;
	} else if (d->bar_flags[bar] & PCI_BAR_IO) {
		if (!(cmd & PCI_CMD_IO))
			return PCI_UNMAPPED;
		addr = v & ~3u;
		limit = 0x10000;
	} else {
		if (!(cmd & PCI_CMD_MEM))
			return PCI_UNMAPPED;
		addr = v & ~15u;
		limit = 0xFFFFFFFFu;
	}
	addr &= ~(size - 1);
	if (addr == 0 || (uint64_t)addr + size > limit)
		return PCI_UNMAPPED;
	return addr;
}

static void update_mappings(struct pci_device *d)
{
	for (unsigned bar = 0; bar <= PCI_BAR_ROM; bar++) {
		if (!d->bar_size[bar])
			continue;
		uint32_t now = bar_decoded_at(d, bar);
		uint32_t was = d->bar_addr[bar];
		if (now == was)
			continue;
		d->bar_addr[bar] = now;
		if (!d->bar_mapped)
			continue;
		if (was != PCI_UNMAPPED)
			d->bar_mapped(d, bar, PCI_UNMAPPED);
		if (now != PCI_UNMAPPED)
			d->bar_mapped(d, bar, now);
	}
}

static bool touches_mapping(unsigned off, unsigned size)
{
	unsigned end = off + size;
	return (off < PCI_COMMAND + 2 && end > PCI_COMMAND) ||
	       (off < PCI_BAR0 + 24 && end > PCI_BAR0) ||
	       (off < PCI_ROM_ADDRESS + 4 && end > PCI_ROM_ADDRESS);
}

/* ---- configuration space access ---- */

static struct pci_device *find(struct pci_bus *bus, uint8_t devfn) { return bus->dev[devfn]; }

uint32_t pci_config_read(struct pci_bus *bus, uint8_t devfn, unsigned off, unsigned size)
{
	struct pci_device *d = find(bus, devfn);
	if (!d || size == 0 || size > 4 || off + size > 256)
		return ones(size);
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)d->config[off + b] << (8 * b);
	return v;
}

void pci_config_write(struct pci_bus *bus, uint8_t devfn, unsigned off, uint32_t v, unsigned size)
{
	struct pci_device *d = find(bus, devfn);
	if (!d || size == 0 || size > 4 || off + size > 256)
		return;
	for (unsigned b = 0; b < size; b++) {
		uint8_t m = d->wmask[off + b];
		uint8_t nv = (uint8_t)(v >> (8 * b));
		d->config[off + b] = (uint8_t)((d->config[off + b] & ~m) | (nv & m));
	}
	if (touches_mapping(off, size))
		update_mappings(d);
	if (d->config_written)
		d->config_written(d, off, size);
}

int pci_register(struct pci_bus *bus, struct pci_device *d)
{
	if (bus->dev[d->devfn])
		return -1;
	d->bus = bus;
	d->irq_level = 0;
	for (unsigned bar = 0; bar <= PCI_BAR_ROM; bar++)
		d->bar_addr[bar] = PCI_UNMAPPED;
	bus->dev[d->devfn] = d;
	update_mappings(d);
	return 0;
}

/* ---- interrupts ---- */

void pci_bus_set_pirq_router(struct pci_bus *bus, pci_pirq_fn fn, void *opaque)
{
	bus->pirq_fn = fn;
	bus->pirq_opaque = opaque;
}

void pci_set_irq(struct pci_device *d, int level)
{
	struct pci_bus *bus = d->bus;
	unsigned pin = d->config[PCI_INTERRUPT_PIN];
	level = level != 0;
	if (!bus || pin < 1 || pin > 4 || level == d->irq_level)
		return;
	d->irq_level = level;
	unsigned pirq = ((d->devfn >> 3) + pin - 2) & 3;
	if (level)
		bus->pirq_count[pirq]++;
	else
		bus->pirq_count[pirq]--;
	if (bus->pirq_fn)
		bus->pirq_fn(bus->pirq_opaque, pirq, bus->pirq_count[pirq] != 0);
}

/* ---- ports 0xCF8-0xCFF ---- */

void pci_bus_set_isa_forward(struct pci_bus *bus, const struct io_ops *ops, void *opaque)
{
	bus->isa_ops = ops;
	bus->isa_opaque = opaque;
}

static bool addr_selects_bus0(uint32_t addr)
{
	return (addr & PCI_CONF_ENABLE) && ((addr >> 16) & 0xFF) == 0;
}

static uint32_t pci_io_read(void *opaque, uint32_t offset, unsigned size)
{
	struct pci_bus *bus = opaque;
	if (offset < 4) {
		if (offset == 0 && size == 4)
			return bus->addr;
		if (bus->isa_ops && bus->isa_ops->read)
			return bus->isa_ops->read(bus->isa_opaque, offset, size);
		return ones(size);
	}
	if (!addr_selects_bus0(bus->addr))
		return ones(size);
	uint8_t devfn = (uint8_t)(bus->addr >> 8);
	return pci_config_read(bus, devfn, (bus->addr & 0xFC) + (offset & 3), size);
}

static void pci_io_write(void *opaque, uint32_t offset, uint32_t value, unsigned size)
{
	struct pci_bus *bus = opaque;
	if (offset < 4) {
		if (offset == 0 && size == 4)
			bus->addr = value & PCI_CONF_MASK;
		else if (bus->isa_ops && bus->isa_ops->write)
			bus->isa_ops->write(bus->isa_opaque, offset, value, size);
		return;
	}
	if (!addr_selects_bus0(bus->addr))
		return;
	uint8_t devfn = (uint8_t)(bus->addr >> 8);
	pci_config_write(bus, devfn, (bus->addr & 0xFC) + (offset & 3), value, size);
}

static const struct io_ops pci_io_ops = { pci_io_read, pci_io_write };

/* ---- device class ---- */

struct pci_bus *pci_machine_bus(struct machine *m) { return machine_device(m, "pci"); }

static void *pci_create(struct machine *m)
{
	struct pci_bus *bus = calloc(1, sizeof(*bus));
	if (!bus)
		return NULL;
	bus->m = m;
	if (ioport_register(machine_io(m), 0xCF8, 8, &pci_io_ops, bus) < 0) {
		machine_error(m, "pci: ports 0xCF8-0xCFF are taken");
		free(bus);
		return NULL;
	}
	return bus;
}

/* PCI RST#: COMMAND, BARs and the header's plain storage return to their
 * power-on values; device-specific registers are the device's own reset. */
static void reset_header(struct pci_device *d)
{
	memset(&d->config[PCI_COMMAND], 0, 2);
	d->config[0x0C] = 0;
	d->config[0x0D] = 0;
	d->config[PCI_INTERRUPT_LINE] = 0;
	for (unsigned bar = 0; bar <= PCI_BAR_ROM; bar++) {
		unsigned off = bar_offset(bar);
		uint32_t keep = ~get32(&d->wmask[off]);
		if (d->bar_size[bar])
			put32(&d->config[off], get32(&d->config[off]) & keep);
	}
	d->irq_level = 0;
	update_mappings(d);
}

static void pci_reset(void *opaque)
{
	struct pci_bus *bus = opaque;
	bus->addr = 0;
	memset(bus->pirq_count, 0, sizeof(bus->pirq_count));
	for (unsigned i = 0; i < 256; i++)
		if (bus->dev[i])
			reset_header(bus->dev[i]);
}

static const struct state_field pci_fields[] = {
	STATE_FIELD(struct pci_bus, addr),
	STATE_FIELD(struct pci_bus, pirq_count),
	{ 0 },
};

const struct device_class pci_bus_class = {
	.name = "pci",
	.create = pci_create,
	.reset = pci_reset,
	.destroy = free,
	.fields = pci_fields,
};
