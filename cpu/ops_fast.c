/*
 * Specialised instruction handlers, chosen at decode time (ops_fast_pick)
 * in place of the generic ones for the forms a 32-bit compiler emits most.
 * Each has exactly the behaviour of the generic handler it replaces (Intel
 * SDM vol. 2, the Jcc page): only work the decoder already knows the answer
 * to is removed.
 *
 * Jcc (16- and 32-bit operand size), CMOVcc r32,r32 and SETcc r8: one
 * handler per condition code, so the condition is a constant and the
 * lazy-flags fast path folds to a compare (real-mode firmware and boot
 * loaders poll in 16-bit Jcc loops). The 16-bit target wraps at 64 KiB;
 * a Jcc target beyond the CS limit raises #GP(0) at the branch.
 *
 * MOV, MOVZX and LEA with a 32-bit address and no index register (base +
 * displacement, the stack-frame and structure-field forms): the offset is
 * one add, with no index, scale or 16-bit wrap to apply. Segment checks
 * and the TLB are those of cpu/mmu.h, through its frameless fast path
 * (cpu_fast_ptr) with a slow twin per handler.
 *
 * Known deviations: none intended.
 */
#include "cpu/ops_fast.h"

#include "cpu/flags.h"
#include "cpu/mmu.h"
#include "cpu/ops.h"

/* One handler per condition code for Jcc rel32 and for the register forms
 * of CMOVcc r32 and SETcc r8: lf_cond then folds to the test for that
 * condition instead of a switch on i->op. */
#define DEFINE_CC(cc)                                                          \
	static void op_jcc32_##cc(struct cpu *c, const struct insn *i)         \
	{                                                                      \
		if (lf_cond(&c->lf, c->eflags, cc))                            \
			near_to(c, rel32(c, i));                               \
	}                                                                      \
	static void op_jcc16_##cc(struct cpu *c, const struct insn *i)         \
	{                                                                      \
		if (lf_cond(&c->lf, c->eflags, cc))                            \
			near_to(c, rel16(c, i));                               \
	}                                                                      \
	static void op_cmov32_r_##cc(struct cpu *c, const struct insn *i)      \
	{                                                                      \
		if (lf_cond(&c->lf, c->eflags, cc))                            \
			c->r[i->reg].d = c->r[i->rm].d;                        \
	}                                                                      \
	static void op_setcc_r_##cc(struct cpu *c, const struct insn *i)       \
	{                                                                      \
		*cpu_reg8(c, i->rm) = lf_cond(&c->lf, c->eflags, cc);          \
	}

DEFINE_CC(0)
DEFINE_CC(1)
DEFINE_CC(2)
DEFINE_CC(3)
DEFINE_CC(4)
DEFINE_CC(5)
DEFINE_CC(6)
DEFINE_CC(7)
DEFINE_CC(8)
DEFINE_CC(9)
DEFINE_CC(10)
DEFINE_CC(11)
DEFINE_CC(12)
DEFINE_CC(13)
DEFINE_CC(14)
DEFINE_CC(15)

#define BY_CC(prefix)                                                                         \
	{                                                                                     \
		prefix##0, prefix##1, prefix##2, prefix##3, prefix##4, prefix##5, prefix##6,  \
		prefix##7, prefix##8, prefix##9, prefix##10, prefix##11, prefix##12,          \
		prefix##13, prefix##14, prefix##15,                                           \
	}

static const insn_fn jcc32_by_cc[16] = BY_CC(op_jcc32_);
static const insn_fn jcc16_by_cc[16] = BY_CC(op_jcc16_);
static const insn_fn cmov32_r_by_cc[16] = BY_CC(op_cmov32_r_);
static const insn_fn setcc_r_by_cc[16] = BY_CC(op_setcc_r_);

/* Offset of a 32-bit base + displacement operand (base R_NONE reads 0). */
static inline uint32_t ea_bd(const struct cpu *c, const struct insn *i)
{
	return c->r[i->base].d + i->disp;
}

/* Each memory form is frameless (cpu/mmu.h, cpu_fast_ptr): on any miss the
 * whole instruction goes to its slow twin, which does the same through the
 * checked accessors. */
#define FAST_LOAD(name, BITS, store)                                           \
	static MMU_SLOW void name##_slow(struct cpu *c, const struct insn *i)  \
	{                                                                      \
		uint32_t v = cpu_rd##BITS(c, i->seg, ea_bd(c, i));             \
		store;                                                         \
	}                                                                      \
	static void name(struct cpu *c, const struct insn *i)                  \
	{                                                                      \
		uint8_t *p;                                                    \
		if (unlikely(!cpu_fast_ptr(c, i->seg, ea_bd(c, i), BITS / 8, false, &p))) { \
			name##_slow(c, i);                                     \
			return;                                                \
		}                                                              \
		uint32_t v = host_ld##BITS(p);                                 \
		store;                                                         \
	}

#define FAST_STORE(name, BITS, value)                                          \
	static MMU_SLOW void name##_slow(struct cpu *c, const struct insn *i)  \
	{                                                                      \
		cpu_wr##BITS(c, i->seg, ea_bd(c, i), value);                   \
	}                                                                      \
	static void name(struct cpu *c, const struct insn *i)                  \
	{                                                                      \
		uint8_t *p;                                                    \
		if (unlikely(!cpu_fast_ptr(c, i->seg, ea_bd(c, i), BITS / 8, true, &p))) { \
			name##_slow(c, i);                                     \
			return;                                                \
		}                                                              \
		host_st##BITS(p, value);                                       \
	}

FAST_LOAD(op_mov_gd_bd, 32, c->r[i->reg].d = v)
FAST_LOAD(op_mov_gb_bd, 8, *cpu_reg8(c, i->reg) = (uint8_t)v)
FAST_LOAD(op_movzx_gd_bd8, 8, c->r[i->reg].d = v)
FAST_STORE(op_mov_bd_gd, 32, c->r[i->reg].d)
FAST_STORE(op_mov_bd_id, 32, i->imm)
FAST_STORE(op_mov_bd_gb, 8, *cpu_reg8(c, i->reg))

static void op_lea_gd_bd(struct cpu *c, const struct insn *i)
{
	c->r[i->reg].d = ea_bd(c, i);
}

struct fast_form {
	insn_fn generic, fast;
};

static const struct fast_form base_disp_forms[] = {
	{ op_MOV_GdEd_m, op_mov_gd_bd },
	{ op_MOV_EdGd_m, op_mov_bd_gd },
	{ op_MOV_EdId_m, op_mov_bd_id },
	{ op_MOV_GbEb_m, op_mov_gb_bd },
	{ op_MOV_EbGb_m, op_mov_bd_gb },
	{ op_MOVZX_GdEb_m, op_movzx_gd_bd8 },
	{ op_LEA_GdM_m, op_lea_gd_bd },
};

insn_fn ops_fast_pick(const struct insn *i)
{
	if (i->fn == op_Jcc_Jb32 || i->fn == op_Jcc_Jv32)
		return jcc32_by_cc[i->op & 15];
	if (i->fn == op_Jcc_Jb16 || i->fn == op_Jcc_Jv16)
		return jcc16_by_cc[i->op & 15];
	if (i->fn == op_CMOVcc_GdEd_r)
		return cmov32_r_by_cc[i->op & 15];
	if (i->fn == op_SETcc_Eb_r)
		return setcc_r_by_cc[i->op & 15];
	if ((i->flags & I_A32) && i->index == R_NONE) {
		for (unsigned k = 0; k < sizeof base_disp_forms / sizeof base_disp_forms[0]; k++)
			if (i->fn == base_disp_forms[k].generic)
				return base_disp_forms[k].fast;
	}
	return i->fn;
}
