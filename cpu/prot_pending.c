/*
 * Protected-mode halves of seg.c that are not written yet (protected-mode
 * work, issue 3). Until then each raises #GP(0), so a guest that enters
 * protected mode fails loudly at the first descriptor it needs. Delete each
 * function from here when its real version lands in a prot_*.c file.
 */
#include "cpu/seg.h"

void seg_load_prot(struct cpu *c, unsigned s, uint16_t sel)
{
	(void)s;
	(void)sel;
	cpu_raise(c, EXC_GP, 0);
}

void far_jmp_prot(struct cpu *c, uint16_t sel, uint32_t off, bool o32)
{
	(void)sel;
	(void)off;
	(void)o32;
	cpu_raise(c, EXC_GP, 0);
}

void far_call_prot(struct cpu *c, uint16_t sel, uint32_t off, bool o32)
{
	(void)sel;
	(void)off;
	(void)o32;
	cpu_raise(c, EXC_GP, 0);
}

void far_ret_prot(struct cpu *c, bool o32, uint16_t pop_bytes)
{
	(void)o32;
	(void)pop_bytes;
	cpu_raise(c, EXC_GP, 0);
}

void iret_prot(struct cpu *c, bool o32)
{
	(void)o32;
	cpu_raise(c, EXC_GP, 0);
}

void iret_v86(struct cpu *c, bool o32)
{
	(void)o32;
	cpu_raise(c, EXC_GP, 0);
}

bool io_allowed_prot(struct cpu *c, uint16_t port, unsigned size)
{
	(void)c;
	(void)port;
	(void)size;
	return false;
}
