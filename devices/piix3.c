/*
 * Intel 82371SB PIIX3 PCI-to-ISA bridge (PIIX3 data sheet, 82371FB/SB,
 * sections 2.2 and 2.3), with a PIIX4-style power-management function
 * (82371AB PIIX4 data sheet, 3.4 and 7.2), the combination SeaBIOS and QEMU's
 * "pc" machine use:
 *   00:01.0 8086:7000 ISA bridge: PIRQRC[A-D] (0x60-0x63) route the PCI INTx
 *           lines to ISA IRQs; the reset control register at port 0xCF9.
 *   00:01.1 8086:7010 IDE: configuration space only (BAR4 is the 16-byte
 *           bus-master block); the ATA controller itself lives elsewhere.
 *   00:01.3 8086:7113 power management: PMBA (0x40) and PMREGMISC (0x80)
 *           place the 64-byte PM I/O block; PM1_STS/EN/CNT and the 24-bit
 *           3.579545 MHz PM timer; SLP_EN with SLP_TYP 0 powers off (S5).
 *
 * Deviations: reset control bit 2 resets the whole machine whether or not
 * bit 1 (hard reset) is set, since the board has no CPU-only INIT; no SCI,
 * SMI, global/device activity monitors or GPIO (those registers are plain
 * storage); PM1_STS has no event sources; other SLP_TYP values are ignored.
 */
#include "devices/piix3.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"
#include "devices/pci.h"

#define PIRQRC 0x60
#define PIRQ_DISABLE 0x80
#define PIRQ_VALID_IRQS 0xDEF8u /* 3-7, 9-12, 14, 15 */
#define RCR_SRST 0x02
#define RCR_RCPU 0x04

#define PMBA 0x40
#define PMREGMISC 0x80
#define PM_IO_LEN 64
#define PM1_STS 0x00
#define PM1_CNT 0x04
#define PM_TMR 0x08
#define SLP_EN 0x2000
#define SLP_TYP_SHIFT 10
#define PM_TIMER_HZ 3579545u

struct piix3 {
	struct pci_device isa;
	struct pci_device ide;
	struct pci_device pm;
	struct machine *m;
	uint8_t rcr;       /* reset control register, port 0xCF9 */
	uint8_t pirq_in;   /* PIRQA-D levels from the bus, bit n = PIRQn */
	uint16_t isa_out;  /* ISA IRQs this bridge drives high */
	uint16_t pm_base;  /* where the PM block is registered; 0 = nowhere */
	uint8_t pmio[PM_IO_LEN];
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* ---- PIRQ routing ---- */

static void route_update(struct piix3 *s)
{
	uint16_t want = 0;
	for (unsigned p = 0; p < 4; p++) {
		uint8_t r = s->isa.config[PIRQRC + p];
		if ((s->pirq_in >> p & 1) && !(r & PIRQ_DISABLE))
			want |= (uint16_t)(1u << (r & 15));
	}
	want &= PIRQ_VALID_IRQS;
	uint16_t diff = want ^ s->isa_out;
	s->isa_out = want;
	for (unsigned irq = 0; irq < 16; irq++)
		if (diff >> irq & 1)
			irq_set(machine_isa_irq(s->m, irq), want >> irq & 1);
}

static void piix3_pirq(void *opaque, unsigned pirq, int level)
{
	struct piix3 *s = opaque;
	uint8_t bit = (uint8_t)(1u << (pirq & 3));
	s->pirq_in = level ? s->pirq_in | bit : s->pirq_in & (uint8_t)~bit;
	route_update(s);
}

static void isa_config_written(struct pci_device *d, unsigned off, unsigned size)
{
	if (off < PIRQRC + 4 && off + size > PIRQRC)
		route_update(d->opaque);
}

/* ---- reset control, port 0xCF9 (reached through the host bridge) ---- */

static uint32_t rcr_read(void *opaque, uint32_t off, unsigned size)
{
	struct piix3 *s = opaque;
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)(off + b == 1 ? s->rcr : 0xFF) << (8 * b);
	return v;
}

static void rcr_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct piix3 *s = opaque;
	if (off > 1 || off + size <= 1)
		return;
	uint8_t nv = (uint8_t)(v >> (8 * (1 - off)));
	bool go = (nv & RCR_RCPU) && !(s->rcr & RCR_RCPU);
	/* RCPU is a trigger: after the reset it reads back clear. */
	s->rcr = nv & RCR_SRST;
	if (go)
		machine_request_reset(s->m);
}

static const struct io_ops rcr_ops = { rcr_read, rcr_write };

/* ---- power management I/O block ---- */

static uint32_t pm_timer(struct piix3 *s)
{
	vtime_t ns = sched_now(machine_sched(s->m));
	uint64_t ticks = ns / 1000000000u * PM_TIMER_HZ + ns % 1000000000u * PM_TIMER_HZ / 1000000000u;
	return (uint32_t)ticks & 0xFFFFFF;
}

static uint32_t pm_read(void *opaque, uint32_t off, unsigned size)
{
	struct piix3 *s = opaque;
	uint8_t tmr[4];
	uint32_t t = pm_timer(s);
	for (unsigned b = 0; b < 4; b++)
		tmr[b] = (uint8_t)(t >> (8 * b));
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++) {
		uint32_t o = (off + b) & (PM_IO_LEN - 1);
		uint8_t byte = o >= PM_TMR && o < PM_TMR + 4 ? tmr[o - PM_TMR] : s->pmio[o];
		v |= (uint32_t)byte << (8 * b);
	}
	return v;
}

static void pm1_cnt_written(struct piix3 *s)
{
	uint16_t cnt = get16(&s->pmio[PM1_CNT]);
	if (!(cnt & SLP_EN))
		return;
	/* SLP_EN is write-only: it always reads 0. */
	s->pmio[PM1_CNT + 1] &= (uint8_t)~(SLP_EN >> 8);
	if (((cnt >> SLP_TYP_SHIFT) & 7) == 0)
		machine_request_poweroff(s->m);
}

static void pm_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct piix3 *s = opaque;
	bool cnt = false;
	for (unsigned b = 0; b < size; b++) {
		uint32_t o = (off + b) & (PM_IO_LEN - 1);
		uint8_t byte = (uint8_t)(v >> (8 * b));
		if (o < PM1_STS + 2)
			s->pmio[o] &= (uint8_t)~byte; /* status bits: write one to clear */
		else if (o < PM_TMR || o >= PM_TMR + 4)
			s->pmio[o] = byte;
		cnt |= o == PM1_CNT || o == PM1_CNT + 1;
	}
	if (cnt)
		pm1_cnt_written(s);
}

static const struct io_ops pm_ops = { pm_read, pm_write };

static void pm_place(struct piix3 *s)
{
	uint16_t want = 0;
	if (s->pm.config[PMREGMISC] & 1)
		want = get16(&s->pm.config[PMBA]) & 0xFFC0;
	if (want == s->pm_base)
		return;
	struct ioport_table *io = machine_io(s->m);
	if (s->pm_base)
		ioport_unregister(io, s->pm_base, PM_IO_LEN);
	s->pm_base = 0;
	/* A base over other ports stays undecoded rather than steal them. */
	if (want && ioport_register(io, want, PM_IO_LEN, &pm_ops, s) == 0)
		s->pm_base = want;
}

static void pm_config_written(struct pci_device *d, unsigned off, unsigned size)
{
	(void)off;
	(void)size;
	pm_place(d->opaque);
}

/* ---- construction and reset ---- */

static void isa_init(struct piix3 *s)
{
	struct pci_device *d = &s->isa;
	d->name = "piix3";
	d->devfn = 1 << 3;
	d->opaque = s;
	d->config_written = isa_config_written;
	pci_set_ids(d, 0x8086, 0x7000, 0x06010000, PCI_HEADER_MULTIFUNCTION);
	static const uint8_t writable[] = { 0x4C, 0x4E, 0x4F, 0x60, 0x61, 0x62, 0x63, 0x69,
					    0x6A, 0x6B, 0x70, 0x71, 0x76, 0x77, 0x78, 0x79,
					    0x80, 0x82, 0xA0, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6,
					    0xA7, 0xA8, 0xAA, 0xAB, 0xAC, 0xAE };
	for (size_t i = 0; i < ARRAY_SIZE(writable); i++)
		d->wmask[writable[i]] = 0xFF;
	for (unsigned p = 0; p < 4; p++)
		d->wmask[PIRQRC + p] = 0x8F;
}

static void ide_init(struct piix3 *s)
{
	struct pci_device *d = &s->ide;
	d->name = "piix3-ide";
	d->devfn = 1 << 3 | 1;
	d->opaque = s;
	pci_set_ids(d, 0x8086, 0x7010, 0x01018000, 0x00);
	pci_set_bar(d, 4, 16, PCI_BAR_IO);
	memset(&d->wmask[0x40], 0xFF, 5); /* IDETIM primary/secondary, SIDETIM */
}

static void pm_init(struct piix3 *s)
{
	struct pci_device *d = &s->pm;
	d->name = "piix4-pm";
	d->devfn = 1 << 3 | 3;
	d->opaque = s;
	d->config_written = pm_config_written;
	pci_set_ids(d, 0x8086, 0x7113, 0x06800003, 0x00);
	d->config[PCI_INTERRUPT_PIN] = 1;
	d->wmask[PMBA] = 0xC0;
	d->wmask[PMBA + 1] = 0xFF;
	d->wmask[PMREGMISC] = 0x01;
	d->wmask[0x90] = 0xF0; /* SMBBA, stored only */
	d->wmask[0x91] = 0xFF;
	d->wmask[0xD2] = 0x0F; /* SMBHSTCFG, stored only */
}

static void piix3_reset(void *opaque)
{
	struct piix3 *s = opaque;
	uint8_t *isa = s->isa.config;
	isa[PCI_COMMAND] = PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER;
	isa[PCI_STATUS + 1] = 0x02;
	isa[0x4C] = 0x4D;
	isa[0x4E] = 0x03;
	memset(&isa[PIRQRC], PIRQ_DISABLE, 4);
	isa[0x69] = 0x02;
	isa[0x70] = 0x80;
	isa[0x71] = 0x80;
	isa[0x76] = 0x04;
	isa[0x77] = 0x04;
	memset(&s->ide.config[0x40], 0, 5);
	s->pm.config[PMBA] = 0x01;
	memset(&s->pm.config[PMBA + 1], 0, 3);
	s->pm.config[PMREGMISC] = 0;
	memset(s->pmio, 0, sizeof(s->pmio));
	s->rcr = 0;
	s->pirq_in = 0;
	route_update(s);
	pm_place(s);
}

static void *piix3_create(struct machine *m)
{
	struct pci_bus *bus = pci_machine_bus(m);
	if (!bus) {
		machine_error(m, "piix3: no PCI bus");
		return NULL;
	}
	struct piix3 *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->m = m;
	isa_init(s);
	ide_init(s);
	pm_init(s);
	piix3_reset(s);
	if (pci_register(bus, &s->isa) < 0 || pci_register(bus, &s->ide) < 0 ||
	    pci_register(bus, &s->pm) < 0) {
		machine_error(m, "piix3: slot 1 is taken");
		free(s);
		return NULL;
	}
	pci_bus_set_pirq_router(bus, piix3_pirq, s);
	pci_bus_set_isa_forward(bus, &rcr_ops, s);
	return s;
}

struct pci_device *piix3_ide_function(struct machine *m)
{
	struct piix3 *s = machine_device(m, "piix3");
	return s ? &s->ide : NULL;
}

static void piix3_post_load(void *opaque)
{
	struct piix3 *s = opaque;
	route_update(s);
	pm_place(s);
}

static const struct state_field piix3_fields[] = {
	STATE_FIELD(struct piix3, isa.config),
	STATE_FIELD(struct piix3, ide.config),
	STATE_FIELD(struct piix3, pm.config),
	STATE_FIELD(struct piix3, rcr),
	STATE_FIELD(struct piix3, pirq_in),
	STATE_FIELD(struct piix3, pmio),
	{ 0 },
};

const struct device_class piix3_class = {
	.name = "piix3",
	.create = piix3_create,
	.reset = piix3_reset,
	.destroy = free,
	.fields = piix3_fields,
	.post_load = piix3_post_load,
};
