/* Lazy flags against an eager reference, exhaustively for 8-bit operands
 * (and carry-in) of every lazy kind; 16- and 32-bit on edge values. */
#include <criterion/criterion.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"

static uint32_t parity(uint32_t r) { return __builtin_parity(r & 0xFF) ? 0 : F_PF; }

/* Eager reference computed from the full-width result. */
static uint32_t eager(enum lf_kind k, unsigned bits, uint32_t a, uint32_t b, uint32_t cf_in)
{
	uint64_t mask = (bits == 32) ? 0xFFFFFFFFull : ((1ull << bits) - 1);
	uint64_t sign = 1ull << (bits - 1);
	uint64_t r = 0;
	uint32_t f = 0;
	switch (k) {
	case LF_ADD: case LF_ADC: {
		uint64_t cin = k == LF_ADC;
		r = (uint64_t)a + b + cin;
		f |= (r >> bits) & 1 ? F_CF : 0;
		int64_t sa = (int64_t)((a & sign) ? a - (mask + 1) : a);
		int64_t sb = (int64_t)((b & sign) ? b - (mask + 1) : b);
		int64_t s = sa + sb + (int64_t)cin;
		f |= (s < -(int64_t)sign || s >= (int64_t)sign) ? F_OF : 0;
		f |= ((a & 0xF) + (b & 0xF) + cin) > 0xF ? F_AF : 0;
		break;
	}
	case LF_SUB: case LF_SBB: {
		uint64_t bin = k == LF_SBB;
		r = ((uint64_t)a - b - bin) & mask;
		f |= (uint64_t)a < (uint64_t)b + bin ? F_CF : 0;
		int64_t sa = (int64_t)((a & sign) ? a - (mask + 1) : a);
		int64_t sb = (int64_t)((b & sign) ? b - (mask + 1) : b);
		int64_t s = sa - sb - (int64_t)bin;
		f |= (s < -(int64_t)sign || s >= (int64_t)sign) ? F_OF : 0;
		f |= (a & 0xF) < (b & 0xF) + bin ? F_AF : 0;
		break;
	}
	case LF_LOGIC: r = a; break;
	case LF_INC:
		r = (uint64_t)a + 1;
		f |= cf_in ? F_CF : 0;
		f |= a == sign - 1 ? F_OF : 0;
		f |= (a & 0xF) == 0xF ? F_AF : 0;
		break;
	case LF_DEC:
		r = ((uint64_t)a - 1) & mask;
		f |= cf_in ? F_CF : 0;
		f |= a == sign ? F_OF : 0;
		f |= (a & 0xF) == 0 ? F_AF : 0;
		break;
	default: break;
	}
	r &= mask;
	f |= r == 0 ? F_ZF : 0;
	f |= (r & sign) ? F_SF : 0;
	f |= parity((uint32_t)r);
	return f;
}

static uint32_t lazy_result(enum lf_kind k, uint32_t mask, uint32_t a, uint32_t b)
{
	switch (k) {
	case LF_ADD: return (a + b) & mask;
	case LF_ADC: return (a + b + 1) & mask;
	case LF_SUB: return (a - b) & mask;
	case LF_SBB: return (a - b - 1) & mask;
	case LF_INC: return (a + 1) & mask;
	case LF_DEC: return (a - 1) & mask;
	default: return a & mask;
	}
}

static void check(enum lf_kind k, unsigned size, uint32_t a, uint32_t b, uint32_t cf_in)
{
	static const unsigned bits[3] = { 8, 16, 32 };
	uint32_t mask = size == 2 ? 0xFFFFFFFFu : (1u << bits[size]) - 1;
	struct lazy_flags lf;
	uint32_t lb = (k == LF_INC || k == LF_DEC) ? cf_in : b;
	lf_set(&lf, k, size, lazy_result(k, mask, a, b), a, lb);
	uint32_t got = lf_arith(&lf, 0);
	uint32_t want = eager(k, bits[size], a, b, cf_in);
	cr_assert_eq(got, want, "kind %d size %u a=%#x b=%#x: lazy %#x eager %#x", k, size, a, b,
		     got, want);
}

Test(flags, exhaustive_8bit)
{
	enum lf_kind kinds[] = { LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC };
	for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++)
		for (uint32_t a = 0; a < 256; a++)
			for (uint32_t b = 0; b < 256; b++)
				check(kinds[k], 0, a, b, b & 1);
}

Test(flags, edges_16_32bit)
{
	static const uint32_t v[] = { 0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
				      0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu, 0x12345678, 0xF0F0F0F0u };
	enum lf_kind kinds[] = { LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC };
	for (unsigned size = 1; size <= 2; size++) {
		uint32_t mask = size == 2 ? 0xFFFFFFFFu : 0xFFFF;
		for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++)
			for (unsigned x = 0; x < ARRAY_SIZE(v); x++)
				for (unsigned y = 0; y < ARRAY_SIZE(v); y++)
					check(kinds[k], size, v[x] & mask, v[y] & mask, y & 1);
	}
}

Test(flags, conditions_follow_flags)
{
	struct lazy_flags lf;
	lf_set(&lf, LF_SUB, 0, (uint32_t)(3 - 5) & 0xFF, 3, 5); /* 3 - 5: below, less */
	cr_assert(lf_cond(&lf, 0, 0x2));  /* B */
	cr_assert(!lf_cond(&lf, 0, 0x3)); /* NB */
	cr_assert(lf_cond(&lf, 0, 0xC));  /* L */
	cr_assert(lf_cond(&lf, 0, 0xE));  /* LE */
	cr_assert(!lf_cond(&lf, 0, 0x4)); /* Z */
	lf_set(&lf, LF_SUB, 2, 0, 7, 7);
	cr_assert(lf_cond(&lf, 0, 0x4));  /* Z */
	cr_assert(lf_cond(&lf, 0, 0x6));  /* BE */
	cr_assert(!lf_cond(&lf, 0, 0xF)); /* NLE */
}
