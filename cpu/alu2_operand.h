/*
 * Operand access shared by the shift, multiply, BCD, bit and extension
 * handlers (ops_shift.c, ops_muldiv.c, ops_bcd.c, ops_bit.c, ops_ext.c).
 * Sizes are indices: 0 = 8-bit, 1 = 16-bit, 2 = 32-bit, as in lazy_flags.
 * Every function is meant to be inlined with a constant size, so the
 * switches fold away and each handler is a straight line.
 */
#ifndef POPEK_ALU2_OPERAND_H
#define POPEK_ALU2_OPERAND_H

#include "cpu/mmu.h"

#define ALU2_INLINE static inline __attribute__((always_inline))

static const uint32_t alu2_mask[3] = { 0xFFu, 0xFFFFu, 0xFFFFFFFFu };
static const uint32_t alu2_sign[3] = { 0x80u, 0x8000u, 0x80000000u };
static const unsigned alu2_bits[3] = { 8, 16, 32 };

/* General register n at size sz (8-bit numbering AL..BH). */
ALU2_INLINE uint32_t reg_get(struct cpu *c, unsigned n, unsigned sz)
{
	switch (sz) {
	case 0: return *cpu_reg8(c, n);
	case 1: return c->r[n].w;
	default: return c->r[n].d;
	}
}

ALU2_INLINE void reg_put(struct cpu *c, unsigned n, unsigned sz, uint32_t v)
{
	switch (sz) {
	case 0: *cpu_reg8(c, n) = (uint8_t)v; break;
	case 1: c->r[n].w = (uint16_t)v; break;
	default: c->r[n].d = v; break;
	}
}

ALU2_INLINE uint32_t mem_get(struct cpu *c, unsigned s, uint32_t off, unsigned sz)
{
	switch (sz) {
	case 0: return cpu_rd8(c, s, off);
	case 1: return cpu_rd16(c, s, off);
	default: return cpu_rd32(c, s, off);
	}
}

ALU2_INLINE void mem_put(struct cpu *c, unsigned s, uint32_t off, unsigned sz, uint32_t v)
{
	switch (sz) {
	case 0: cpu_wr8(c, s, off, (uint8_t)v); break;
	case 1: cpu_wr16(c, s, off, (uint16_t)v); break;
	default: cpu_wr32(c, s, off, v); break;
	}
}

/* Load at a host pointer from cpu_fast_ptr (cpu/mmu.h). */
ALU2_INLINE uint32_t host_get(const uint8_t *p, unsigned sz)
{
	switch (sz) {
	case 0: return host_ld8(p);
	case 1: return host_ld16(p);
	default: return host_ld32(p);
	}
}

/* The E operand: register i->rm, or memory at offset off in segment i->seg. */
ALU2_INLINE uint32_t e_get(struct cpu *c, const struct insn *i, bool mem, uint32_t off, unsigned sz)
{
	return mem ? mem_get(c, i->seg, off, sz) : reg_get(c, i->rm, sz);
}

ALU2_INLINE void e_put(struct cpu *c, const struct insn *i, bool mem, uint32_t off, unsigned sz,
		       uint32_t v)
{
	if (mem)
		mem_put(c, i->seg, off, sz, v);
	else
		reg_put(c, i->rm, sz, v);
}

ALU2_INLINE uint32_t e_off(const struct cpu *c, const struct insn *i, bool mem)
{
	return mem ? insn_ea(c, i) : 0;
}

/* Replace some arithmetic flags eagerly: fold the lazy state in first,
 * unless all six are replaced (MUL, IMUL), when it would be discarded. */
ALU2_INLINE void flags_put(struct cpu *c, uint32_t which, uint32_t values)
{
	uint32_t f = (which & F_ARITH) == F_ARITH ? c->eflags | 0x2 : cpu_get_eflags(c);
	c->eflags = (f & ~which) | (values & which);
	c->lf.kind = LF_NONE;
}

ALU2_INLINE uint32_t parity_flag(uint32_t v)
{
	return __builtin_parity(v & 0xFF) ? 0 : F_PF;
}

/* SF, ZF and PF of a result of size sz. */
ALU2_INLINE uint32_t szp_flags(uint32_t v, unsigned sz)
{
	v &= alu2_mask[sz];
	return (v & alu2_sign[sz] ? F_SF : 0) | (v ? 0 : F_ZF) | parity_flag(v);
}

#endif
