/*
 * Shifts and rotates: ROL ROR RCL RCR SHL/SAL SHR SAR (groups C0 C1 D0-D3)
 * and the double shifts SHLD/SHRD (0F A4/A5/AC/AD). Intel SDM vol. 2B,
 * "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD", "SHRD".
 *
 * The count is masked to 5 bits for every operand size; a masked count of
 * 0 changes neither operand nor flags, although a memory operand is still
 * read (and so can fault). RCL/RCR rotate through CF modulo 9 or 17 for
 * 8- and 16-bit operands. A nonzero masked count that makes a whole turn
 * (ROL/ROR by a multiple of the size, RCL/RCR by 9/18/27 or 17) leaves
 * the operand as it was but still sets CF and OF from it, as the 80286
 * captures show for RCL/RCR (CF is then unchanged).
 *
 * Undefined flags (SDM leaves them open), chosen as follows:
 *  - OF for counts above 1 uses the count-1 formula: rotate left and shift
 *    left: MSB(result) XOR CF; rotate right and shift/double shift right:
 *    the XOR of the two top bits of the result (0 for SHR by 2 or more,
 *    as the 80286 data shows); SAR: 0.
 *  - AF after SHL/SHR/SAR/SHLD/SHRD is 0 (flags.c).
 *  - SHLD/SHRD on 16-bit operands with a count of 17-31 shift the 48-bit
 *    string dest:src:dest, so bits of the destination come back in.
 * Deviation: the 80386 sets CF/OF oddly for SHL/SHR r/m8 by 16 or 24; we
 * model the later behaviour (CF = 0 once every bit has left).
 */
#include "cpu/alu2_operand.h"
#include "cpu/ops.h"

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAR };

/* Rotate: the operand only; flags are applied after the write-back. */
ALU2_INLINE uint32_t rot_result(unsigned op, unsigned sz, uint32_t a, unsigned n, unsigned cf)
{
	unsigned bits = alu2_bits[sz];
	uint32_t mask = alu2_mask[sz];
	unsigned r;
	uint64_t v;
	switch (op) {
	case SH_ROL:
		r = n & (bits - 1);
		return r ? ((a << r) | (a >> (bits - r))) & mask : a;
	case SH_ROR:
		r = n & (bits - 1);
		return r ? ((a >> r) | (a << (bits - r))) & mask : a;
	case SH_RCL:
		/* bits+1-wide value CF:a; the caller reduced n below bits+1 */
		v = (uint64_t)cf << bits | a;
		v = (v << n) | (v >> (bits + 1 - n));
		return (uint32_t)v & mask;
	default:
		v = (uint64_t)cf << bits | a;
		v = (v >> n) | (v << (bits + 1 - n));
		return (uint32_t)v & mask;
	}
}

/* New CF of RCL/RCR: the last bit of CF:a rotated out of the operand. */
ALU2_INLINE unsigned rc_carry(unsigned op, unsigned sz, uint32_t a, unsigned n, unsigned cf)
{
	uint64_t v = (uint64_t)cf << alu2_bits[sz] | a;
	if (n == 0)
		return cf;
	if (op == SH_RCL)
		return (unsigned)(v >> (alu2_bits[sz] - n)) & 1;
	return (unsigned)(v >> (n - 1)) & 1;
}

/* RCL/RCR count reduced modulo 9 or 17 (may become 0: a whole turn). */
ALU2_INLINE unsigned rc_count(unsigned sz, unsigned n)
{
	return sz < 2 ? n % (alu2_bits[sz] + 1) : n;
}

ALU2_INLINE void rot_flags(struct cpu *c, unsigned op, unsigned sz, uint32_t res, unsigned cf)
{
	uint32_t s = alu2_sign[sz];
	unsigned msb = (res & s) != 0;
	unsigned of;
	switch (op) {
	case SH_ROL: cf = res & 1; of = msb ^ cf; break;
	case SH_ROR: cf = msb; of = msb ^ ((res & (s >> 1)) != 0); break;
	case SH_RCL: of = msb ^ cf; break;
	default: of = msb ^ ((res & (s >> 1)) != 0); break;
	}
	flags_put(c, F_CF | F_OF, (cf ? F_CF : 0) | (of ? F_OF : 0));
}

ALU2_INLINE uint32_t shift_result(unsigned op, unsigned sz, uint32_t a, unsigned n)
{
	switch (op) {
	case SH_SHL: return (a << n) & alu2_mask[sz];
	case SH_SHR: return a >> n;
	default: {
		unsigned up = 32 - alu2_bits[sz];
		return (uint32_t)(((int32_t)(a << up) >> up) >> n) & alu2_mask[sz];
	}
	}
}

ALU2_INLINE void shift_exec(struct cpu *c, const struct insn *i, unsigned op, unsigned sz,
			    bool mem, unsigned count)
{
	uint32_t off = e_off(c, i, mem);
	uint32_t a = e_get(c, i, mem, off, sz);
	unsigned n = count & 31;
	if (n == 0)
		return;
	if (op >= SH_SHL) {
		uint32_t res = shift_result(op, sz, a, n);
		e_put(c, i, mem, off, sz, res);
		lf_set(&c->lf, op == SH_SHL ? LF_SHL : op == SH_SHR ? LF_SHR : LF_SAR, sz, res, a, n);
		return;
	}
	unsigned cf = 0;
	if (op == SH_RCL || op == SH_RCR) {
		cf = lf_cf(&c->lf, c->eflags);
		n = rc_count(sz, n);
	}
	uint32_t res = rot_result(op, sz, a, n, cf);
	e_put(c, i, mem, off, sz, res);
	if (op == SH_RCL || op == SH_RCR)
		cf = rc_carry(op, sz, a, n, cf);
	rot_flags(c, op, sz, res, cf);
}

/* One handler per operation, count source (1, CL, Ib), size and form. */
#define SH_FORMS(name, op, sz, suf, cnt)                                         \
	void op_##name##_##suf##_r(struct cpu *c, const struct insn *i)          \
	{                                                                        \
		shift_exec(c, i, op, sz, false, cnt);                            \
	}                                                                        \
	void op_##name##_##suf##_m(struct cpu *c, const struct insn *i)          \
	{                                                                        \
		shift_exec(c, i, op, sz, true, cnt);                             \
	}
#define SH_ALL(name, op)                                                          \
	SH_FORMS(name, op, 0, Eb1, 1) SH_FORMS(name, op, 1, Ew1, 1)               \
	SH_FORMS(name, op, 2, Ed1, 1) SH_FORMS(name, op, 0, EbCL, c->r[R_ECX].b[0]) \
	SH_FORMS(name, op, 1, EwCL, c->r[R_ECX].b[0])                             \
	SH_FORMS(name, op, 2, EdCL, c->r[R_ECX].b[0]) SH_FORMS(name, op, 0, EbIb, i->imm) \
	SH_FORMS(name, op, 1, EwIb, i->imm) SH_FORMS(name, op, 2, EdIb, i->imm)

SH_ALL(ROL, SH_ROL)
SH_ALL(ROR, SH_ROR)
SH_ALL(RCL, SH_RCL)
SH_ALL(RCR, SH_RCR)
SH_ALL(SHL, SH_SHL)
SH_ALL(SHR, SH_SHR)
SH_ALL(SAR, SH_SAR)

/*
 * SHLD/SHRD: the destination is shifted with bits of the source (the G
 * register) coming in. The pattern is dest:src for 32 bits and
 * dest:src:dest for 16 bits (see the header comment for counts over 16).
 */
ALU2_INLINE void dshift_exec(struct cpu *c, const struct insn *i, bool left, unsigned sz,
			     bool mem, unsigned count)
{
	uint32_t off = e_off(c, i, mem);
	uint32_t a = e_get(c, i, mem, off, sz);
	unsigned n = count & 31;
	if (n == 0)
		return;
	uint32_t src = reg_get(c, i->reg, sz);
	uint64_t v;
	if (sz == 1)
		v = (uint64_t)a << 32 | (uint64_t)src << 16 | a;
	else
		v = left ? (uint64_t)a << 32 | src : (uint64_t)src << 32 | a;
	uint32_t res, cf;
	if (left) {
		res = (uint32_t)((v << n) >> 32) & alu2_mask[sz];
		cf = (uint32_t)(v >> ((sz == 1 ? 48 : 64) - n)) & 1;
	} else {
		res = (uint32_t)(v >> n) & alu2_mask[sz];
		cf = (uint32_t)(v >> (n - 1)) & 1;
	}
	e_put(c, i, mem, off, sz, res);
	uint32_t s = alu2_sign[sz];
	unsigned msb = (res & s) != 0;
	unsigned of = left ? msb ^ cf : msb ^ ((res & (s >> 1)) != 0);
	flags_put(c, F_ARITH, szp_flags(res, sz) | (cf ? F_CF : 0) | (of ? F_OF : 0));
}

#define DSH_FORMS(name, left, sz, suf, cnt)                                      \
	void op_##name##_##suf##_r(struct cpu *c, const struct insn *i)          \
	{                                                                        \
		dshift_exec(c, i, left, sz, false, cnt);                         \
	}                                                                        \
	void op_##name##_##suf##_m(struct cpu *c, const struct insn *i)          \
	{                                                                        \
		dshift_exec(c, i, left, sz, true, cnt);                          \
	}

DSH_FORMS(SHLD, true, 1, EwGwIb, i->imm)
DSH_FORMS(SHLD, true, 2, EdGdIb, i->imm)
DSH_FORMS(SHLD, true, 1, EwGwCL, c->r[R_ECX].b[0])
DSH_FORMS(SHLD, true, 2, EdGdCL, c->r[R_ECX].b[0])
DSH_FORMS(SHRD, false, 1, EwGwIb, i->imm)
DSH_FORMS(SHRD, false, 2, EdGdIb, i->imm)
DSH_FORMS(SHRD, false, 1, EwGwCL, c->r[R_ECX].b[0])
DSH_FORMS(SHRD, false, 2, EdGdCL, c->r[R_ECX].b[0])
