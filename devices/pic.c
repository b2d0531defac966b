/*
 * The 8259A interrupt controller pair of a PC/AT (Intel 8259A datasheet,
 * order 231468: "Interrupt Sequence", "Programming the 8259A", "Operation
 * Command Words", "Special Mask Mode", "Poll Command", "Edge and Level
 * Triggered Modes") as integrated in the PIIX3 (82371SB datasheet, 2.9.1
 * and 4.1.5, ELCR1/ELCR2 at 0x4D0/0x4D1).
 *
 * Master: ports 0x20-0x21, IRQ 0-7. Slave: ports 0xA0-0xA1, IRQ 8-15, its
 * INT output wired to master IR2. The master's INT drives the CPU's INTR.
 *
 * Known deviations:
 * - x86 (uPM = 1) mode only; ICW4 bit 0, ICW1 ADI and the buffered-mode
 *   bits are ignored. Special fully nested mode is not emulated.
 * - ICW1 LTIM is ignored, as on the PIIX3: the ELCR selects edge or level
 *   per IRQ (IRQ 0, 1, 2, 8 and 13 are always edge).
 * - ICW1 also clears the ISR (the datasheet is silent; software expects a
 *   clean controller after initialisation).
 * - An IRQ request that goes low clears its IRR bit in both modes, so a
 *   request withdrawn before INTA yields the spurious IR7 vector.
 * - ISA IRQ 2 is redirected to IRQ 9, as the AT bus wires it.
 * - During an INTA cycle that reaches the slave, the slave's INT to master
 *   IR2 drops, so a slave request still pending afterwards makes a fresh
 *   edge on IR2.
 */
#include "devices/pic.h"

#include <stdlib.h>

/* Init sequence position: the ICW the odd port expects next, or 0. */
enum {
	PIC_READY = 0,
	PIC_ICW2 = 2,
	PIC_ICW3 = 3,
	PIC_ICW4 = 4,
};

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t level;     /* IR input levels, for edge detection */
	uint8_t elcr;      /* 1 = level-triggered IR */
	uint8_t lowest;    /* IR with the lowest priority (rotation) */
	uint8_t vector_base;
	uint8_t icw3;
	uint8_t init_step;
	bool icw4_needed;
	bool single;
	bool auto_eoi;
	bool rotate_aeoi;
	bool read_isr;
	bool poll;
	bool special_mask;
	bool int_out;
};

struct pic {
	struct pic_chip chip[2];
	struct irq_line cpu_intr;
	struct machine *m;
};

/* ELCR bits that may be set: IRQ 0, 1, 2 (master) and 8, 13 (slave) are
 * hard-wired edge. */
static const uint8_t elcr_writable[2] = { 0xF8, 0xDE };

/* ---- priority resolution ---- */

/* Priority rank (0 highest) of the highest-priority IR in bits, or 8. */
static unsigned chip_rank(const struct pic_chip *p, uint8_t bits)
{
	for (unsigned k = 0; k < 8; k++)
		if (bits & (1u << ((p->lowest + 1 + k) & 7)))
			return k;
	return 8;
}

static unsigned rank_to_ir(const struct pic_chip *p, unsigned rank)
{
	return (p->lowest + 1 + rank) & 7;
}

/* The IR the chip would signal now, or -1. In special mask mode a masked
 * in-service level no longer holds off lower priorities. */
static int chip_pending(const struct pic_chip *p)
{
	unsigned req = chip_rank(p, p->irr & ~p->imr);
	if (req == 8)
		return -1;
	uint8_t blocking = p->special_mask ? p->isr & ~p->imr : p->isr;
	if (req >= chip_rank(p, blocking))
		return -1;
	return (int)rank_to_ir(p, req);
}

static void chip_input(struct pic_chip *p, unsigned ir, int level)
{
	uint8_t bit = (uint8_t)(1u << (ir & 7));
	if (level) {
		if ((p->elcr & bit) || !(p->level & bit))
			p->irr |= bit;
		p->level |= bit;
	} else {
		p->level &= (uint8_t)~bit;
		p->irr &= (uint8_t)~bit;
	}
}

/* Moves the winning request into service (the INTA or poll read); returns
 * its IR, or -1 when nothing is requesting. */
static int chip_ack(struct pic_chip *p)
{
	int ir = chip_pending(p);
	if (ir < 0)
		return -1;
	uint8_t bit = (uint8_t)(1u << ir);
	if (!(p->elcr & bit))
		p->irr &= (uint8_t)~bit;
	if (!p->auto_eoi)
		p->isr |= bit;
	else if (p->rotate_aeoi)
		p->lowest = (uint8_t)ir;
	return ir;
}

static bool chip_cascades(const struct pic_chip *master, int ir)
{
	return ir == 2 && !master->single && (master->icw3 & 0x04);
}

/* Propagates the slave's INT to master IR2 and the master's INT to the
 * CPU. */
static void pic_update(struct pic *s)
{
	bool slave_int = chip_pending(&s->chip[1]) >= 0;
	if (slave_int != s->chip[1].int_out) {
		s->chip[1].int_out = slave_int;
		chip_input(&s->chip[0], 2, slave_int);
	}
	bool master_int = chip_pending(&s->chip[0]) >= 0;
	if (master_int != s->chip[0].int_out) {
		s->chip[0].int_out = master_int;
		irq_set(s->cpu_intr, master_int);
	}
}

uint8_t pic_intack(struct pic *s)
{
	struct pic_chip *master = &s->chip[0], *slave = &s->chip[1];
	int ir = chip_ack(master);
	uint8_t vec;
	if (ir < 0) {
		vec = master->vector_base | 7;
	} else if (chip_cascades(master, ir)) {
		int sir = chip_ack(slave);
		vec = slave->vector_base | (uint8_t)(sir < 0 ? 7 : sir);
		slave->int_out = false;
		chip_input(master, 2, 0);
	} else {
		vec = master->vector_base | (uint8_t)ir;
	}
	pic_update(s);
	return vec;
}

/* ---- command words ---- */

static void chip_icw1(struct pic_chip *p, uint8_t v)
{
	/* The edge sense circuit resets: an edge input already high must go
	 * low and high again to request. */
	p->irr &= p->elcr & p->level;
	p->isr = 0;
	p->imr = 0;
	p->lowest = 7;
	p->special_mask = false;
	p->read_isr = false;
	p->poll = false;
	p->rotate_aeoi = false;
	p->icw4_needed = v & 0x01;
	p->single = v & 0x02;
	if (!p->icw4_needed)
		p->auto_eoi = false;
	p->init_step = PIC_ICW2;
}

static void chip_icw(struct pic_chip *p, uint8_t v)
{
	switch (p->init_step) {
	case PIC_ICW2:
		p->vector_base = v & 0xF8;
		if (!p->single)
			p->init_step = PIC_ICW3;
		else
			p->init_step = p->icw4_needed ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW3:
		p->icw3 = v;
		p->init_step = p->icw4_needed ? PIC_ICW4 : PIC_READY;
		break;
	default:
		p->auto_eoi = v & 0x02;
		p->init_step = PIC_READY;
		break;
	}
}

/* Non-specific EOI: the highest-priority level in service is the one the
 * handler is finishing. */
static void chip_eoi_highest(struct pic_chip *p, bool rotate)
{
	unsigned rank = chip_rank(p, p->isr);
	if (rank == 8)
		return;
	unsigned ir = rank_to_ir(p, rank);
	p->isr &= (uint8_t)~(1u << ir);
	if (rotate)
		p->lowest = (uint8_t)ir;
}

static void chip_ocw2(struct pic_chip *p, uint8_t v)
{
	unsigned ir = v & 7;
	switch (v >> 5) {
	case 0: /* clear rotate in automatic EOI mode */
		p->rotate_aeoi = false;
		break;
	case 1: /* non-specific EOI */
		chip_eoi_highest(p, false);
		break;
	case 3: /* specific EOI */
		p->isr &= (uint8_t)~(1u << ir);
		break;
	case 4: /* set rotate in automatic EOI mode */
		p->rotate_aeoi = true;
		break;
	case 5: /* rotate on non-specific EOI */
		chip_eoi_highest(p, true);
		break;
	case 6: /* set priority: ir becomes the lowest */
		p->lowest = (uint8_t)ir;
		break;
	case 7: /* rotate on specific EOI */
		p->isr &= (uint8_t)~(1u << ir);
		p->lowest = (uint8_t)ir;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void chip_ocw3(struct pic_chip *p, uint8_t v)
{
	if (v & 0x40)
		p->special_mask = v & 0x20;
	if (v & 0x04)
		p->poll = true;
	if (v & 0x02)
		p->read_isr = v & 0x01;
}

/* ---- ports ---- */

static uint8_t chip_poll(struct pic *s, struct pic_chip *p)
{
	p->poll = false;
	int ir = chip_ack(p);
	pic_update(s);
	return ir < 0 ? 0 : (uint8_t)(0x80 | ir);
}

static uint8_t chip_read(struct pic *s, struct pic_chip *p, unsigned a0)
{
	/* In poll mode the next read of either port acts as the INTA. */
	if (p->poll)
		return chip_poll(s, p);
	if (a0)
		return p->imr;
	return p->read_isr ? p->isr : p->irr;
}

static void chip_write(struct pic *s, struct pic_chip *p, unsigned a0, uint8_t v)
{
	if (a0) {
		if (p->init_step != PIC_READY)
			chip_icw(p, v);
		else
			p->imr = v;
	} else if (v & 0x10) {
		chip_icw1(p, v);
	} else if (v & 0x08) {
		chip_ocw3(p, v);
	} else {
		chip_ocw2(p, v);
	}
	pic_update(s);
}

/* Wider accesses are successive byte accesses to successive ports. */
static uint32_t chips_read(struct pic *s, unsigned c, uint32_t off, unsigned size)
{
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)chip_read(s, &s->chip[c], (off + b) & 1) << (8 * b);
	return v;
}

static void chips_write(struct pic *s, unsigned c, uint32_t off, uint32_t v, unsigned size)
{
	for (unsigned b = 0; b < size; b++)
		chip_write(s, &s->chip[c], (off + b) & 1, (uint8_t)(v >> (8 * b)));
}

static uint32_t master_read(void *o, uint32_t off, unsigned size) { return chips_read(o, 0, off, size); }
static uint32_t slave_read(void *o, uint32_t off, unsigned size) { return chips_read(o, 1, off, size); }

static void master_write(void *o, uint32_t off, uint32_t v, unsigned size)
{
	chips_write(o, 0, off, v, size);
}

static void slave_write(void *o, uint32_t off, uint32_t v, unsigned size)
{
	chips_write(o, 1, off, v, size);
}

static uint32_t elcr_read(void *o, uint32_t off, unsigned size)
{
	struct pic *s = o;
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)s->chip[(off + b) & 1].elcr << (8 * b);
	return v;
}

static void elcr_set(struct pic_chip *p, uint8_t v, uint8_t writable)
{
	p->elcr = v & writable;
	/* A level input requests for as long as it is high. */
	p->irr = (uint8_t)((p->irr & ~p->elcr) | (p->level & p->elcr));
}

static void elcr_write(void *o, uint32_t off, uint32_t v, unsigned size)
{
	struct pic *s = o;
	for (unsigned b = 0; b < size; b++) {
		unsigned c = (off + b) & 1;
		elcr_set(&s->chip[c], (uint8_t)(v >> (8 * b)), elcr_writable[c]);
	}
	pic_update(s);
}

static const struct io_ops master_ops = { master_read, master_write };
static const struct io_ops slave_ops = { slave_read, slave_write };
static const struct io_ops elcr_ops = { elcr_read, elcr_write };

/* ---- board interface ---- */

static void pic_set_irq(void *opaque, unsigned irq, int level)
{
	struct pic *s = opaque;
	irq &= 15;
	if (irq == 2)
		irq = 9;
	chip_input(&s->chip[irq >> 3], irq & 7, level);
	pic_update(s);
}

static uint8_t pic_ack(void *opaque) { return pic_intack(opaque); }

static const struct intc_ops pic_intc_ops = { pic_set_irq, pic_ack };

/* ---- lifecycle ---- */

static void pic_reset(void *dev)
{
	struct pic *s = dev;
	for (unsigned c = 0; c < 2; c++) {
		/* Input levels belong to the devices, not to the chip. */
		uint8_t level = s->chip[c].level;
		s->chip[c] = (struct pic_chip){ .lowest = 7, .level = level };
	}
	/* Master IR2 is the slave's INT output, which reset lowers. */
	s->chip[0].level &= (uint8_t)~0x04;
	irq_set(s->cpu_intr, 0);
}

static void *pic_create(struct machine *m)
{
	struct pic *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->m = m;
	s->cpu_intr = machine_cpu_intr(m);
	struct ioport_table *io = machine_io(m);
	if (ioport_register(io, 0x20, 2, &master_ops, s) < 0 ||
	    ioport_register(io, 0xA0, 2, &slave_ops, s) < 0 ||
	    ioport_register(io, 0x4D0, 2, &elcr_ops, s) < 0) {
		machine_error(m, "pic: ports 0x20, 0xA0 or 0x4D0 already taken");
		free(s);
		return NULL;
	}
	pic_reset(s);
	machine_set_intc(m, &pic_intc_ops, s);
	return s;
}

static void pic_post_load(void *dev)
{
	struct pic *s = dev;
	irq_set(s->cpu_intr, s->chip[0].int_out);
}

#define PIC_CHIP_FIELDS(n)                                                           \
	STATE_FIELD(struct pic, chip[n].irr), STATE_FIELD(struct pic, chip[n].isr),     \
	STATE_FIELD(struct pic, chip[n].imr), STATE_FIELD(struct pic, chip[n].level),   \
	STATE_FIELD(struct pic, chip[n].elcr), STATE_FIELD(struct pic, chip[n].lowest), \
	STATE_FIELD(struct pic, chip[n].vector_base),                                  \
	STATE_FIELD(struct pic, chip[n].icw3), STATE_FIELD(struct pic, chip[n].init_step), \
	STATE_FIELD(struct pic, chip[n].icw4_needed),                                  \
	STATE_FIELD(struct pic, chip[n].single), STATE_FIELD(struct pic, chip[n].auto_eoi), \
	STATE_FIELD(struct pic, chip[n].rotate_aeoi),                                  \
	STATE_FIELD(struct pic, chip[n].read_isr), STATE_FIELD(struct pic, chip[n].poll), \
	STATE_FIELD(struct pic, chip[n].special_mask),                                 \
	STATE_FIELD(struct pic, chip[n].int_out)

static const struct state_field pic_fields[] = {
	PIC_CHIP_FIELDS(0),
	PIC_CHIP_FIELDS(1),
	{ 0 },
};

const struct device_class pic_device_class = {
	.name = "pic",
	.create = pic_create,
	.reset = pic_reset,
	.destroy = free,
	.fields = pic_fields,
	.post_load = pic_post_load,
};
