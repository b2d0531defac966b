/*
 * Specialised instruction handlers, chosen at decode time (ops_fast_pick)
 * in place of the generic ones for the forms a 32-bit compiler emits most.
 * Each has exactly the behaviour of the generic handler it replaces (Intel
 * SDM vol. 2, the Jcc page): only work the decoder already knows the answer
 * to is removed.
 *
 * Jcc with 32-bit operand size: one handler per condition code, so the
 * condition is a constant and the lazy-flags fast path folds to a compare.
 * A target beyond the CS limit raises #GP(0) at the branch. Every Jcc also
 * has a mid-block form (ops_fast_mid), so that a block runs on through
 * branches not taken.
 *
 * MOV, MOVZX and LEA with a 32-bit address and no index register (base +
 * displacement, the stack-frame and structure-field forms): the offset is
 * one add, with no index, scale or 16-bit wrap to apply. Segment checks
 * and the TLB are those of cpu/mmu.h.
 *
 * Known deviations: none intended.
 */
#include "cpu/ops_fast.h"

#include "cpu/flags.h"
#include "cpu/mmu.h"
#include "cpu/ops.h"

#define DEFINE_JCC32(cc)                                                       \
	static void op_jcc32_##cc(struct cpu *c, const struct insn *i)         \
	{                                                                      \
		if (lf_cond(&c->lf, c->eflags, cc)) {                          \
			uint32_t target = c->next_eip + i->imm;                \
			if (target > c->seg[S_CS].limit)                       \
				cpu_raise(c, EXC_GP, 0);                       \
			c->next_eip = target;                                  \
		}                                                              \
	}

DEFINE_JCC32(0)
DEFINE_JCC32(1)
DEFINE_JCC32(2)
DEFINE_JCC32(3)
DEFINE_JCC32(4)
DEFINE_JCC32(5)
DEFINE_JCC32(6)
DEFINE_JCC32(7)
DEFINE_JCC32(8)
DEFINE_JCC32(9)
DEFINE_JCC32(10)
DEFINE_JCC32(11)
DEFINE_JCC32(12)
DEFINE_JCC32(13)
DEFINE_JCC32(14)
DEFINE_JCC32(15)

/* The same branch inside a block (not its last instruction), where EIP
 * holds the block's start (cpu.h): a taken branch hands its target to the
 * run loop, which leaves the block after it. Inside a block the next
 * instruction's offset never wraps (16-bit blocks stop at the IP wrap). */
static inline void branch_mid(struct cpu *c, uint32_t target)
{
	if (target > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, 0);
	c->branch_eip = target;
	c->branch_taken = true;
	c->run_end = NULL;
}

static inline uint32_t next_mid(const struct cpu *c, const struct insn *i)
{
	return c->eip + i->eoff + i->len;
}

#define DEFINE_JCC32_MID(cc)                                                   \
	static void op_jcc32_mid_##cc(struct cpu *c, const struct insn *i)     \
	{                                                                      \
		if (lf_cond(&c->lf, c->eflags, cc))                            \
			branch_mid(c, next_mid(c, i) + i->imm);                \
	}

DEFINE_JCC32_MID(0)
DEFINE_JCC32_MID(1)
DEFINE_JCC32_MID(2)
DEFINE_JCC32_MID(3)
DEFINE_JCC32_MID(4)
DEFINE_JCC32_MID(5)
DEFINE_JCC32_MID(6)
DEFINE_JCC32_MID(7)
DEFINE_JCC32_MID(8)
DEFINE_JCC32_MID(9)
DEFINE_JCC32_MID(10)
DEFINE_JCC32_MID(11)
DEFINE_JCC32_MID(12)
DEFINE_JCC32_MID(13)
DEFINE_JCC32_MID(14)
DEFINE_JCC32_MID(15)

static const insn_fn jcc32_mid_by_cc[16] = {
	op_jcc32_mid_0,  op_jcc32_mid_1,  op_jcc32_mid_2,  op_jcc32_mid_3,
	op_jcc32_mid_4,  op_jcc32_mid_5,  op_jcc32_mid_6,  op_jcc32_mid_7,
	op_jcc32_mid_8,  op_jcc32_mid_9,  op_jcc32_mid_10, op_jcc32_mid_11,
	op_jcc32_mid_12, op_jcc32_mid_13, op_jcc32_mid_14, op_jcc32_mid_15,
};

static const insn_fn jcc32_by_cc[16] = {
	op_jcc32_0,  op_jcc32_1,  op_jcc32_2,  op_jcc32_3,  op_jcc32_4,  op_jcc32_5,
	op_jcc32_6,  op_jcc32_7,  op_jcc32_8,  op_jcc32_9,  op_jcc32_10, op_jcc32_11,
	op_jcc32_12, op_jcc32_13, op_jcc32_14, op_jcc32_15,
};

/* Offset of a 32-bit base + displacement operand (base R_NONE reads 0). */
static inline uint32_t ea_bd(const struct cpu *c, const struct insn *i)
{
	return c->r[i->base].d + i->disp;
}

static void op_mov_gd_bd(struct cpu *c, const struct insn *i)
{
	c->r[i->reg].d = cpu_rd32(c, i->seg, ea_bd(c, i));
}

static void op_mov_bd_gd(struct cpu *c, const struct insn *i)
{
	cpu_wr32(c, i->seg, ea_bd(c, i), c->r[i->reg].d);
}

static void op_mov_bd_id(struct cpu *c, const struct insn *i)
{
	cpu_wr32(c, i->seg, ea_bd(c, i), i->imm);
}

static void op_mov_gb_bd(struct cpu *c, const struct insn *i)
{
	*cpu_reg8(c, i->reg) = cpu_rd8(c, i->seg, ea_bd(c, i));
}

static void op_mov_bd_gb(struct cpu *c, const struct insn *i)
{
	cpu_wr8(c, i->seg, ea_bd(c, i), *cpu_reg8(c, i->reg));
}

static void op_movzx_gd_bd8(struct cpu *c, const struct insn *i)
{
	c->r[i->reg].d = cpu_rd8(c, i->seg, ea_bd(c, i));
}

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

/* Jcc with a 16-bit operand size (real-mode and 16-bit code): the target
 * wraps at 64 KiB. */
static void op_jcc16_mid(struct cpu *c, const struct insn *i)
{
	if (lf_cond(&c->lf, c->eflags, i->op & 15))
		branch_mid(c, (next_mid(c, i) + i->imm) & 0xFFFF);
}

insn_fn ops_fast_mid(const struct insn *i)
{
	if (i->fn == op_Jcc_Jb16 || i->fn == op_Jcc_Jv16)
		return op_jcc16_mid;
	for (unsigned cc = 0; cc < 16; cc++)
		if (i->fn == jcc32_by_cc[cc])
			return jcc32_mid_by_cc[cc];
	return NULL;
}

insn_fn ops_fast_pick(const struct insn *i)
{
	if (i->fn == op_Jcc_Jb32 || i->fn == op_Jcc_Jv32)
		return jcc32_by_cc[i->op & 15];
	if ((i->flags & I_A32) && i->index == R_NONE) {
		for (unsigned k = 0; k < sizeof base_disp_forms / sizeof base_disp_forms[0]; k++)
			if (i->fn == base_disp_forms[k].generic)
				return base_disp_forms[k].fast;
	}
	return i->fn;
}
