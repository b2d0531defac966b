/*
 * Interrupt and exception delivery (SDM vol. 3, ch. 6). Real mode goes
 * through the IVT; protected mode and virtual-8086 mode through the IDT
 * (interrupt, trap and task gates) in cpu_interrupt_prot.
 */
#ifndef POPEK_INTERRUPT_H
#define POPEK_INTERRUPT_H

#include "cpu/cpu.h"

enum int_kind {
	INT_EXCEPTION, /* fault or trap raised by the CPU; may push an error code */
	INT_SOFTWARE,  /* INT n, INT3, INTO: gate DPL checked against CPL */
	INT_HARDWARE,  /* INTR or NMI */
	INT_ICEBP,     /* F1: like an exception (no DPL check), vector 1 */
};

/* Deliver vector: push the frame, load the handler. return_eip is the EIP
 * saved in the frame (faulting instruction, or the next one for traps). */
void cpu_interrupt(struct cpu *c, unsigned vector, enum int_kind kind, int32_t error,
		   uint32_t return_eip);
void cpu_interrupt_prot(struct cpu *c, unsigned vector, enum int_kind kind, int32_t error,
			uint32_t return_eip);
/* Load a segment register in real or virtual-8086 mode: base = sel << 4. */
void seg_load_real(struct cpu *c, unsigned s, uint16_t sel);

#endif
