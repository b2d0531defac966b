/* DAA DAS AAA AAS AAM AAD: the SDM examples and pseudo-code (vol. 2A), and
 * cases captured on an 80286 (SingleStepTests) for the undefined flags. */
#include "tests/alu2_tm.h"

static struct machine *bcd_new(const char *hex, uint16_t ax, uint32_t flags)
{
	struct machine *m = tm_new(hex);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0x55550000u | ax;
	t2_flags(c, flags);
	return m;
}

static void bcd_check(struct machine *m, uint16_t ax, uint32_t flags, uint32_t mask)
{
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x55550000u | ax, "AX %04x, expected %04x", c->r[R_EAX].w, ax);
	cr_assert_eq(t2_arith(c) & mask, flags & mask, "flags %03x, expected %03x",
		     t2_arith(c) & mask, flags & mask);
	tm_free(m);
}

#define SZAPC (F_SF | F_ZF | F_AF | F_PF | F_CF)

Test(bcd, daa_sdm_example)
{
	/* AL=AEH, OSZAPC=110000 -> AL=14H, SZAPC=00111 */
	bcd_check(bcd_new("27 f4", 0x00AE, F_OF | F_SF), 0x0014, F_AF | F_PF | F_CF, SZAPC);
}

Test(bcd, daa_low_digit_only)
{
	/* AL=2EH: +6 only. The SDM example lists CF=1 here, which its own
	 * pseudo-code contradicts (old AL <= 99H, old CF = 0 -> CF = 0). */
	bcd_check(bcd_new("27 f4", 0x002E, F_OF | F_SF), 0x0034, F_AF, SZAPC);
}

Test(bcd, daa_as_captured_on_80286)
{
	bcd_check(bcd_new("27 f4", 0x0425, F_CF | F_AF | F_ZF | F_SF), 0x048B,
		  F_OF | F_SF | F_AF | F_PF | F_CF, F_ARITH);
}

Test(bcd, das_sdm_example)
{
	/* AL=EEH, OSZAPC=010111 -> AL=88H, SZAPC=10111 */
	bcd_check(bcd_new("2f f4", 0x00EE, F_SF | F_AF | F_PF | F_CF), 0x0088,
		  F_SF | F_AF | F_PF | F_CF, SZAPC);
}

Test(bcd, das_borrow_of_low_digit_sets_cf)
{
	/* AL=05H, AF=1: AL-6 borrows, so CF=1 although old AL <= 99H */
	bcd_check(bcd_new("2f f4", 0x0005, F_AF), 0x00FF, F_AF | F_CF | F_SF | F_PF, SZAPC);
}

Test(bcd, das_nothing_to_adjust)
{
	bcd_check(bcd_new("2f f4", 0x0045, 0), 0x0045, 0, SZAPC);
}

Test(bcd, aaa_adjusts_and_carries_into_ah)
{
	bcd_check(bcd_new("37 f4", 0x003C, 0), 0x0102, F_AF | F_CF, F_AF | F_CF);
}

Test(bcd, aaa_no_adjust_clears_high_nibble)
{
	bcd_check(bcd_new("37 f4", 0x1236, F_CF), 0x1206, 0, F_AF | F_CF);
}

Test(bcd, aaa_adds_106_to_ax_as_captured_on_80286)
{
	/* AX DFFC -> E102: AL + 6 carries into AH as well as the +1 */
	bcd_check(bcd_new("37 f4", 0xDFFC, F_CF | F_PF | F_OF), 0xE102, F_CF | F_AF, F_ARITH);
}

Test(bcd, aaa_flags_of_intermediate_as_captured_on_80286)
{
	bcd_check(bcd_new("37 f4", 0xFA90, F_OF | F_SF | F_AF | F_CF), 0xFB06,
		  F_CF | F_PF | F_AF | F_SF, F_ARITH);
}

Test(bcd, aas_borrows_from_ah)
{
	bcd_check(bcd_new("3f f4", 0x0205, F_AF), 0x000F, F_AF | F_CF, F_AF | F_CF);
}

Test(bcd, aas_as_captured_on_80286)
{
	bcd_check(bcd_new("3f f4", 0x33F0, F_AF), 0x320A, F_CF | F_AF | F_SF, F_ARITH);
	bcd_check(bcd_new("3f f4", 0xE101, F_CF | F_PF | F_ZF | F_SF), 0xE101, 0, F_ARITH);
}

Test(bcd, aam_splits_al)
{
	/* 79 -> AH=7, AL=9; OF AF CF cleared as on the 80286 */
	bcd_check(bcd_new("d4 0a f4", 0x004F, F_ARITH), 0x0709, F_PF, F_ARITH);
}

Test(bcd, aam_other_base)
{
	bcd_check(bcd_new("d4 10 f4", 0x00FF, 0), 0x0F0F, F_PF, F_SF | F_ZF | F_PF);
}

Test(bcd, aam_zero_raises_de)
{
	struct machine *m = bcd_new("d4 00 f4", 0x1234, F_ZF);
	t2_run_fault(m, EXC_DE);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x55551234u);
	cr_assert_eq(t2_arith(c), F_ZF);
	tm_free(m);
}

Test(bcd, aad_joins_digits)
{
	bcd_check(bcd_new("d5 0a f4", 0x0709, 0), 0x004F, 0, F_SF | F_ZF | F_PF);
}

Test(bcd, aad_as_captured_on_80286)
{
	/* AX EAEA, AAD 2 -> 00BE with CF SF PF (OF differs, not checked) */
	bcd_check(bcd_new("d5 02 f4", 0xEAEA, F_SF | F_AF), 0x00BE, F_CF | F_PF | F_SF,
		  SZAPC);
	bcd_check(bcd_new("d5 33 f4", 0xB973, F_AF | F_CF), 0x004E, F_CF | F_PF, SZAPC);
}
