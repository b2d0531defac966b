/*
 * Bit test and scan: BT BTS BTR BTC (0F A3/AB/B3/BB with a register offset,
 * 0F BA /4-/7 with an immediate) and BSF/BSR (0F BC/BD). Intel SDM vol. 2A,
 * "BT", "BTC", "BTR", "BTS", "BSF", "BSR".
 *
 * With a memory operand and a register offset the offset is signed and
 * addresses the whole bit string: the operand moves by (offset >> 4) * 2
 * or (offset >> 5) * 4 bytes (arithmetic shift) from the effective address,
 * wrapped by the address size. An immediate offset, and any offset on a
 * register operand, is taken modulo the operand size.
 *
 * Flags: BTx set CF to the selected bit and leave every other flag as it
 * was (ZF is documented unaffected; OF SF AF PF are undefined and we keep
 * them). BSF/BSR set ZF when the source is 0 and then leave the destination
 * unchanged; CF OF SF AF PF are undefined and kept.
 */
#include "cpu/alu2_operand.h"
#include "cpu/ops.h"

enum { BIT_T, BIT_S, BIT_R, BIT_C };

ALU2_INLINE uint32_t bit_apply(unsigned op, uint32_t v, uint32_t m)
{
	switch (op) {
	case BIT_S: return v | m;
	case BIT_R: return v & ~m;
	case BIT_C: return v ^ m;
	default: return v;
	}
}

/* imm: the offset comes from the immediate, else from the G register. */
ALU2_INLINE void bit_exec(struct cpu *c, const struct insn *i, unsigned op, unsigned sz, bool mem,
			  bool imm)
{
	unsigned bits = alu2_bits[sz];
	uint32_t sel = imm ? i->imm : reg_get(c, i->reg, sz);
	uint32_t off = e_off(c, i, mem);
	if (mem && !imm) {
		int32_t s = sz == 1 ? (int16_t)sel : (int32_t)sel;
		off = (off + (uint32_t)((s >> (sz == 1 ? 4 : 5)) * (int32_t)(bits / 8))) & i->amask;
	}
	uint32_t m = 1u << (sel & (bits - 1));
	uint32_t v = e_get(c, i, mem, off, sz);
	if (op != BIT_T)
		e_put(c, i, mem, off, sz, bit_apply(op, v, m));
	flags_put(c, F_CF, (v & m) ? F_CF : 0);
}

#define BIT_FORMS(name, op, sz, imm)                                             \
	void op_##name##_r(struct cpu *c, const struct insn *i)                  \
	{                                                                        \
		bit_exec(c, i, op, sz, false, imm);                              \
	}                                                                        \
	void op_##name##_m(struct cpu *c, const struct insn *i)                  \
	{                                                                        \
		bit_exec(c, i, op, sz, true, imm);                               \
	}

BIT_FORMS(BT_EwGw, BIT_T, 1, false)
BIT_FORMS(BT_EdGd, BIT_T, 2, false)
BIT_FORMS(BTS_EwGw, BIT_S, 1, false)
BIT_FORMS(BTS_EdGd, BIT_S, 2, false)
BIT_FORMS(BTR_EwGw, BIT_R, 1, false)
BIT_FORMS(BTR_EdGd, BIT_R, 2, false)
BIT_FORMS(BTC_EwGw, BIT_C, 1, false)
BIT_FORMS(BTC_EdGd, BIT_C, 2, false)
BIT_FORMS(BT_EwIb, BIT_T, 1, true)
BIT_FORMS(BT_EdIb, BIT_T, 2, true)
BIT_FORMS(BTS_EwIb, BIT_S, 1, true)
BIT_FORMS(BTS_EdIb, BIT_S, 2, true)
BIT_FORMS(BTR_EwIb, BIT_R, 1, true)
BIT_FORMS(BTR_EdIb, BIT_R, 2, true)
BIT_FORMS(BTC_EwIb, BIT_C, 1, true)
BIT_FORMS(BTC_EdIb, BIT_C, 2, true)

ALU2_INLINE void scan_exec(struct cpu *c, const struct insn *i, bool rev, unsigned sz, bool mem)
{
	uint32_t v = e_get(c, i, mem, e_off(c, i, mem), sz);
	if (v == 0) {
		flags_put(c, F_ZF, F_ZF);
		return;
	}
	reg_put(c, i->reg, sz, rev ? 31u - (unsigned)__builtin_clz(v) : (unsigned)__builtin_ctz(v));
	flags_put(c, F_ZF, 0);
}

#define SCAN_FORMS(name, rev, sz)                                                \
	void op_##name##_r(struct cpu *c, const struct insn *i)                  \
	{                                                                        \
		scan_exec(c, i, rev, sz, false);                                 \
	}                                                                        \
	void op_##name##_m(struct cpu *c, const struct insn *i)                  \
	{                                                                        \
		scan_exec(c, i, rev, sz, true);                                  \
	}

SCAN_FORMS(BSF_GwEw, false, 1)
SCAN_FORMS(BSF_GdEd, false, 2)
SCAN_FORMS(BSR_GwEw, true, 1)
SCAN_FORMS(BSR_GdEd, true, 2)
