/*
 * The machine: one struct that owns the CPU, physical memory, the I/O port
 * table, the virtual-time scheduler and every device. No global state: two
 * machines run side by side in one process. The board is the one place where
 * the CPU and the devices meet.
 */
#ifndef POPEK_MACHINE_H
#define POPEK_MACHINE_H

#include "cpu/cpu.h"
#include "devices/blockdev.h"
#include "devices/device.h"
#include "devices/ioport.h"
#include "devices/irq.h"
#include "devices/sched.h"
#include "mem/memmap.h"

/* Output sink for byte streams (debug console, serial port). */
struct byte_sink {
	void (*write)(void *opaque, const uint8_t *data, size_t len);
	void *opaque;
};

/* Input source for byte streams (serial port input); returns bytes read. */
struct byte_source {
	size_t (*read)(void *opaque, uint8_t *data, size_t max);
	void *opaque;
};

struct machine_config {
	uint32_t ram_size;        /* bytes, multiple of 4 KiB, at least 1 MiB */
	uint64_t ns_per_insn;     /* virtual time per instruction (default 10 ns) */
	bool bare;                /* CPU + RAM + debug ports only (tests) */
	const uint8_t *bios;      /* BIOS image (copied), mapped below 4 GiB and 1 MiB */
	size_t bios_len;
	const uint8_t *vgabios;   /* VGA option ROM (copied), NULL for none */
	size_t vgabios_len;
	struct byte_sink debugcon;   /* port 0xE9 */
	struct byte_sink firmware_log; /* port 0x402 (SeaBIOS debug output) */
	struct byte_sink serial[2];  /* COM1, COM2 */
	struct byte_source serial_in[2];
	int64_t rtc_start;        /* seconds since the epoch for the RTC */
	unsigned boot_order[4];   /* boot devices for CMOS: 1 floppy, 2 hdd, 3 cdrom */
	struct blockdev drives[DRIVE_COUNT]; /* kind BLOCKDEV_NONE = empty slot */
};

enum machine_stop {
	MACHINE_RUNNING,
	MACHINE_HALTED,        /* HLT with interrupts disabled: nothing can wake it */
	MACHINE_DEBUG_EXIT,    /* write to port 0xF4 (exit code in machine_exit_code) */
	MACHINE_POWEROFF,      /* ACPI/chipset power-off */
	MACHINE_INSN_LIMIT,    /* the instruction budget ran out */
	MACHINE_IDLE_DEADLOCK, /* HLT with IF=1 but no timer armed and no interrupt pending */
};

struct machine;

struct machine *machine_new(const struct machine_config *cfg, char *err, size_t errlen);
void machine_free(struct machine *m);
void machine_reset(struct machine *m);
/* Run until a stop condition or until the CPU has retired max_insns in all;
 * while halted with IF set, virtual time stands in for instructions: the run
 * also ends (MACHINE_INSN_LIMIT) once as much time has passed as the
 * remaining instructions would have taken (ns_per_insn each). */
enum machine_stop machine_run(struct machine *m, uint64_t max_insns);
int machine_exit_code(const struct machine *m);

/* For devices and tests */
struct cpu *machine_cpu(struct machine *m);
struct memmap *machine_mem(struct machine *m);
struct ioport_table *machine_io(struct machine *m);
struct sched *machine_sched(struct machine *m);
const struct machine_config *machine_config(const struct machine *m);
/* ISA interrupt line n (0-15) as the board routes it (8259A pair). */
struct irq_line machine_isa_irq(struct machine *m, unsigned n);
/* The device created from the class of that name, or NULL. */
void *machine_device(struct machine *m, const char *name);
void machine_set_a20(struct machine *m, bool enabled);
bool machine_a20(const struct machine *m);
void machine_request_reset(struct machine *m);
void machine_request_poweroff(struct machine *m);
/* True from a power-off request until the next reset. */
bool machine_poweroff_requested(const struct machine *m);
/* Report a device or configuration error (first one wins). */
void machine_error(struct machine *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The BIOS ROM as mapped (for shadow-RAM control). */
const uint8_t *machine_bios_rom(const struct machine *m, size_t *len);
/* Hash of the architectural state (CPU registers, RAM) for determinism tests. */
uint64_t machine_state_hash(struct machine *m);



/* The interrupt controller (the 8259A pair) registers itself here; until one
 * does, ISA interrupt lines go nowhere. */
struct intc_ops {
	void (*set_irq)(void *opaque, unsigned irq, int level);
	uint8_t (*ack)(void *opaque); /* INTA cycle: the vector to deliver */
};
void machine_set_intc(struct machine *m, const struct intc_ops *ops, void *opaque);
/* The CPU's INTR input, for the interrupt controller's output. */
struct irq_line machine_cpu_intr(struct machine *m);

/* The device classes of a PC, in creation order (pc_devices.c). */
extern const struct device_class *const pc_device_classes[];
#endif
