/*
 * Lazy arithmetic flags. An instruction that sets OF/SF/ZF/AF/PF/CF records
 * its kind, size and operands; flags are computed only when read (Jcc, PUSHF,
 * ADC...). Instructions that set some flags eagerly fold the lazy state into
 * EFLAGS first (flags_materialize) and leave kind LF_NONE.
 */
#ifndef POPEK_FLAGS_H
#define POPEK_FLAGS_H

#include "mem/types.h"

enum lf_kind {
	LF_NONE,  /* all arithmetic flags live in eflags */
	LF_ADD,   /* res = a + b */
	LF_ADC,   /* res = a + b + 1 (ADC with carry in; ADC without carry is LF_ADD) */
	LF_SUB,   /* res = a - b (also CMP, NEG as 0 - b) */
	LF_SBB,   /* res = a - b - 1 */
	LF_LOGIC, /* AND/OR/XOR/TEST: CF=OF=AF=0 */
	LF_INC,   /* res = a + 1; CF kept in b */
	LF_DEC,   /* res = a - 1; CF kept in b */
	LF_SHL,   /* res = a << b, 1 <= b <= 31 */
	LF_SHR,   /* res = a >> b */
	LF_SAR,   /* res = a >>s b */
};

struct lazy_flags {
	uint32_t res, a, b; /* masked to the operand size */
	uint8_t kind;       /* enum lf_kind */
	uint8_t size;       /* 0: 8-bit, 1: 16-bit, 2: 32-bit */
};

static inline void lf_set(struct lazy_flags *lf, enum lf_kind kind, unsigned size,
			  uint32_t res, uint32_t a, uint32_t b)
{
	lf->kind = (uint8_t)kind;
	lf->size = (uint8_t)size;
	lf->res = res;
	lf->a = a;
	lf->b = b;
}

/* Individual flags (0 or 1), from lazy state or eflags when kind is LF_NONE. */
unsigned lf_cf(const struct lazy_flags *lf, uint32_t eflags);
unsigned lf_pf(const struct lazy_flags *lf, uint32_t eflags);
unsigned lf_af(const struct lazy_flags *lf, uint32_t eflags);
unsigned lf_zf(const struct lazy_flags *lf, uint32_t eflags);
unsigned lf_sf(const struct lazy_flags *lf, uint32_t eflags);
unsigned lf_of(const struct lazy_flags *lf, uint32_t eflags);
/* All six arithmetic flags as EFLAGS bits. */
uint32_t lf_arith(const struct lazy_flags *lf, uint32_t eflags);
/* Condition code cc (0-15, as in Jcc's low nibble) holds: any producer. */
bool lf_cond_slow(const struct lazy_flags *lf, uint32_t eflags, unsigned cc);

/* Value sign-extended from the operand size (0: 8, 1: 16, 2: 32 bits).
 * The shift comes from a table: one load instead of the arithmetic on
 * size in every condition test. */
static const uint8_t lf_sext_shift[4] = { 24, 16, 0, 0 };
static inline int32_t lf_sext(uint32_t v, unsigned size)
{
	unsigned sh = lf_sext_shift[size & 3];
	return (int32_t)(v << sh) >> sh;
}

/* Fast paths for the producers a compiler puts before Jcc/SETcc/CMOVcc:
 * CMP/SUB compare their operands directly (SDM vol. 1, table B-1: B is
 * a < b unsigned, L is a < b signed, LE is a <= b signed); logic results
 * have CF = OF = 0; ZF and SF of any producer come from its result.
 * Anything else goes through the per-flag functions. */
static inline bool lf_cond(const struct lazy_flags *lf, uint32_t eflags, unsigned cc)
{
	bool r;
	if (lf->kind == LF_SUB) {
		uint32_t a = lf->a, b = lf->b;
		switch (cc >> 1) {
		case 1: r = a < b; break;
		case 2: r = a == b; break;
		case 3: r = a <= b; break;
		case 4: r = lf_sext(lf->res, lf->size) < 0; break;
		case 6: r = lf_sext(a, lf->size) < lf_sext(b, lf->size); break;
		case 7: r = lf_sext(a, lf->size) <= lf_sext(b, lf->size); break;
		default: return lf_cond_slow(lf, eflags, cc);
		}
	} else if (lf->kind == LF_LOGIC) {
		int32_t v = lf_sext(lf->res, lf->size);
		switch (cc >> 1) {
		case 0: r = false; break;
		case 1: r = false; break;
		case 2: r = lf->res == 0; break; /* res is already size-masked */
		case 3: r = lf->res == 0; break;
		case 4: r = v < 0; break;
		case 6: r = v < 0; break;
		case 7: r = v <= 0; break;
		default: return lf_cond_slow(lf, eflags, cc);
		}
	} else if ((cc >> 1) == 2) {
		/* ZF of any producer is its size-masked result being zero
		 * (ADD, INC, DEC and shifts ahead of a loop branch). */
		r = lf->kind == LF_NONE ? (eflags >> 6) & 1 : lf->res == 0;
	} else if ((cc >> 1) == 4) {
		r = lf->kind == LF_NONE ? (eflags >> 7) & 1 : lf_sext(lf->res, lf->size) < 0;
	} else {
		return lf_cond_slow(lf, eflags, cc);
	}
	return r != (cc & 1);
}

#endif
