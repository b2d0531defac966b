/*
 * Multiply and divide: MUL/IMUL/DIV/IDIV (F6/F7 /4-/7) on 8, 16 and 32 bits,
 * and the two- and three-operand IMUL (0F AF, 69, 6B). Intel SDM vol. 2A/2B,
 * "MUL", "IMUL", "DIV", "IDIV".
 *
 * MUL/IMUL set CF = OF when the upper half of the product is significant.
 * Their SF, ZF, AF and PF are undefined in the SDM; we follow the 80286
 * captured in SingleStepTests (Harris N80C286): SF, ZF and PF come from the
 * upper half of the double-width product (SF its top bit, ZF set when it is
 * zero, PF from its low byte) and AF is set. The data shows this for
 * F6/F7 /4 /5 and for 69/6B alike. Later CPUs may differ (deviation).
 * DIV/IDIV leave every flag unchanged. A zero divisor or a quotient that
 * does not fit raises #DE before any register changes.
 */
#include "cpu/alu2_operand.h"
#include "cpu/ops.h"

static inline int64_t sext(uint64_t v, unsigned bits)
{
	return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}

ALU2_INLINE uint32_t src_get(struct cpu *c, const struct insn *i, bool mem, unsigned sz)
{
	return e_get(c, i, mem, e_off(c, i, mem), sz);
}

/* Flags of any multiply: hi is the upper half of the product. */
ALU2_INLINE void mul_flags(struct cpu *c, uint32_t hi, unsigned sz, bool wide)
{
	flags_put(c, F_ARITH, szp_flags(hi, sz) | F_AF | (wide ? F_CF | F_OF : 0));
}

/* Store a double-width product or a quotient/remainder pair in the
 * accumulator (AX for bytes, DX:AX, EDX:EAX). */
ALU2_INLINE void acc_put(struct cpu *c, unsigned sz, uint32_t lo, uint32_t hi)
{
	if (sz == 0) {
		c->r[R_EAX].w = (uint16_t)((hi & 0xFF) << 8 | (lo & 0xFF));
	} else {
		reg_put(c, R_EAX, sz, lo);
		reg_put(c, R_EDX, sz, hi);
	}
}

ALU2_INLINE void mul_exec(struct cpu *c, const struct insn *i, unsigned sz, bool mem, bool sgn)
{
	unsigned bits = alu2_bits[sz];
	uint32_t mask = alu2_mask[sz];
	uint64_t a = reg_get(c, R_EAX, sz), b = src_get(c, i, mem, sz);
	uint64_t p = sgn ? (uint64_t)(sext(a, bits) * sext(b, bits)) : a * b;
	uint32_t lo = (uint32_t)p & mask, hi = (uint32_t)(p >> bits) & mask;
	bool wide = sgn ? sext(p, 2 * bits) != sext(lo, bits) : hi != 0;
	acc_put(c, sz, lo, hi);
	mul_flags(c, hi, sz, wide);
}

/* IMUL Gv,Ev[,imm]: the product truncated to the operand size. */
ALU2_INLINE void imul_exec(struct cpu *c, const struct insn *i, unsigned sz, bool mem, uint32_t b)
{
	unsigned bits = alu2_bits[sz];
	uint32_t mask = alu2_mask[sz];
	int64_t p = sext(src_get(c, i, mem, sz), bits) * sext(b & mask, bits);
	uint32_t lo = (uint32_t)p & mask, hi = (uint32_t)((uint64_t)p >> bits) & mask;
	reg_put(c, i->reg, sz, lo);
	mul_flags(c, hi, sz, p != sext(lo, bits));
}

_Noreturn static void divide_error(struct cpu *c) { cpu_raise(c, EXC_DE, EXC_NO_ERROR); }

ALU2_INLINE void div_exec(struct cpu *c, const struct insn *i, unsigned sz, bool mem, bool sgn)
{
	unsigned bits = alu2_bits[sz];
	uint32_t mask = alu2_mask[sz];
	uint64_t d = src_get(c, i, mem, sz);
	uint64_t n = sz == 0 ? c->r[R_EAX].w
			     : (uint64_t)reg_get(c, R_EDX, sz) << bits | reg_get(c, R_EAX, sz);
	if (d == 0)
		divide_error(c);
	uint64_t q, r;
	if (sgn) {
		int64_t sn = sext(n, 2 * bits), sd = sext(d, bits);
		/* INT64_MIN / -1 overflows in C too: it is always a #DE */
		if (sd == -1 && sn == INT64_MIN)
			divide_error(c);
		int64_t sq = sn / sd;
		if (sq < -(int64_t)alu2_sign[sz] || sq > (int64_t)alu2_sign[sz] - 1)
			divide_error(c);
		q = (uint64_t)sq;
		r = (uint64_t)(sn % sd);
	} else {
		q = n / d;
		r = n % d;
		if (q > mask)
			divide_error(c);
	}
	acc_put(c, sz, (uint32_t)q & mask, (uint32_t)r & mask);
}

#define MD_FORMS(name, exec, sz, sgn)                                            \
	void op_##name##_r(struct cpu *c, const struct insn *i)                  \
	{                                                                        \
		exec(c, i, sz, false, sgn);                                      \
	}                                                                        \
	void op_##name##_m(struct cpu *c, const struct insn *i)                  \
	{                                                                        \
		exec(c, i, sz, true, sgn);                                       \
	}

MD_FORMS(MUL_Eb, mul_exec, 0, false)
MD_FORMS(MUL_Ew, mul_exec, 1, false)
MD_FORMS(MUL_Ed, mul_exec, 2, false)
MD_FORMS(IMUL_Eb, mul_exec, 0, true)
MD_FORMS(IMUL_Ew, mul_exec, 1, true)
MD_FORMS(IMUL_Ed, mul_exec, 2, true)
MD_FORMS(DIV_Eb, div_exec, 0, false)
MD_FORMS(DIV_Ew, div_exec, 1, false)
MD_FORMS(DIV_Ed, div_exec, 2, false)
MD_FORMS(IDIV_Eb, div_exec, 0, true)
MD_FORMS(IDIV_Ew, div_exec, 1, true)
MD_FORMS(IDIV_Ed, div_exec, 2, true)

MD_FORMS(IMUL_GwEw, imul_exec, 1, c->r[i->reg].w)
MD_FORMS(IMUL_GdEd, imul_exec, 2, c->r[i->reg].d)
MD_FORMS(IMUL_GwEwIw, imul_exec, 1, i->imm)
MD_FORMS(IMUL_GdEdId, imul_exec, 2, i->imm)
MD_FORMS(IMUL_GwEwIb, imul_exec, 1, i->imm)
MD_FORMS(IMUL_GdEdIb, imul_exec, 2, i->imm)
