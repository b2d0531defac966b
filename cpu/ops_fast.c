/*
 * Specialised instruction handlers, chosen at decode time (ops_fast_pick)
 * in place of the generic ones for the forms a 32-bit compiler emits most.
 * Each has exactly the behaviour of the generic handler it replaces (Intel
 * SDM vol. 2, the Jcc page): only work the decoder already knows the answer
 * to is removed.
 *
 * Jcc with 32-bit operand size: one handler per condition code, so the
 * condition is a constant and the lazy-flags fast path folds to a compare.
 * A target beyond the CS limit raises #GP(0) at the branch.
 *
 * Known deviations: none intended.
 */
#include "cpu/ops_fast.h"

#include "cpu/flags.h"
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

static const insn_fn jcc32_by_cc[16] = {
	op_jcc32_0,  op_jcc32_1,  op_jcc32_2,  op_jcc32_3,  op_jcc32_4,  op_jcc32_5,
	op_jcc32_6,  op_jcc32_7,  op_jcc32_8,  op_jcc32_9,  op_jcc32_10, op_jcc32_11,
	op_jcc32_12, op_jcc32_13, op_jcc32_14, op_jcc32_15,
};

insn_fn ops_fast_pick(const struct insn *i)
{
	if (i->fn == op_Jcc_Jb32 || i->fn == op_Jcc_Jv32)
		return jcc32_by_cc[i->op & 15];
	return i->fn;
}
