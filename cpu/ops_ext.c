/*
 * 386/486/Pentium extensions: SETcc (0F 90-9F), CMOVcc (0F 40-4F), MOVZX
 * and MOVSX (0F B6/B7/BE/BF), BSWAP (0F C8-CF), XADD (0F C0/C1), CMPXCHG
 * (0F B0/B1) and CMPXCHG8B (0F C7 /1). Intel SDM vol. 2, each instruction.
 *
 * CMOVcc reads a memory source whatever the condition; with a false
 * condition the destination is untouched (32-bit: no zero-extension,
 * that only happens in 64-bit mode). CMPXCHG and CMPXCHG8B always write
 * the destination, with its own value when the comparison fails, so a
 * read-only destination faults either way. BSWAP with a 16-bit operand
 * is undefined; like Intel and AMD parts we clear the low 16 bits.
 * LOCK needs no work: the guest CPU is the only writer of guest memory.
 * The memory forms of CMOVcc, MOVZX and MOVSX try the frameless fast path
 * of cpu/mmu.h (cpu_fast_ptr) and otherwise run a slow twin.
 */
#include "cpu/alu2_operand.h"
#include "cpu/ops.h"

void op_SETcc_Eb_r(struct cpu *c, const struct insn *i)
{
	*cpu_reg8(c, i->rm) = lf_cond(&c->lf, c->eflags, i->op & 0xF);
}

void op_SETcc_Eb_m(struct cpu *c, const struct insn *i)
{
	cpu_wr8(c, i->seg, insn_ea(c, i), lf_cond(&c->lf, c->eflags, i->op & 0xF));
}

ALU2_INLINE void cmov_exec(struct cpu *c, const struct insn *i, unsigned sz, bool mem)
{
	uint32_t v = e_get(c, i, mem, e_off(c, i, mem), sz);
	if (lf_cond(&c->lf, c->eflags, i->op & 0xF))
		reg_put(c, i->reg, sz, v);
}


/* Load E of size esz into G of size gsz, zero- or sign-extended. */
ALU2_INLINE void movx_exec(struct cpu *c, const struct insn *i, unsigned gsz, unsigned esz,
			   bool sx, bool mem)
{
	uint32_t v = e_get(c, i, mem, e_off(c, i, mem), esz);
	reg_put(c, i->reg, gsz, sx ? (uint32_t)lf_sext(v, esz) : v);
}

#define EXT_FORMS(name, call_r, call_m)                                          \
	void op_##name##_r(struct cpu *c, const struct insn *i) { call_r; }      \
	void op_##name##_m(struct cpu *c, const struct insn *i) { call_m; }

/* Register form, and a memory form whose fast path reads E at a host
 * pointer (value v in fast_m) and otherwise tail-calls a slow twin running
 * call_m, so that the fast path needs no stack frame (cpu/mmu.h,
 * cpu_fast_ptr). esz: the size index of E. */
#define EXT_LOAD_FORMS(name, esz, call_r, call_m, fast_m)                               \
	void op_##name##_r(struct cpu *c, const struct insn *i) { call_r; }             \
	static MMU_SLOW void op_##name##_m_slow(struct cpu *c, const struct insn *i)    \
	{                                                                               \
		call_m;                                                                 \
	}                                                                               \
	void op_##name##_m(struct cpu *c, const struct insn *i)                         \
	{                                                                               \
		uint8_t *p;                                                             \
		if (unlikely(!cpu_fast_ptr(c, i->seg, insn_ea(c, i), 1u << (esz), false, &p))) { \
			op_##name##_m_slow(c, i);                                       \
			return;                                                         \
		}                                                                       \
		uint32_t v = host_get(p, esz);                                          \
		fast_m;                                                                 \
	}

/* The fast-path halves of cmov_exec and movx_exec, given E's value v. */
#define CMOV_FAST(sz)                                                                   \
	if (lf_cond(&c->lf, c->eflags, i->op & 0xF))                                    \
		reg_put(c, i->reg, sz, v)
#define MOVX_FAST(gsz, esz, sx)                                                         \
	reg_put(c, i->reg, gsz, (sx) ? (uint32_t)lf_sext(v, esz) : v)

EXT_LOAD_FORMS(CMOVcc_GwEw, 1, cmov_exec(c, i, 1, false), cmov_exec(c, i, 1, true), CMOV_FAST(1))
EXT_LOAD_FORMS(CMOVcc_GdEd, 2, cmov_exec(c, i, 2, false), cmov_exec(c, i, 2, true), CMOV_FAST(2))
EXT_LOAD_FORMS(MOVZX_GwEb, 0, movx_exec(c, i, 1, 0, false, false), movx_exec(c, i, 1, 0, false, true),
	       MOVX_FAST(1, 0, false))
EXT_LOAD_FORMS(MOVZX_GdEb, 0, movx_exec(c, i, 2, 0, false, false), movx_exec(c, i, 2, 0, false, true),
	       MOVX_FAST(2, 0, false))
EXT_LOAD_FORMS(MOVZX_GwEw, 1, movx_exec(c, i, 1, 1, false, false), movx_exec(c, i, 1, 1, false, true),
	       MOVX_FAST(1, 1, false))
EXT_LOAD_FORMS(MOVZX_GdEw, 1, movx_exec(c, i, 2, 1, false, false), movx_exec(c, i, 2, 1, false, true),
	       MOVX_FAST(2, 1, false))
EXT_LOAD_FORMS(MOVSX_GwEb, 0, movx_exec(c, i, 1, 0, true, false), movx_exec(c, i, 1, 0, true, true),
	       MOVX_FAST(1, 0, true))
EXT_LOAD_FORMS(MOVSX_GdEb, 0, movx_exec(c, i, 2, 0, true, false), movx_exec(c, i, 2, 0, true, true),
	       MOVX_FAST(2, 0, true))
EXT_LOAD_FORMS(MOVSX_GwEw, 1, movx_exec(c, i, 1, 1, true, false), movx_exec(c, i, 1, 1, true, true),
	       MOVX_FAST(1, 1, true))
EXT_LOAD_FORMS(MOVSX_GdEw, 1, movx_exec(c, i, 2, 1, true, false), movx_exec(c, i, 2, 1, true, true),
	       MOVX_FAST(2, 1, true))

void op_BSWAP_Rd(struct cpu *c, const struct insn *i)
{
	c->r[i->reg].d = __builtin_bswap32(c->r[i->reg].d);
}

void op_BSWAP_Rw(struct cpu *c, const struct insn *i)
{
	c->r[i->reg].w = 0;
}

/* XADD: the destination gets the sum, the source register the old
 * destination. The destination is written last, so XADD r,r with the
 * same register leaves the sum. */
ALU2_INLINE void xadd_exec(struct cpu *c, const struct insn *i, unsigned sz, bool mem)
{
	uint32_t off = e_off(c, i, mem);
	uint32_t d = e_get(c, i, mem, off, sz), s = reg_get(c, i->reg, sz);
	uint32_t sum = (d + s) & alu2_mask[sz];
	if (mem) {
		mem_put(c, i->seg, off, sz, sum);
		reg_put(c, i->reg, sz, d);
	} else {
		reg_put(c, i->reg, sz, d);
		reg_put(c, i->rm, sz, sum);
	}
	lf_set(&c->lf, LF_ADD, sz, sum, d, s);
}

EXT_FORMS(XADD_EbGb, xadd_exec(c, i, 0, false), xadd_exec(c, i, 0, true))
EXT_FORMS(XADD_EwGw, xadd_exec(c, i, 1, false), xadd_exec(c, i, 1, true))
EXT_FORMS(XADD_EdGd, xadd_exec(c, i, 2, false), xadd_exec(c, i, 2, true))

ALU2_INLINE void cmpxchg_exec(struct cpu *c, const struct insn *i, unsigned sz, bool mem)
{
	uint32_t off = e_off(c, i, mem);
	uint32_t d = e_get(c, i, mem, off, sz), a = reg_get(c, R_EAX, sz);
	bool eq = a == d;
	e_put(c, i, mem, off, sz, eq ? reg_get(c, i->reg, sz) : d);
	if (!eq)
		reg_put(c, R_EAX, sz, d);
	lf_set(&c->lf, LF_SUB, sz, (a - d) & alu2_mask[sz], a, d);
}

EXT_FORMS(CMPXCHG_EbGb, cmpxchg_exec(c, i, 0, false), cmpxchg_exec(c, i, 0, true))
EXT_FORMS(CMPXCHG_EwGw, cmpxchg_exec(c, i, 1, false), cmpxchg_exec(c, i, 1, true))
EXT_FORMS(CMPXCHG_EdGd, cmpxchg_exec(c, i, 2, false), cmpxchg_exec(c, i, 2, true))

void op_CMPXCHG8B_Mq_m(struct cpu *c, const struct insn *i)
{
	/* Check all 8 bytes for writing first: the two halves are stored
	 * separately and must not be half done when a fault restarts us. */
	laddr_t la = seg_linear(c, i->seg, insn_ea(c, i), 8, SEG_DENY_WRITE);
	mmu_probe_write(c, la, 8);
	uint32_t lo = lin_rd32(c, la), hi = lin_rd32(c, la + 4);
	bool eq = lo == c->r[R_EAX].d && hi == c->r[R_EDX].d;
	lin_wr32(c, la, eq ? c->r[R_EBX].d : lo);
	lin_wr32(c, la + 4, eq ? c->r[R_ECX].d : hi);
	if (!eq) {
		c->r[R_EAX].d = lo;
		c->r[R_EDX].d = hi;
	}
	flags_put(c, F_ZF, eq ? F_ZF : 0);
}
