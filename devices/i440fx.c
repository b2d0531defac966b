/*
 * Intel 82441FX PCI and memory controller (PMC), host bridge 00:00.0 of the
 * i440FX chipset (Intel 440FX PCIset data sheet, 82441FX section 3.2: PAM0-6
 * at 0x59-0x5F and SMRAM at 0x72).
 *
 * The PAM registers route 0xC0000-0xEFFFF in 16 KiB blocks and 0xF0000-0xFFFFF
 * as one 64 KiB block (PAM0 high nibble) to DRAM or to the PCI/ROM side: bit 0
 * of a nibble sends reads to DRAM, bit 1 sends writes. The "PCI side" is
 * whatever the board mapped there (the BIOS ROM, an option ROM or nothing):
 * when a block first leaves its reset routing, its pages are saved and put
 * back when it returns, so ROM writes are dropped and ROM is never modified.
 * SMRAM's D_OPEN shows the DRAM under 0xA0000-0xBFFFF (normally VGA) the same
 * way.
 *
 * Deviations: no SMM (SMIACT# never asserted, so only D_OPEN opens SMRAM;
 * D_CLS is stored only); DRAM row registers and the rest of the PMC are absent;
 * a device that remaps its own pages inside a block while the block is routed
 * to DRAM loses that change when the block returns to the PCI side.
 */
#include "devices/i440fx.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"
#include "devices/pci.h"

#define PAM0 0x59
#define SMRAM 0x72
#define SMRAM_D_OPEN 0x40
#define SMRAM_D_CLS 0x20
#define SMRAM_D_LCK 0x10
#define SMRAM_G_SMRAME 0x08
#define SMRAM_RESET 0x02 /* C_BASE_SEG = 010: the A/B segments */

#define LOW_BASE 0xA0000u
#define LOW_PAGES 96 /* 0xA0000-0xFFFFF */
#define NBLOCKS 14   /* SMRAM window, twelve 16 KiB blocks, the F segment */

struct i440fx {
	struct pci_device pci;
	struct machine *m;
	struct memmap *mem;
	uint8_t applied[NBLOCKS]; /* routing now in force; 0 = the board's own */
	struct mem_page saved[LOW_PAGES];
};

static paddr_t block_base(unsigned b)
{
	if (b == 0)
		return LOW_BASE;
	if (b == NBLOCKS - 1)
		return 0xF0000;
	return 0xC0000 + (b - 1) * 0x4000;
}

static unsigned block_pages(unsigned b)
{
	return b == 0 ? 32 : b == NBLOCKS - 1 ? 16 : 4;
}

/* Bit 0: reads go to DRAM; bit 1: writes go to DRAM. */
static uint8_t block_route(const struct i440fx *s, unsigned b)
{
	const uint8_t *cfg = s->pci.config;
	if (b == 0)
		return cfg[SMRAM] & SMRAM_D_OPEN ? 3 : 0;
	if (b == NBLOCKS - 1)
		return (cfg[PAM0] >> 4) & 3;
	unsigned i = b - 1; /* PAM1 low nibble is 0xC0000 */
	return (cfg[PAM0 + 1 + i / 2] >> (4 * (i & 1))) & 3;
}

static void route_page(struct i440fx *s, unsigned idx, uint8_t route)
{
	struct mem_page *p = &s->mem->pages[(LOW_BASE >> PAGE_SHIFT) + idx];
	const struct mem_page *board = &s->saved[idx];
	uint8_t *ram = s->mem->ram + LOW_BASE + idx * PAGE_SIZE;
	uint8_t *old_read = p->read;
	p->read = route & 1 ? ram : board->read;
	p->write = route & 2 ? ram : board->write;
	p->mmio = board->mmio;
	/* Reads now see other bytes: decoded code from the old ones is stale. */
	if (p->read != old_read && p->code && s->mem->code_written)
		s->mem->code_written(s->mem->cb_opaque, LOW_BASE + idx * PAGE_SIZE, PAGE_SIZE);
}

static void apply_block(struct i440fx *s, unsigned b, uint8_t route)
{
	if (route == s->applied[b])
		return;
	unsigned first = (block_base(b) - LOW_BASE) >> PAGE_SHIFT;
	unsigned n = block_pages(b);
	if (s->applied[b] == 0)
		memcpy(&s->saved[first], &s->mem->pages[(block_base(b) >> PAGE_SHIFT)],
		       n * sizeof(struct mem_page));
	for (unsigned i = 0; i < n; i++)
		route_page(s, first + i, route);
	s->applied[b] = route;
	if (s->mem->map_changed)
		s->mem->map_changed(s->mem->cb_opaque);
}

static void apply_all(struct i440fx *s)
{
	for (unsigned b = 0; b < NBLOCKS; b++)
		apply_block(s, b, block_route(s, b));
}

/* D_LCK closes SMRAM and freezes the SMRAM controls until reset. */
static void smram_written(struct i440fx *s)
{
	if (!(s->pci.config[SMRAM] & SMRAM_D_LCK))
		return;
	s->pci.config[SMRAM] &= (uint8_t)~SMRAM_D_OPEN;
	s->pci.wmask[SMRAM] = SMRAM_D_CLS;
}

static void i440fx_config_written(struct pci_device *d, unsigned off, unsigned size)
{
	struct i440fx *s = d->opaque;
	if (off <= SMRAM && off + size > SMRAM)
		smram_written(s);
	apply_all(s);
}

static void i440fx_reset(void *opaque)
{
	struct i440fx *s = opaque;
	uint8_t *cfg = s->pci.config;
	/* PCICMD: memory and bus-master enable are hardwired on; status has
	 * DEVSEL medium timing (data sheet 3.2.3-3.2.4). */
	cfg[PCI_COMMAND] = PCI_CMD_MEM | PCI_CMD_MASTER;
	cfg[PCI_STATUS + 1] = 0x02;
	memset(&cfg[PAM0], 0, 7);
	cfg[SMRAM] = SMRAM_RESET;
	s->pci.wmask[SMRAM] = SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME;
	apply_all(s);
}

static void *i440fx_create(struct machine *m)
{
	struct pci_bus *bus = pci_machine_bus(m);
	if (!bus) {
		machine_error(m, "i440fx: no PCI bus");
		return NULL;
	}
	struct i440fx *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->m = m;
	s->mem = machine_mem(m);
	s->pci.name = "i440fx";
	s->pci.devfn = 0;
	s->pci.opaque = s;
	s->pci.config_written = i440fx_config_written;
	pci_set_ids(&s->pci, 0x8086, 0x1237, 0x06000002, 0x00);
	s->pci.wmask[PAM0] = 0x30;
	memset(&s->pci.wmask[PAM0 + 1], 0x33, 6);
	i440fx_reset(s);
	if (pci_register(bus, &s->pci) < 0) {
		machine_error(m, "i440fx: 00:00.0 is taken");
		free(s);
		return NULL;
	}
	return s;
}

static void i440fx_post_load(void *opaque) { apply_all(opaque); }

static const struct state_field i440fx_fields[] = {
	STATE_FIELD(struct i440fx, pci.config),
	STATE_FIELD(struct i440fx, pci.wmask),
	{ 0 },
};

const struct device_class i440fx_class = {
	.name = "i440fx",
	.create = i440fx_create,
	.reset = i440fx_reset,
	.destroy = free,
	.fields = i440fx_fields,
	.post_load = i440fx_post_load,
};
