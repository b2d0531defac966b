/*
 * Port I/O: IN and OUT with an immediate port or DX, 8/16/32-bit (Intel SDM
 * vol. 2, IN and OUT; vol. 1, ch. 19 "Input/Output"). The permission check
 * (IOPL and the TSS I/O bitmap) is cpu_check_io; the port space is the
 * board's, reached through the CPU callbacks. INS/OUTS are in ops_string.c.
 */
#include "cpu/ops.h"

#include "cpu/seg.h"

static uint32_t port_in(struct cpu *c, uint16_t port, unsigned size)
{
	cpu_check_io(c, port, size);
	cpu_sync_icount(c);
	return c->cb.io_read(c->cb.opaque, port, size);
}

static void port_out(struct cpu *c, uint16_t port, uint32_t v, unsigned size)
{
	cpu_check_io(c, port, size);
	cpu_sync_icount(c);
	c->cb.io_write(c->cb.opaque, port, v, size);
}

static uint16_t imm_port(const struct insn *i) { return (uint16_t)(i->imm & 0xFF); }

void op_IN_ALIb(struct cpu *c, const struct insn *i)
{
	c->r[R_EAX].b[0] = (uint8_t)port_in(c, imm_port(i), 1);
}

void op_IN_AXIb(struct cpu *c, const struct insn *i)
{
	c->r[R_EAX].w = (uint16_t)port_in(c, imm_port(i), 2);
}

void op_IN_EAXIb(struct cpu *c, const struct insn *i)
{
	c->r[R_EAX].d = port_in(c, imm_port(i), 4);
}

void op_IN_ALDX(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EAX].b[0] = (uint8_t)port_in(c, c->r[R_EDX].w, 1);
}

void op_IN_AXDX(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EAX].w = (uint16_t)port_in(c, c->r[R_EDX].w, 2);
}

void op_IN_EAXDX(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EAX].d = port_in(c, c->r[R_EDX].w, 4);
}

void op_OUT_IbAL(struct cpu *c, const struct insn *i) { port_out(c, imm_port(i), c->r[R_EAX].b[0], 1); }
void op_OUT_IbAX(struct cpu *c, const struct insn *i) { port_out(c, imm_port(i), c->r[R_EAX].w, 2); }
void op_OUT_IbEAX(struct cpu *c, const struct insn *i) { port_out(c, imm_port(i), c->r[R_EAX].d, 4); }

void op_OUT_DXAL(struct cpu *c, const struct insn *i)
{
	(void)i;
	port_out(c, c->r[R_EDX].w, c->r[R_EAX].b[0], 1);
}

void op_OUT_DXAX(struct cpu *c, const struct insn *i)
{
	(void)i;
	port_out(c, c->r[R_EDX].w, c->r[R_EAX].w, 2);
}

void op_OUT_DXEAX(struct cpu *c, const struct insn *i)
{
	(void)i;
	port_out(c, c->r[R_EDX].w, c->r[R_EAX].d, 4);
}
