/* Protected-mode interrupt delivery through the IDT: comes with the
 * protected-mode work (issue 3). Until then a protected-mode interrupt shuts
 * the CPU down, as a triple fault would. */
#include "cpu/interrupt.h"

void cpu_interrupt_prot(struct cpu *c, unsigned vector, enum int_kind kind, int32_t error,
			uint32_t return_eip)
{
	(void)vector;
	(void)kind;
	(void)error;
	(void)return_eip;
	c->shutdown = true;
	cpu_kick(c);
}
