/*
 * Flag instructions: CLC STC CMC (F8 F9 F5), CLD STD (FC FD), SAHF LAHF
 * (9E 9F) and the undocumented SALC (D6). Intel SDM vol. 2, instruction
 * reference; SALC as documented for the 8086 through P6 (AL = CF ? FF : 00,
 * flags unchanged).
 *
 * Carry changes fold the lazy flags into EFLAGS first (flags.h), since the
 * lazy state cannot express "the last result, but with CF forced".
 */
#include "cpu/ops.h"

/* The flags SAHF loads and LAHF stores; bit 1 of EFLAGS always reads 1. */
#define FLAGS_AH (F_SF | F_ZF | F_AF | F_PF | F_CF)

static inline void flags_store_arith(struct cpu *c, uint32_t f)
{
	c->eflags = f;
	c->lf.kind = LF_NONE;
}

void op_CLC(struct cpu *c, const struct insn *i)
{
	(void)i;
	flags_store_arith(c, cpu_get_eflags(c) & ~F_CF);
}

void op_STC(struct cpu *c, const struct insn *i)
{
	(void)i;
	flags_store_arith(c, cpu_get_eflags(c) | F_CF);
}

void op_CMC(struct cpu *c, const struct insn *i)
{
	(void)i;
	flags_store_arith(c, cpu_get_eflags(c) ^ F_CF);
}

/* DF is not an arithmetic flag: the lazy state is unaffected. */
void op_CLD(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->eflags &= ~F_DF;
}

void op_STD(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->eflags |= F_DF;
}

void op_SAHF(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t ah = c->r[R_EAX].b[1];
	flags_store_arith(c, (cpu_get_eflags(c) & ~FLAGS_AH) | (ah & FLAGS_AH));
}

void op_LAHF(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EAX].b[1] = (uint8_t)((cpu_get_eflags(c) & FLAGS_AH) | 0x2);
}

void op_SALC(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EAX].b[0] = (uint8_t)-lf_cf(&c->lf, c->eflags);
}
