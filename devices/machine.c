/*
 * The PC board: creates CPU, memory and devices, routes interrupt lines,
 * runs the CPU up to the next timer deadline, and handles the board-level
 * ports that are not chips of their own: 0xE9 debug console (Bochs/QEMU),
 * 0x402 firmware log (SeaBIOS), 0xF4 debug exit (QEMU isa-debug-exit).
 */
#include "devices/machine.h"

#include "bios/rom.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEVICES 32

struct device_instance {
	const struct device_class *cls;
	void *dev;
};

struct machine {
	struct cpu cpu;
	struct memmap mem;
	struct sched sched;
	struct ioport_table io;
	struct machine_config cfg;
	struct device_instance devices[MAX_DEVICES];
	unsigned ndevices;
	const struct intc_ops *intc;
	void *intc_opaque;
	uint8_t *bios_rom;
	size_t bios_len;
	bool a20;
	enum machine_stop stop;
	int exit_code;
	bool reset_requested;
	bool poweroff_requested;
	char error[256];
};

/* ---- CPU callbacks ---- */

static uint32_t cpu_io_read(void *opaque, uint16_t port, unsigned size)
{
	struct machine *m = opaque;
	return ioport_read(&m->io, port, size);
}

static void cpu_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
	struct machine *m = opaque;
	ioport_write(&m->io, port, value, size);
}

static uint8_t cpu_intr_ack(void *opaque)
{
	struct machine *m = opaque;
	return m->intc ? m->intc->ack(m->intc_opaque) : 0xFF;
}

static uint64_t icount_at(const struct machine *m, vtime_t t);

/* A timer armed during a run may be due before the run's budget ends: pull
 * the budget in, or the CPU would only see the timer at its old deadline. */
static void kick_cpu(void *opaque)
{
	struct machine *m = opaque;
	uint64_t until = icount_at(m, sched_next_deadline(&m->sched));
	if (until < m->cpu.until)
		m->cpu.until = until;
	cpu_kick(&m->cpu);
}

/* ---- board ports ---- */

static void sink_byte(const struct byte_sink *s, uint8_t b)
{
	if (s->write)
		s->write(s->opaque, &b, 1);
}

static uint32_t debugcon_read(void *opaque, uint32_t off, unsigned size)
{
	(void)opaque;
	(void)off;
	(void)size;
	return 0xE9; /* Bochs's "port E9 hack" signature */
}

static void debugcon_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct machine *m = opaque;
	(void)off;
	for (unsigned b = 0; b < size; b++)
		sink_byte(&m->cfg.debugcon, (uint8_t)(v >> (8 * b)));
}

static void fwlog_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct machine *m = opaque;
	(void)off;
	for (unsigned b = 0; b < size; b++)
		sink_byte(&m->cfg.firmware_log, (uint8_t)(v >> (8 * b)));
}

static void debug_exit_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct machine *m = opaque;
	(void)off;
	(void)size;
	/* As QEMU's isa-debug-exit with iosize 1: status (V << 1) | 1. */
	m->exit_code = (int)(((v & 0xFF) << 1) | 1);
	m->stop = MACHINE_DEBUG_EXIT;
	cpu_request_exit(&m->cpu);
}

static const struct io_ops debugcon_ops = { debugcon_read, debugcon_write };
static const struct io_ops fwlog_ops = { debugcon_read, fwlog_write };
static const struct io_ops debug_exit_ops = { NULL, debug_exit_write };

/* ---- construction ---- */

void machine_error(struct machine *m, const char *fmt, ...)
{
	if (m->error[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->error, sizeof(m->error), fmt, ap);
	va_end(ap);
}

static int map_bios(struct machine *m)
{
	size_t len = m->cfg.bios_len;
	char err[128];
	if (len == 0)
		return 0;
	if (bios_check_size(len, err, sizeof(err)) < 0) {
		machine_error(m, "%s", err);
		return -1;
	}
	m->bios_rom = malloc(len);
	if (!m->bios_rom) {
		machine_error(m, "out of memory for the BIOS image");
		return -1;
	}
	memcpy(m->bios_rom, m->cfg.bios, len);
	m->bios_len = len;
	bios_map(&m->mem, m->bios_rom, len);
	return 0;
}

static int create_devices(struct machine *m)
{
	for (const struct device_class *const *c = pc_device_classes; *c; c++) {
		if (m->ndevices >= MAX_DEVICES) {
			machine_error(m, "too many devices");
			return -1;
		}
		void *dev = (*c)->create(m);
		if (!dev) {
			machine_error(m, "cannot create device %s", (*c)->name);
			return -1;
		}
		m->devices[m->ndevices++] = (struct device_instance){ *c, dev };
	}
	return 0;
}

struct machine *machine_new(const struct machine_config *cfg, char *err, size_t errlen)
{
	struct machine *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->cfg = *cfg;
	if (!m->cfg.ram_size)
		m->cfg.ram_size = 32u << 20;
	if (!m->cfg.ns_per_insn)
		m->cfg.ns_per_insn = 10;
	m->a20 = true;
	ioport_init(&m->io);
	struct cpu_callbacks cb = { m, cpu_io_read, cpu_io_write, cpu_intr_ack };
	if (memmap_init(&m->mem, m->cfg.ram_size) < 0) {
		snprintf(err, errlen, "cannot allocate %u bytes of guest RAM (1 MiB to 3.5 GiB, 4 KiB multiple)",
			 m->cfg.ram_size);
		free(m);
		return NULL;
	}
	if (cpu_init(&m->cpu, &m->mem, &cb) < 0) {
		snprintf(err, errlen, "out of memory for the CPU");
		memmap_destroy(&m->mem);
		free(m);
		return NULL;
	}
	sched_init(&m->sched, &m->cpu.icount, m->cfg.ns_per_insn);
	m->sched.deadline_changed = kick_cpu;
	m->sched.deadline_opaque = m;
	ioport_register(&m->io, 0xE9, 1, &debugcon_ops, m);
	ioport_register(&m->io, 0x402, 1, &fwlog_ops, m);
	ioport_register(&m->io, 0xF4, 1, &debug_exit_ops, m);
	if (map_bios(m) < 0 || (!m->cfg.bare && create_devices(m) < 0)) {
		snprintf(err, errlen, "%s", m->error);
		machine_free(m);
		return NULL;
	}
	return m;
}

void machine_free(struct machine *m)
{
	if (!m)
		return;
	for (unsigned d = m->ndevices; d-- > 0;)
		if (m->devices[d].cls->destroy)
			m->devices[d].cls->destroy(m->devices[d].dev);
	cpu_destroy(&m->cpu);
	memmap_destroy(&m->mem);
	free(m->bios_rom);
	free(m);
}

void machine_reset(struct machine *m)
{
	m->a20 = true;
	m->poweroff_requested = false;
	cpu_reset(&m->cpu);
	for (unsigned d = 0; d < m->ndevices; d++)
		if (m->devices[d].cls->reset)
			m->devices[d].cls->reset(m->devices[d].dev);
}

/* ---- running ---- */

static uint64_t icount_at(const struct machine *m, vtime_t t)
{
	if (t == UINT64_MAX)
		return UINT64_MAX;
	if (t <= m->sched.idle_ns)
		return 0;
	return (t - m->sched.idle_ns + m->sched.ns_per_insn - 1) / m->sched.ns_per_insn;
}

enum machine_stop machine_run(struct machine *m, uint64_t max_insns)
{
	struct cpu *c = &m->cpu;
	m->stop = MACHINE_RUNNING;
	/* The budget as virtual time as well: a CPU halted with IF set
	 * retires nothing, so a guest that masks its timer's IRQ and halts
	 * would otherwise skip from one timer edge to the next forever. */
	vtime_t start = sched_now(&m->sched), ns = m->sched.ns_per_insn;
	uint64_t left = max_insns > c->icount ? max_insns - c->icount : 0;
	vtime_t time_limit = left < (UINT64_MAX - start) / ns ? start + left * ns : UINT64_MAX;
	while (m->stop == MACHINE_RUNNING) {
		if (m->reset_requested) {
			m->reset_requested = false;
			machine_reset(m);
		}
		if (c->icount >= max_insns)
			return m->stop = MACHINE_INSN_LIMIT;
		uint64_t until = icount_at(m, sched_next_deadline(&m->sched));
		if (until > max_insns)
			until = max_insns;
		enum cpu_exit why = cpu_run(c, until);
		sched_run_expired(&m->sched);
		if (why == CPU_EXIT_SHUTDOWN) {
			/* Triple fault: the chipset turns the shutdown cycle into a reset. */
			machine_reset(m);
		} else if (why == CPU_EXIT_HALT) {
			/* Only NMI or an unmasked INTR wakes a halted CPU; with IF
			 * clear a pending INTR does not. */
			if (!(c->eflags & F_IF) && !c->nmi_pending)
				return m->stop = MACHINE_HALTED;
			vtime_t next = sched_next_deadline(&m->sched);
			if (next == UINT64_MAX)
				return m->stop = MACHINE_IDLE_DEADLOCK;
			if (next > time_limit) {
				sched_skip_to(&m->sched, time_limit);
				return m->stop = MACHINE_INSN_LIMIT;
			}
			sched_skip_to(&m->sched, next);
		}
	}
	return m->stop;
}

int machine_exit_code(const struct machine *m) { return m->exit_code; }

/* ---- accessors for devices ---- */

struct cpu *machine_cpu(struct machine *m) { return &m->cpu; }
struct memmap *machine_mem(struct machine *m) { return &m->mem; }
struct ioport_table *machine_io(struct machine *m) { return &m->io; }
struct sched *machine_sched(struct machine *m) { return &m->sched; }
const struct machine_config *machine_config(const struct machine *m) { return &m->cfg; }

static void isa_irq_handler(void *opaque, int n, int level)
{
	struct machine *m = opaque;
	if (m->intc)
		m->intc->set_irq(m->intc_opaque, (unsigned)n, level);
}

struct irq_line machine_isa_irq(struct machine *m, unsigned n)
{
	return (struct irq_line){ isa_irq_handler, m, (int)n };
}

static void cpu_intr_handler(void *opaque, int n, int level)
{
	struct machine *m = opaque;
	(void)n;
	cpu_set_intr(&m->cpu, level != 0);
}

struct irq_line machine_cpu_intr(struct machine *m)
{
	return (struct irq_line){ cpu_intr_handler, m, 0 };
}

void machine_set_intc(struct machine *m, const struct intc_ops *ops, void *opaque)
{
	m->intc = ops;
	m->intc_opaque = opaque;
}

void *machine_device(struct machine *m, const char *name)
{
	for (unsigned d = 0; d < m->ndevices; d++)
		if (!strcmp(m->devices[d].cls->name, name))
			return m->devices[d].dev;
	return NULL;
}

void machine_set_a20(struct machine *m, bool enabled)
{
	m->a20 = enabled;
	cpu_set_a20(&m->cpu, enabled);
}

bool machine_a20(const struct machine *m) { return m->a20; }

void machine_request_reset(struct machine *m)
{
	m->reset_requested = true;
	cpu_request_exit(&m->cpu);
}

void machine_request_poweroff(struct machine *m)
{
	m->poweroff_requested = true;
	m->stop = MACHINE_POWEROFF;
	cpu_request_exit(&m->cpu);
}

bool machine_poweroff_requested(const struct machine *m) { return m->poweroff_requested; }

const uint8_t *machine_bios_rom(const struct machine *m, size_t *len)
{
	*len = m->bios_len;
	return m->bios_rom;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001B3ull;
	return h;
}

uint64_t machine_state_hash(struct machine *m)
{
	struct cpu *c = &m->cpu;
	uint64_t h = 0xCBF29CE484222325ull;
	for (unsigned r = 0; r < 8; r++)
		h = fnv1a(h, &c->r[r].d, 4);
	uint32_t fl = cpu_get_eflags(c);
	h = fnv1a(h, &fl, 4);
	h = fnv1a(h, &c->eip, 4);
	for (unsigned s = 0; s < 6; s++)
		h = fnv1a(h, &c->seg[s].sel, 2);
	h = fnv1a(h, &c->icount, 8);
	vtime_t now = sched_now(&m->sched);
	h = fnv1a(h, &now, 8);
	return fnv1a(h, m->mem.ram, m->mem.ram_size);
}
