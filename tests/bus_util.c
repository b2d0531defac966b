/* Test helpers for the PCI, chipset, UART and DMA suites (see bus_util.h). */
#include "tests/bus_util.h"

#include <stdlib.h>

struct machine *bus_machine(const uint8_t *bios, size_t bios_len, const struct machine_config *base)
{
	struct machine_config cfg = { 0 };
	if (base)
		cfg = *base;
	cfg.ram_size = 16u << 20;
	cfg.bios = bios;
	cfg.bios_len = bios_len;
	char err[256];
	struct machine *m = machine_new(&cfg, err, sizeof(err));
	if (!m)
		abort();
	return m;
}

static void log_set_irq(void *opaque, unsigned irq, int level)
{
	struct irq_log *log = opaque;
	irq &= 15;
	if (level && !log->level[irq])
		log->raises[irq]++;
	log->level[irq] = level;
}

static uint8_t log_ack(void *opaque)
{
	(void)opaque;
	return 0xFF;
}

static const struct intc_ops log_ops = { log_set_irq, log_ack };

void bus_log_irqs(struct machine *m, struct irq_log *log)
{
	*log = (struct irq_log){ 0 };
	machine_set_intc(m, &log_ops, log);
}

uint32_t io_in(struct machine *m, uint16_t port, unsigned size)
{
	return ioport_read(machine_io(m), port, size);
}

void io_out(struct machine *m, uint16_t port, uint32_t v, unsigned size)
{
	ioport_write(machine_io(m), port, v, size);
}

uint8_t inb(struct machine *m, uint16_t port) { return (uint8_t)io_in(m, port, 1); }

void outb(struct machine *m, uint16_t port, uint8_t v) { io_out(m, port, v, 1); }

uint32_t cfg_read(struct machine *m, unsigned devfn, unsigned off, unsigned size)
{
	io_out(m, 0xCF8, 0x80000000u | devfn << 8 | (off & 0xFC), 4);
	return io_in(m, (uint16_t)(0xCFC + (off & 3)), size);
}

void cfg_write(struct machine *m, unsigned devfn, unsigned off, uint32_t v, unsigned size)
{
	io_out(m, 0xCF8, 0x80000000u | devfn << 8 | (off & 0xFC), 4);
	io_out(m, (uint16_t)(0xCFC + (off & 3)), v, size);
}

void bus_skip(struct machine *m, vtime_t ns)
{
	struct sched *s = machine_sched(m);
	sched_skip_to(s, sched_now(s) + ns);
}
