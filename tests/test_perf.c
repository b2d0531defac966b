/*
 * Tests for the hot-path shortcuts (speed work): the condition-code fast
 * paths of the lazy flags must agree with the SDM's definitions (vol. 1,
 * appendix B, table B-1), and decoded code must follow guest writes.
 */
#include <criterion/criterion.h>

#include "cpu/flags.h"

/* CMP a, b leaves LF_SUB with res = a - b masked to the size. */
static struct lazy_flags cmp(unsigned size, uint32_t a, uint32_t b)
{
	static const uint32_t mask[3] = { 0xFF, 0xFFFF, 0xFFFFFFFFu };
	struct lazy_flags lf;
	lf_set(&lf, LF_SUB, size, (a - b) & mask[size], a, b);
	return lf;
}

Test(perf_flags, cmp_signed_and_unsigned_8bit)
{
	struct lazy_flags lf = cmp(0, 0x80, 0x01); /* -128 vs 1; 128 vs 1 */
	cr_assert(!lf_cond(&lf, 0, 0x2));  /* B: 128 < 1 is false */
	cr_assert(lf_cond(&lf, 0, 0x7));   /* A */
	cr_assert(lf_cond(&lf, 0, 0xC));   /* L: -128 < 1 */
	cr_assert(lf_cond(&lf, 0, 0xE));   /* LE */
	cr_assert(!lf_cond(&lf, 0, 0xD));  /* GE */
	cr_assert(!lf_cond(&lf, 0, 0x8));  /* S: 0x7F is positive */
	cr_assert(lf_cond(&lf, 0, 0x0));   /* O: -128 - 1 overflows */
}

Test(perf_flags, cmp_16_and_32bit)
{
	struct lazy_flags lf = cmp(1, 0x7FFF, 0x8000);
	cr_assert(lf_cond(&lf, 0, 0x2));   /* B: 0x7FFF < 0x8000 */
	cr_assert(!lf_cond(&lf, 0, 0xC));  /* L: 32767 < -32768 is false */
	cr_assert(lf_cond(&lf, 0, 0xF));   /* G */
	cr_assert(lf_cond(&lf, 0, 0x8));   /* S: 0xFFFF */
	lf = cmp(2, 5, 5);
	cr_assert(lf_cond(&lf, 0, 0x4));   /* Z */
	cr_assert(lf_cond(&lf, 0, 0x6));   /* BE */
	cr_assert(lf_cond(&lf, 0, 0xE));   /* LE */
	cr_assert(lf_cond(&lf, 0, 0xD));   /* GE */
	cr_assert(!lf_cond(&lf, 0, 0x2));  /* B */
	lf = cmp(2, 0xFFFFFFFFu, 0);
	cr_assert(lf_cond(&lf, 0, 0xC));   /* L: -1 < 0 */
	cr_assert(lf_cond(&lf, 0, 0x7));   /* A: 0xFFFFFFFF > 0 */
	cr_assert(lf_cond(&lf, 0, 0xA));   /* P: low byte 0xFF has 8 ones */
}

Test(perf_flags, logic_results)
{
	struct lazy_flags lf;
	lf_set(&lf, LF_LOGIC, 0, 0x80, 0x80, 0xFF); /* TEST AL,0xFF with AL=0x80 */
	cr_assert(!lf_cond(&lf, 0, 0x0));  /* O cleared */
	cr_assert(!lf_cond(&lf, 0, 0x2));  /* B: CF cleared */
	cr_assert(!lf_cond(&lf, 0, 0x4));  /* Z */
	cr_assert(lf_cond(&lf, 0, 0x8));   /* S */
	cr_assert(lf_cond(&lf, 0, 0xC));   /* L: SF != OF */
	cr_assert(lf_cond(&lf, 0, 0xE));   /* LE */
	cr_assert(!lf_cond(&lf, 0, 0x6));  /* BE: CF=0, ZF=0 */
	lf_set(&lf, LF_LOGIC, 1, 0, 0x1234, 0);
	cr_assert(lf_cond(&lf, 0, 0x4));   /* Z */
	cr_assert(lf_cond(&lf, 0, 0x6));   /* BE */
	cr_assert(lf_cond(&lf, 0, 0xE));   /* LE */
	cr_assert(!lf_cond(&lf, 0, 0xC));  /* L */
	cr_assert(lf_cond(&lf, 0, 0xA));   /* P: zero has even parity */
}
