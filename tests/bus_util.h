/*
 * Helpers for the chipset, UART and DMA tests: a full PC machine (not the
 * bare test machine), PCI configuration cycles through ports 0xCF8/0xCFC,
 * and an interrupt controller stand-in that records ISA IRQ levels.
 */
#ifndef POPEK_TESTS_BUS_UTIL_H
#define POPEK_TESTS_BUS_UTIL_H

#include "devices/machine.h"

struct irq_log {
	int level[16];
	unsigned raises[16]; /* 0->1 transitions seen */
};

/* A PC machine with 16 MiB of RAM and the given BIOS image (may be NULL);
 * other settings (serial sinks and sources) come from base (may be NULL). */
struct machine *bus_machine(const uint8_t *bios, size_t bios_len, const struct machine_config *base);
/* Route ISA IRQ levels into log (replaces any interrupt controller). */
void bus_log_irqs(struct machine *m, struct irq_log *log);

uint32_t cfg_read(struct machine *m, unsigned devfn, unsigned off, unsigned size);
void cfg_write(struct machine *m, unsigned devfn, unsigned off, uint32_t v, unsigned size);

uint32_t io_in(struct machine *m, uint16_t port, unsigned size);
void io_out(struct machine *m, uint16_t port, uint32_t v, unsigned size);
uint8_t inb(struct machine *m, uint16_t port);
void outb(struct machine *m, uint16_t port, uint8_t v);

/* Advance virtual time by ns without running the CPU (timers fire). */
void bus_skip(struct machine *m, vtime_t ns);

#endif
