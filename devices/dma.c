/*
 * The PC's pair of Intel 8237A DMA controllers (8237A data sheet: register
 * set, Table 2 "Internal registers", and the "Autoinitialize" and "Mask
 * register" sections) with the 74LS612-style page registers of the AT:
 *   DMA1, channels 0-3, byte transfers, ports 0x00-0x0F;
 *   DMA2, channels 4-7, word transfers, ports 0xC0-0xDF (even ports; the
 *   address register counts words, shifted left one bit onto the bus);
 *   page registers 0x87, 0x83, 0x81, 0x82 (channels 0-3), 0x8F, 0x8B, 0x89,
 *   0x8A (channels 4-7); the other ports of 0x81-0x8F are plain storage.
 * The page register is not part of the counter, so a transfer wraps inside
 * its 64 KiB (8-bit) or 128 KiB (16-bit) block as on the board.
 *
 * Devices move data with dma_transfer(): the 8237 would run one bus cycle per
 * DREQ, but the result (memory, address, count, TC, auto-init, mask) is the
 * same as a block of them. Deviations: no memory-to-memory transfers; the
 * cascade through DMA2 channel 4 is assumed (DMA1 works even when channel 4
 * is masked); request and command registers are stored only, except command
 * bit 2 (controller disable); a transfer whose direction disagrees with the
 * programmed mode (or a verify transfer) moves no data but counts as one.
 * Reading port 0x0F/0xDE returns the mask register, as on later PC chipsets.
 */
#include "devices/dma.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"

#define CMD_DISABLE 0x04
#define MODE_TYPE_MASK 0x0C
#define MODE_TYPE_WRITE 0x04 /* I/O to memory */
#define MODE_TYPE_READ 0x08  /* memory to I/O */
#define MODE_AUTOINIT 0x10
#define MODE_DECREMENT 0x20

struct dma_ctrl {
	uint16_t base_addr[4], base_count[4];
	uint16_t cur_addr[4], cur_count[4];
	uint8_t mode[4];
	uint8_t command, status, request, mask, temp;
	bool flipflop; /* false: next byte is the low one */
};

struct dma {
	struct machine *m;
	struct dma_ctrl c[2];
	uint8_t page[16]; /* ports 0x80-0x8F, index = port & 15 */
};

/* Page register port (low nibble) of each channel. */
static const uint8_t page_port[8] = { 0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA };

/* ---- controller registers ---- */

static uint8_t flip_byte(struct dma_ctrl *c, uint16_t v)
{
	uint8_t b = c->flipflop ? (uint8_t)(v >> 8) : (uint8_t)v;
	c->flipflop = !c->flipflop;
	return b;
}

static void flip_write(struct dma_ctrl *c, uint16_t *base, uint16_t *cur, uint8_t v)
{
	*base = c->flipflop ? (uint16_t)((*base & 0xFF) | v << 8) : (uint16_t)((*base & 0xFF00) | v);
	*cur = *base;
	c->flipflop = !c->flipflop;
}

static void master_clear(struct dma_ctrl *c)
{
	c->command = c->status = c->request = c->temp = 0;
	c->flipflop = false;
	c->mask = 0x0F;
}

static uint8_t ctrl_read(struct dma_ctrl *c, unsigned reg)
{
	unsigned ch = (reg >> 1) & 3;
	uint8_t v;
	switch (reg) {
	case 0x0: case 0x2: case 0x4: case 0x6:
		return flip_byte(c, c->cur_addr[ch]);
	case 0x1: case 0x3: case 0x5: case 0x7:
		return flip_byte(c, c->cur_count[ch]);
	case 0x8:
		/* Reading status clears the terminal-count bits. */
		v = c->status;
		c->status &= 0xF0;
		return v;
	case 0xD:
		return c->temp;
	case 0xF:
		return (uint8_t)(0xF0 | c->mask);
	default:
		return 0xFF;
	}
}

static void ctrl_write(struct dma_ctrl *c, unsigned reg, uint8_t v)
{
	unsigned ch = (reg >> 1) & 3;
	switch (reg) {
	case 0x0: case 0x2: case 0x4: case 0x6:
		flip_write(c, &c->base_addr[ch], &c->cur_addr[ch], v);
		break;
	case 0x1: case 0x3: case 0x5: case 0x7:
		flip_write(c, &c->base_count[ch], &c->cur_count[ch], v);
		break;
	case 0x8:
		c->command = v;
		break;
	case 0x9:
		/* Software requests show in status bits 4-7. */
		if (v & 4)
			c->request |= (uint8_t)(1u << (v & 3));
		else
			c->request &= (uint8_t)~(1u << (v & 3));
		c->status = (uint8_t)((c->status & 0x0F) | c->request << 4);
		break;
	case 0xA:
		if (v & 4)
			c->mask |= (uint8_t)(1u << (v & 3));
		else
			c->mask &= (uint8_t)~(1u << (v & 3));
		break;
	case 0xB:
		c->mode[v & 3] = v;
		break;
	case 0xC:
		c->flipflop = false;
		break;
	case 0xD:
		master_clear(c);
		break;
	case 0xE:
		c->mask = 0;
		break;
	default:
		c->mask = v & 0x0F;
		break;
	}
}

static uint32_t dma1_read(void *opaque, uint32_t off, unsigned size)
{
	struct dma *d = opaque;
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)ctrl_read(&d->c[0], (off + b) & 15) << (8 * b);
	return v;
}

static void dma1_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct dma *d = opaque;
	for (unsigned b = 0; b < size; b++)
		ctrl_write(&d->c[0], (off + b) & 15, (uint8_t)(v >> (8 * b)));
}

/* DMA2 sits on even addresses: A1-A4 select the register. */
static uint32_t dma2_read(void *opaque, uint32_t off, unsigned size)
{
	struct dma *d = opaque;
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)ctrl_read(&d->c[1], ((off + b) >> 1) & 15) << (8 * b);
	return v;
}

static void dma2_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct dma *d = opaque;
	for (unsigned b = 0; b < size; b++)
		ctrl_write(&d->c[1], ((off + b) >> 1) & 15, (uint8_t)(v >> (8 * b)));
}

static uint32_t page_read(void *opaque, uint32_t off, unsigned size)
{
	struct dma *d = opaque;
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)d->page[(off + b + 1) & 15] << (8 * b);
	return v;
}

static void page_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct dma *d = opaque;
	for (unsigned b = 0; b < size; b++)
		d->page[(off + b + 1) & 15] = (uint8_t)(v >> (8 * b));
}

static const struct io_ops dma1_ops = { dma1_read, dma1_write };
static const struct io_ops dma2_ops = { dma2_read, dma2_write };
static const struct io_ops page_ops = { page_read, page_write };

/* ---- transfers ---- */

/* The bus address of the channel's current unit (byte or word). */
static paddr_t unit_addr(const struct dma *d, unsigned ch)
{
	uint16_t a = d->c[ch >> 2].cur_addr[ch & 3];
	uint8_t page = d->page[page_port[ch]];
	if (ch < 4)
		return (paddr_t)page << 16 | a;
	return (paddr_t)(page & 0xFE) << 16 | (paddr_t)a << 1;
}

/* Units the channel can move in one contiguous, ascending run. */
static uint32_t run_units(const struct dma_ctrl *c, unsigned i, uint32_t want)
{
	uint32_t left = (uint32_t)c->cur_count[i] + 1;
	uint32_t run = c->mode[i] & MODE_DECREMENT ? 1 : 0x10000u - c->cur_addr[i];
	run = run < left ? run : left;
	return run < want ? run : want;
}

static void terminal_count(struct dma_ctrl *c, unsigned i)
{
	c->status |= (uint8_t)(1u << i);
	if (c->mode[i] & MODE_AUTOINIT) {
		c->cur_addr[i] = c->base_addr[i];
		c->cur_count[i] = c->base_count[i];
	} else {
		c->mask |= (uint8_t)(1u << i);
	}
}

static void move_units(struct dma *d, unsigned ch, uint8_t *buf, uint32_t n, bool to_memory)
{
	struct dma_ctrl *c = &d->c[ch >> 2];
	uint8_t type = c->mode[ch & 3] & MODE_TYPE_MASK;
	uint32_t bytes = ch < 4 ? n : 2 * n;
	struct memmap *mem = machine_mem(d->m);
	if (to_memory && type == MODE_TYPE_WRITE)
		memmap_write(mem, unit_addr(d, ch), buf, bytes);
	else if (!to_memory && type == MODE_TYPE_READ)
		memmap_read(mem, unit_addr(d, ch), buf, bytes);
}

size_t dma_transfer(struct dma *d, unsigned channel, void *buf, size_t len, bool to_memory)
{
	unsigned ch = channel & 7;
	struct dma_ctrl *c = &d->c[ch >> 2];
	unsigned i = ch & 3;
	unsigned unit = ch < 4 ? 1 : 2;
	if (channel > 7 || ch == 4 || (c->command & CMD_DISABLE) || (c->mask >> i & 1))
		return 0;
	uint8_t *p = buf;
	size_t done = 0;
	bool tc = false;
	while (!tc && len - done >= unit) {
		uint32_t want = (uint32_t)((len - done) / unit < 0x10000 ? (len - done) / unit : 0x10000);
		uint32_t n = run_units(c, i, want);
		move_units(d, ch, p + done, n, to_memory);
		done += (size_t)n * unit;
		tc = n == (uint32_t)c->cur_count[i] + 1;
		c->cur_count[i] = (uint16_t)(c->cur_count[i] - n);
		if (c->mode[i] & MODE_DECREMENT)
			c->cur_addr[i] = (uint16_t)(c->cur_addr[i] - n);
		else
			c->cur_addr[i] = (uint16_t)(c->cur_addr[i] + n);
	}
	if (tc)
		terminal_count(c, i);
	return done;
}

size_t dma_remaining(const struct dma *d, unsigned channel)
{
	unsigned ch = channel & 7;
	const struct dma_ctrl *c = &d->c[ch >> 2];
	if (channel > 7 || ch == 4 || (c->command & CMD_DISABLE) || (c->mask >> (ch & 3) & 1))
		return 0;
	return ((size_t)c->cur_count[ch & 3] + 1) * (ch < 4 ? 1 : 2);
}

void dma_set_dreq(struct dma *d, unsigned channel, bool active)
{
	unsigned ch = channel & 7;
	struct dma_ctrl *c = &d->c[ch >> 2];
	uint8_t bit = (uint8_t)(0x10u << (ch & 3));
	c->status = active ? c->status | bit : c->status & (uint8_t)~bit;
}

/* ---- device class ---- */

struct dma *dma_machine(struct machine *m) { return machine_device(m, "dma"); }

static void dma_reset(void *opaque)
{
	struct dma *d = opaque;
	for (unsigned i = 0; i < 2; i++) {
		master_clear(&d->c[i]);
		memset(d->c[i].mode, 0, sizeof(d->c[i].mode));
	}
}

static void *dma_create(struct machine *m)
{
	struct dma *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->m = m;
	struct ioport_table *io = machine_io(m);
	if (ioport_register(io, 0x00, 16, &dma1_ops, d) < 0 ||
	    ioport_register(io, 0xC0, 32, &dma2_ops, d) < 0 ||
	    ioport_register(io, 0x81, 15, &page_ops, d) < 0) {
		machine_error(m, "dma: ports taken");
		free(d);
		return NULL;
	}
	dma_reset(d);
	return d;
}

#define DMA_CTRL_FIELDS(n)                                  \
	STATE_FIELD(struct dma, c[n].base_addr),            \
	STATE_FIELD(struct dma, c[n].base_count),           \
	STATE_FIELD(struct dma, c[n].cur_addr),             \
	STATE_FIELD(struct dma, c[n].cur_count),            \
	STATE_FIELD(struct dma, c[n].mode),                 \
	STATE_FIELD(struct dma, c[n].command),              \
	STATE_FIELD(struct dma, c[n].status),               \
	STATE_FIELD(struct dma, c[n].request),              \
	STATE_FIELD(struct dma, c[n].mask),                 \
	STATE_FIELD(struct dma, c[n].temp),                 \
	STATE_FIELD(struct dma, c[n].flipflop)

static const struct state_field dma_fields[] = {
	DMA_CTRL_FIELDS(0),
	DMA_CTRL_FIELDS(1),
	STATE_FIELD(struct dma, page),
	{ 0 },
};

const struct device_class dma_class = {
	.name = "dma",
	.create = dma_create,
	.reset = dma_reset,
	.destroy = free,
	.fields = dma_fields,
};
