/*
 * Lazy flag evaluation (Intel SDM vol. 1, 3.4.3 and appendix A). Every
 * result and operand is stored masked to its size; sign bit and masks come
 * from the size index.
 */
#include "cpu/flags.h"

#include "cpu/cpu.h"

static const uint32_t size_mask[3] = { 0xFF, 0xFFFF, 0xFFFFFFFFu };
static const uint32_t sign_bit[3] = { 0x80, 0x8000, 0x80000000u };
static const unsigned size_bits[3] = { 8, 16, 32 };

unsigned lf_cf(const struct lazy_flags *lf, uint32_t eflags)
{
	uint32_t a = lf->a, b = lf->b, r = lf->res;
	switch (lf->kind) {
	case LF_NONE: return eflags & F_CF;
	case LF_ADD: return r < a;
	case LF_ADC: return r <= a;
	case LF_SUB: return a < b;
	case LF_SBB: return a <= b;
	case LF_LOGIC: return 0;
	case LF_INC:
	case LF_DEC: return b & 1;
	case LF_SHL: return (unsigned)(((uint64_t)a << (b - 1)) >> (size_bits[lf->size] - 1)) & 1;
	case LF_SHR: return (a >> (b - 1)) & 1;
	case LF_SAR: {
		int32_t s = (int32_t)(a << (32 - size_bits[lf->size])) >> (32 - size_bits[lf->size]);
		return (unsigned)(s >> (b - 1)) & 1;
	}
	}
	return 0;
}

unsigned lf_pf(const struct lazy_flags *lf, uint32_t eflags)
{
	if (lf->kind == LF_NONE)
		return (eflags >> 2) & 1;
	return !__builtin_parity(lf->res & 0xFF);
}

unsigned lf_af(const struct lazy_flags *lf, uint32_t eflags)
{
	switch (lf->kind) {
	case LF_NONE: return (eflags >> 4) & 1;
	case LF_ADD:
	case LF_ADC:
	case LF_SUB:
	case LF_SBB: return ((lf->a ^ lf->b ^ lf->res) >> 4) & 1;
	case LF_INC: return (lf->res & 0xF) == 0;
	case LF_DEC: return (lf->res & 0xF) == 0xF;
	default: return 0; /* logic and shifts: undefined, the 386 clears it */
	}
}

unsigned lf_zf(const struct lazy_flags *lf, uint32_t eflags)
{
	if (lf->kind == LF_NONE)
		return (eflags >> 6) & 1;
	return (lf->res & size_mask[lf->size]) == 0;
}

unsigned lf_sf(const struct lazy_flags *lf, uint32_t eflags)
{
	if (lf->kind == LF_NONE)
		return (eflags >> 7) & 1;
	return (lf->res & sign_bit[lf->size]) != 0;
}

unsigned lf_of(const struct lazy_flags *lf, uint32_t eflags)
{
	uint32_t a = lf->a, b = lf->b, r = lf->res, s = sign_bit[lf->size];
	switch (lf->kind) {
	case LF_NONE: return (eflags >> 11) & 1;
	case LF_ADD:
	case LF_ADC: return (((a ^ r) & (b ^ r)) & s) != 0;
	case LF_SUB:
	case LF_SBB: return (((a ^ b) & (a ^ r)) & s) != 0;
	case LF_LOGIC: return 0;
	case LF_INC: return r == s;
	case LF_DEC: return r == s - 1;
	case LF_SHL: return lf_cf(lf, eflags) ^ ((r & s) != 0);
	case LF_SHR: return b == 1 && (a & s) != 0; /* 0 for longer shifts, as hardware */
	case LF_SAR: return 0;
	}
	return 0;
}

uint32_t lf_arith(const struct lazy_flags *lf, uint32_t eflags)
{
	if (lf->kind == LF_NONE)
		return eflags & F_ARITH;
	return lf_cf(lf, eflags) | lf_pf(lf, eflags) << 2 | lf_af(lf, eflags) << 4 |
	       lf_zf(lf, eflags) << 6 | lf_sf(lf, eflags) << 7 | lf_of(lf, eflags) << 11;
}

bool lf_cond_slow(const struct lazy_flags *lf, uint32_t eflags, unsigned cc)
{
	bool r;
	switch (cc >> 1) {
	case 0: r = lf_of(lf, eflags); break;                                  /* O */
	case 1: r = lf_cf(lf, eflags); break;                                  /* B */
	case 2: r = lf_zf(lf, eflags); break;                                  /* Z */
	case 3: r = lf_cf(lf, eflags) || lf_zf(lf, eflags); break;             /* BE */
	case 4: r = lf_sf(lf, eflags); break;                                  /* S */
	case 5: r = lf_pf(lf, eflags); break;                                  /* P */
	case 6: r = lf_sf(lf, eflags) != lf_of(lf, eflags); break;             /* L */
	default: r = lf_zf(lf, eflags) || lf_sf(lf, eflags) != lf_of(lf, eflags); /* LE */
	}
	return r != (cc & 1);
}
