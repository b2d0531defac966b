/* DAA DAS AAA AAS AAM AAD: the SDM examples and pseudo-code (vol. 2A), and
 * cases captured on an 80286 (SingleStepTests) for the undefined flags.
 * The cases that run to the HLT are rows of one table, each keeping the
 * name it had as a test of its own. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "tests/alu2_tm.h"

static struct machine *bcd_new(const char *hex, uint16_t ax, uint32_t flags)
{
	struct machine *m = tm_new(hex);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0x55550000u | ax;
	t2_flags(c, flags);
	return m;
}

#define SZAPC (F_SF | F_ZF | F_AF | F_PF | F_CF)

/* One instruction with EAX = 0x5555 : ax and the given arithmetic flags;
 * after it EAX must be 0x5555 : want_ax, and the flags under mask those of
 * want_flags. Strings are held in
 * arrays, not pointed to: Criterion copies each row into the test's own
 * process, where a pointer into this one means nothing. */
struct bcd_case {
	char name[56];
	char code[16];
	uint16_t ax;
	uint32_t flags;
	uint16_t want_ax;
	uint32_t want_flags, mask;
};

static const struct bcd_case runs[] = {
	/* AL=AEH, OSZAPC=110000 -> AL=14H, SZAPC=00111 */
	{ "daa_sdm_example", "27 f4", 0x00AE, F_OF | F_SF,
	  0x0014, F_AF | F_PF | F_CF, SZAPC },
	/* AL=2EH: +6 only. The SDM example lists CF=1 here, which its own
	 * pseudo-code contradicts (old AL <= 99H, old CF = 0 -> CF = 0). */
	{ "daa_low_digit_only", "27 f4", 0x002E, F_OF | F_SF,
	  0x0034, F_AF, SZAPC },
	{ "daa_as_captured_on_80286", "27 f4", 0x0425, F_CF | F_AF | F_ZF | F_SF,
	  0x048B, F_OF | F_SF | F_AF | F_PF | F_CF, F_ARITH },
	/* AL=EEH, OSZAPC=010111 -> AL=88H, SZAPC=10111 */
	{ "das_sdm_example", "2f f4", 0x00EE, F_SF | F_AF | F_PF | F_CF,
	  0x0088, F_SF | F_AF | F_PF | F_CF, SZAPC },
	/* AL=05H, AF=1: AL-6 borrows, so CF=1 although old AL <= 99H */
	{ "das_borrow_of_low_digit_sets_cf", "2f f4", 0x0005, F_AF,
	  0x00FF, F_AF | F_CF | F_SF | F_PF, SZAPC },
	{ "das_nothing_to_adjust", "2f f4", 0x0045, 0,
	  0x0045, 0, SZAPC },
	{ "aaa_adjusts_and_carries_into_ah", "37 f4", 0x003C, 0,
	  0x0102, F_AF | F_CF, F_AF | F_CF },
	{ "aaa_no_adjust_clears_high_nibble", "37 f4", 0x1236, F_CF,
	  0x1206, 0, F_AF | F_CF },
	/* AX DFFC -> E102: AL + 6 carries into AH as well as the +1 */
	{ "aaa_adds_106_to_ax_as_captured_on_80286", "37 f4", 0xDFFC, F_CF | F_PF | F_OF,
	  0xE102, F_CF | F_AF, F_ARITH },
	{ "aaa_flags_of_intermediate_as_captured_on_80286", "37 f4", 0xFA90,
	  F_OF | F_SF | F_AF | F_CF, 0xFB06, F_CF | F_PF | F_AF | F_SF, F_ARITH },
	{ "aas_borrows_from_ah", "3f f4", 0x0205, F_AF,
	  0x000F, F_AF | F_CF, F_AF | F_CF },
	{ "aas_as_captured_on_80286 (1 of 2)", "3f f4", 0x33F0, F_AF,
	  0x320A, F_CF | F_AF | F_SF, F_ARITH },
	{ "aas_as_captured_on_80286 (2 of 2)", "3f f4", 0xE101, F_CF | F_PF | F_ZF | F_SF,
	  0xE101, 0, F_ARITH },
	/* 79 -> AH=7, AL=9; OF AF CF cleared as on the 80286 */
	{ "aam_splits_al", "d4 0a f4", 0x004F, F_ARITH,
	  0x0709, F_PF, F_ARITH },
	{ "aam_other_base", "d4 10 f4", 0x00FF, 0,
	  0x0F0F, F_PF, F_SF | F_ZF | F_PF },
	{ "aad_joins_digits", "d5 0a f4", 0x0709, 0,
	  0x004F, 0, F_SF | F_ZF | F_PF },
	/* AX EAEA, AAD 2 -> 00BE with CF SF PF (OF differs, not checked) */
	{ "aad_as_captured_on_80286 (1 of 2)", "d5 02 f4", 0xEAEA, F_SF | F_AF,
	  0x00BE, F_CF | F_PF | F_SF, SZAPC },
	{ "aad_as_captured_on_80286 (2 of 2)", "d5 33 f4", 0xB973, F_AF | F_CF,
	  0x004E, F_CF | F_PF, SZAPC },
};

ParameterizedTestParameters(bcd, runs)
{
	return cr_make_param_array(struct bcd_case, runs, sizeof(runs) / sizeof(runs[0]));
}

ParameterizedTest(const struct bcd_case *k, bcd, runs)
{
	struct machine *m = bcd_new(k->code, k->ax, k->flags);
	tm_run_to_hlt(m, k->name);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x55550000u | k->want_ax, "%s: AX %04x, expected %04x", k->name,
		     c->r[R_EAX].w, k->want_ax);
	uint32_t got = t2_arith(c) & k->mask;
	cr_assert_eq(got, k->want_flags & k->mask, "%s: flags %03x, expected %03x", k->name, got,
		     k->want_flags & k->mask);
	tm_free(m);
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

