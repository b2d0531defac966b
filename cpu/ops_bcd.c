/*
 * Decimal adjust: DAA DAS AAA AAS AAM AAD (Intel SDM vol. 2A, each
 * instruction's pseudo-code). AAM with a zero immediate raises #DE.
 *
 * The flags the SDM leaves undefined follow the SingleStepTests 80286
 * captures, which a model of exactly this file's rules reproduces for
 * every captured case of 27 2F 37 3F D4 D5:
 *  - DAA/DAS: OF is the signed overflow of the change of AL, as if the
 *    adjustment were one ADD/SUB.
 *  - AAA/AAS: SF, ZF and PF describe AL + 6 / AL - 6 before the high
 *    nibble is cleared (AL itself when no adjustment is made); OF is the
 *    overflow of that +6 / -6 (0 when no adjustment).
 *  - AAM: OF, AF and CF cleared.
 *  - AAD: CF and AF of the 8-bit add AL + AH * imm (as captured); OF of the
 *    same add (deviation: the 80286 OF does not follow a rule we found).
 */
#include "cpu/alu2_operand.h"
#include "cpu/ops.h"

static uint32_t of_if(bool v) { return v ? F_OF : 0; }

void op_DAA(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t f = cpu_get_eflags(c);
	uint8_t al0 = c->r[R_EAX].b[0], al = al0;
	uint32_t out = 0;
	if ((al0 & 0xF) > 9 || (f & F_AF)) {
		al = (uint8_t)(al + 6);
		out |= F_AF;
	}
	if (al0 > 0x99 || (f & F_CF)) {
		al = (uint8_t)(al + 0x60);
		out |= F_CF;
	}
	c->r[R_EAX].b[0] = al;
	flags_put(c, F_ARITH, out | szp_flags(al, 0) | of_if(~al0 & al & 0x80));
}

void op_DAS(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t f = cpu_get_eflags(c);
	uint8_t al0 = c->r[R_EAX].b[0], al = al0;
	uint32_t out = 0;
	if ((al0 & 0xF) > 9 || (f & F_AF)) {
		/* CF <- old CF or the borrow of AL - 6 */
		out |= F_AF | ((f & F_CF) || al0 < 6 ? F_CF : 0);
		al = (uint8_t)(al - 6);
	}
	if (al0 > 0x99 || (f & F_CF)) {
		al = (uint8_t)(al - 0x60);
		out |= F_CF;
	}
	c->r[R_EAX].b[0] = al;
	flags_put(c, F_ARITH, out | szp_flags(al, 0) | of_if(al0 & ~al & 0x80));
}

/* AAA (sub false) and AAS (sub true). */
static void ascii_adjust(struct cpu *c, bool sub)
{
	uint32_t f = cpu_get_eflags(c);
	uint8_t al0 = c->r[R_EAX].b[0];
	if ((al0 & 0xF) > 9 || (f & F_AF)) {
		uint8_t im = (uint8_t)(sub ? al0 - 6 : al0 + 6);
		uint16_t ax = sub ? (uint16_t)(c->r[R_EAX].w - 6 - 0x100) : (uint16_t)(c->r[R_EAX].w + 0x106);
		c->r[R_EAX].w = ax & 0xFF0F;
		bool of = sub ? (al0 & ~im & 0x80) : (~al0 & im & 0x80);
		flags_put(c, F_ARITH, F_AF | F_CF | szp_flags(im, 0) | of_if(of));
	} else {
		c->r[R_EAX].b[0] = al0 & 0x0F;
		flags_put(c, F_ARITH, szp_flags(al0, 0));
	}
}

void op_AAA(struct cpu *c, const struct insn *i)
{
	(void)i;
	ascii_adjust(c, false);
}

void op_AAS(struct cpu *c, const struct insn *i)
{
	(void)i;
	ascii_adjust(c, true);
}

void op_AAM(struct cpu *c, const struct insn *i)
{
	uint8_t base = (uint8_t)i->imm, al = c->r[R_EAX].b[0];
	if (base == 0)
		cpu_raise(c, EXC_DE, EXC_NO_ERROR);
	c->r[R_EAX].b[1] = al / base;
	c->r[R_EAX].b[0] = al % base;
	flags_put(c, F_ARITH, szp_flags(al % base, 0));
}

void op_AAD(struct cpu *c, const struct insn *i)
{
	uint8_t al = c->r[R_EAX].b[0];
	uint8_t b = (uint8_t)(c->r[R_EAX].b[1] * (uint8_t)i->imm);
	uint8_t r = (uint8_t)(al + b);
	c->r[R_EAX].w = r;
	uint32_t cf = al + b > 0xFF ? F_CF : 0;
	flags_put(c, F_ARITH, cf | ((al ^ b ^ r) & F_AF) | szp_flags(r, 0) |
				      of_if((al ^ r) & (b ^ r) & 0x80));
}
