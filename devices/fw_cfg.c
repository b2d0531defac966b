/*
 * QEMU's firmware configuration device (fw_cfg), I/O-port form, as QEMU's
 * docs/specs/fw_cfg.rst describes it: a 16-bit selector at 0x510 picks an
 * item and rewinds it; each read of the byte data port at 0x511 returns the
 * next byte, and 0 past the end. Item 0 is the signature "QEMU", item 1 the
 * interface ID, item 0x19 the file directory (big-endian count, then
 * 64-byte entries: size, selector, reserved, name), files from 0x20. The
 * DMA interface: a big-endian 64-bit register at 0x514 (reads "QEMU CFG");
 * writing its low half at 0x518 runs the access structure at that physical
 * address (big-endian control, length, address) at once and clears its
 * control word (or leaves the error bit).
 *
 * SeaBIOS finds this device, reads the RAM layout from etc/e820 and the
 * boot settings from the legacy items, and so POSTs as it does on QEMU.
 * The items are QEMU's defaults for a one-CPU i440FX machine without the
 * boot menu; boot-fail-wait is QEMU's default of -1 (no reboot loop).
 *
 * Deviations: writes to items (data port, DMA write) are ignored or fail,
 * as for QEMU's read-only items; a DMA read past the end of an item stops
 * there and leaves the rest of the buffer unchanged; an access structure or
 * buffer above 4 GiB fails. No ACPI, SMBIOS or option-ROM files, so SeaBIOS
 * builds its own tables; unknown items read as empty.
 */
#include "devices/fw_cfg.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"

#define FW_CFG_PORT 0x510
#define KEY_SIGNATURE 0x00
#define KEY_ID 0x01
#define KEY_UUID 0x02
#define KEY_RAM_SIZE 0x03
#define KEY_NOGRAPHIC 0x04
#define KEY_NB_CPUS 0x05
#define KEY_BOOT_MENU 0x0E
#define KEY_MAX_CPUS 0x0F
#define KEY_FILE_DIR 0x19
#define KEY_FILE_FIRST 0x20
/* Bit 14 marks a write selection and is no part of the key. */
#define KEY_MASK 0xBFFFu
#define ID_TRADITIONAL 0x01u
#define ID_DMA 0x02u
#define DMA_PORT 0x514
#define DMA_CTL_ERROR 0x01u
#define DMA_CTL_READ 0x02u
#define DMA_CTL_SKIP 0x04u
#define DMA_CTL_SELECT 0x08u
#define DMA_CTL_WRITE 0x10u
#define FILE_ENTRY_SIZE 64
#define FILE_NAME_MAX 56
#define E820_RAM 1u

#define MAX_ITEMS 16
#define ITEM_MAX 256

struct fw_cfg_item {
	uint16_t key;
	uint32_t len;
	uint8_t data[ITEM_MAX];
};

/* The items come from the machine config at create time, so only the
 * selection, the offset and the DMA register are saved state. */
struct fw_cfg {
	struct machine *m;
	struct fw_cfg_item items[MAX_ITEMS]; /* items[0] is the file directory */
	unsigned nitems;
	unsigned nfiles;
	uint16_t key;
	uint32_t offset;
	uint32_t dma_high; /* upper half of the DMA address register */
};

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[n - 1 - i] = (uint8_t)(v >> (8 * i));
}

static struct fw_cfg_item *add_item(struct fw_cfg *f, uint16_t key, uint32_t len)
{
	struct fw_cfg_item *it = &f->items[f->nitems++];
	it->key = key;
	it->len = len;
	return it;
}

static void add_le(struct fw_cfg *f, uint16_t key, uint64_t v, unsigned n)
{
	put_le(add_item(f, key, n)->data, v, n);
}

static const struct fw_cfg_item *find_item(const struct fw_cfg *f, uint16_t key)
{
	for (unsigned i = 0; i < f->nitems; i++)
		if (f->items[i].key == key)
			return &f->items[i];
	return NULL;
}

/* Files are added in name order, as QEMU keeps its directory sorted. */
static uint8_t *add_file(struct fw_cfg *f, const char *name, uint32_t len)
{
	uint16_t key = (uint16_t)(KEY_FILE_FIRST + f->nfiles);
	struct fw_cfg_item *dir = &f->items[0];
	uint8_t *e = dir->data + 4 + FILE_ENTRY_SIZE * f->nfiles;
	f->nfiles++;
	put_be(dir->data, f->nfiles, 4);
	dir->len = 4 + FILE_ENTRY_SIZE * f->nfiles;
	put_be(e, len, 4);
	put_be(e + 4, key, 2);
	strncpy((char *)e + 8, name, FILE_NAME_MAX - 1);
	return add_item(f, key, len)->data;
}

static void build_items(struct fw_cfg *f, const struct machine_config *cfg)
{
	add_item(f, KEY_FILE_DIR, 4);
	memcpy(add_item(f, KEY_SIGNATURE, 4)->data, "QEMU", 4);
	add_le(f, KEY_ID, ID_TRADITIONAL | ID_DMA, 4);
	add_item(f, KEY_UUID, 16);
	add_le(f, KEY_RAM_SIZE, cfg->ram_size, 8);
	add_le(f, KEY_NOGRAPHIC, 0, 2);
	add_le(f, KEY_NB_CPUS, 1, 2);
	add_le(f, KEY_MAX_CPUS, 1, 2);
	add_le(f, KEY_BOOT_MENU, 0, 2);
	put_le(add_file(f, "etc/boot-fail-wait", 4), 0xFFFFFFFFu, 4);
	uint8_t *e820 = add_file(f, "etc/e820", 20);
	put_le(e820, 0, 8);
	put_le(e820 + 8, cfg->ram_size, 8);
	put_le(e820 + 16, E820_RAM, 4);
}

static uint32_t fw_cfg_read(void *opaque, uint32_t off, unsigned size)
{
	struct fw_cfg *f = opaque;
	if (off != 1 || size != 1)
		return 0;
	const struct fw_cfg_item *it = find_item(f, f->key);
	if (!it || f->offset >= it->len)
		return 0;
	return it->data[f->offset++];
}

static void fw_cfg_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct fw_cfg *f = opaque;
	/* The selector is a 16-bit register; byte writes are data writes. */
	if (off != 0 || size != 2)
		return;
	f->key = (uint16_t)(v & KEY_MASK);
	f->offset = 0;
}

static const struct io_ops fw_cfg_io = { fw_cfg_read, fw_cfg_write };

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read or skip up to len bytes of the selected item; false if nothing to
 * copy to is addressable. */
static bool dma_transfer(struct fw_cfg *f, uint32_t control, uint32_t len, uint64_t addr)
{
	const struct fw_cfg_item *it = find_item(f, f->key);
	uint32_t left = it && f->offset < it->len ? it->len - f->offset : 0;
	uint32_t n = len < left ? len : left;
	if ((control & DMA_CTL_READ) && n) {
		if (addr + n > 0x100000000ull)
			return false;
		memmap_write(machine_mem(f->m), (paddr_t)addr, it->data + f->offset, n);
	}
	f->offset += n;
	return true;
}

static void dma_run(struct fw_cfg *f, uint32_t low)
{
	if (f->dma_high || low > 0xFFFFFFFFu - 16)
		return;
	struct memmap *mem = machine_mem(f->m);
	uint8_t acc[16];
	memmap_read(mem, low, acc, sizeof(acc));
	uint32_t control = get_be32(acc);
	uint64_t addr = (uint64_t)get_be32(acc + 8) << 32 | get_be32(acc + 12);
	if (control & DMA_CTL_SELECT) {
		f->key = (uint16_t)((control >> 16) & KEY_MASK);
		f->offset = 0;
	}
	bool ok = true;
	if (control & DMA_CTL_WRITE)
		ok = false;
	else if (control & (DMA_CTL_READ | DMA_CTL_SKIP))
		ok = dma_transfer(f, control, get_be32(acc + 4), addr);
	uint8_t done[4] = { 0, 0, 0, ok ? 0 : DMA_CTL_ERROR };
	memmap_write(mem, low, done, sizeof(done));
}

static uint32_t dma_read(void *opaque, uint32_t off, unsigned size)
{
	static const char sig[8] = "QEMU CFG";
	(void)opaque;
	uint32_t v = 0;
	for (unsigned b = 0; b < size && off + b < sizeof(sig); b++)
		v |= (uint32_t)(uint8_t)sig[off + b] << (8 * b);
	return v;
}

/* The register is big-endian: the byte at the lowest port is the most
 * significant, so a 32-bit port value is byte-swapped. */
static void dma_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct fw_cfg *f = opaque;
	if (size != 4)
		return;
	uint32_t half = __builtin_bswap32(v);
	if (off == 0)
		f->dma_high = half;
	else if (off == 4)
		dma_run(f, half);
}

static const struct io_ops fw_cfg_dma_io = { dma_read, dma_write };

static void fw_cfg_reset(void *dev)
{
	struct fw_cfg *f = dev;
	f->key = KEY_SIGNATURE;
	f->offset = 0;
	f->dma_high = 0;
}

static void *fw_cfg_create(struct machine *m)
{
	struct fw_cfg *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->m = m;
	build_items(f, machine_config(m));
	struct ioport_table *io = machine_io(m);
	if (ioport_register(io, FW_CFG_PORT, 2, &fw_cfg_io, f) < 0) {
		machine_error(m, "fw_cfg: ports 0x510-0x511 already taken");
		free(f);
		return NULL;
	}
	if (ioport_register(io, DMA_PORT, 8, &fw_cfg_dma_io, f) < 0) {
		ioport_unregister(io, FW_CFG_PORT, 2);
		machine_error(m, "fw_cfg: ports 0x514-0x51B already taken");
		free(f);
		return NULL;
	}
	return f;
}

static const struct state_field fw_cfg_fields[] = {
	STATE_FIELD(struct fw_cfg, key),
	STATE_FIELD(struct fw_cfg, offset),
	STATE_FIELD(struct fw_cfg, dma_high),
	{ 0 },
};

const struct device_class fw_cfg_class = {
	.name = "fw_cfg",
	.create = fw_cfg_create,
	.reset = fw_cfg_reset,
	.destroy = free,
	.fields = fw_cfg_fields,
};
