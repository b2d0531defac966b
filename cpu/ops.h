/* Prototypes of every instruction handler named in opcodes.def. */
#ifndef POPEK_OPS_H
#define POPEK_OPS_H

#include "cpu/cpu.h"

#define OPS_DECL(h) void h(struct cpu *c, const struct insn *i);
#define OPC_OP(idx, mn, ops, h16, h32, fl) OPS_DECL(h16) OPS_DECL(h32)
#define OPC_OPMR OPC_OP
#define OPC_OPM(idx, mn, ops, h16, h32, fl) \
	OPS_DECL(h16##_r) OPS_DECL(h16##_m) OPS_DECL(h32##_r) OPS_DECL(h32##_m)
#define OPC_OPMM(idx, mn, ops, h16, h32, fl) OPS_DECL(h16##_m) OPS_DECL(h32##_m)
#define OPC_GRP(idx, mn, ops, h16, h32, fl)
#define OPC_PFX(idx, mn, ops, h16, h32, fl)
#define OPC(kind, idx, mn, ops, h16, h32, fl) OPC_##kind(idx, mn, ops, h16, h32, fl)
#define GROW(g, reg, kind, mn, ops, h16, h32, fl) OPC_##kind(0, mn, ops, h16, h32, fl)
#include "cpu/opcodes.def"
#undef OPC
#undef GROW
#undef OPC_OP
#undef OPC_OPMR
#undef OPC_OPM
#undef OPC_OPMM
#undef OPC_GRP
#undef OPC_PFX
#undef OPS_DECL

void op_UD(struct cpu *c, const struct insn *i);

/* Near branch targets, for the handlers here and the per-condition ones of
 * ops_fast.c. A target beyond the CS limit raises #GP(0) at the branch;
 * with a 16-bit operand size the target wraps at 64 KiB. */
static inline void near_to(struct cpu *c, uint32_t target)
{
	if (target > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, 0);
	c->next_eip = target;
}

static inline uint32_t rel16(const struct cpu *c, const struct insn *i)
{
	return (c->next_eip + i->imm) & 0xFFFF;
}

static inline uint32_t rel32(const struct cpu *c, const struct insn *i) { return c->next_eip + i->imm; }

#endif
