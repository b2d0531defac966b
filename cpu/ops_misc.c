/* Miscellaneous instructions: NOP, HLT. */
#include "cpu/ops.h"

void op_NOP(struct cpu *c, const struct insn *i)
{
	(void)c;
	(void)i;
}

void op_HLT(struct cpu *c, const struct insn *i)
{
	(void)i;
	if (c->cpl != 0)
		cpu_raise(c, EXC_GP, 0);
	c->halted = true;
	cpu_kick(c);
}
