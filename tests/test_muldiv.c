/* MUL, IMUL (one, two and three operands), DIV, IDIV. Results per the SDM
 * (vol. 2A/2B); the undefined SF/ZF/AF/PF of multiplies are checked against
 * cases taken from the SingleStepTests 80286 captures. */
#include "tests/alu2_tm.h"

static struct machine *md_new(const char *hex, uint32_t eax, uint32_t ecx, uint32_t edx,
			      uint32_t ebx)
{
	struct machine *m = tm_new(hex);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = eax;
	c->r[R_ECX].d = ecx;
	c->r[R_EDX].d = edx;
	c->r[R_EBX].d = ebx;
	t2_flags(c, 0);
	return m;
}

#define CFOF (F_CF | F_OF)

Test(muldiv, mul_bl_overflows_into_ah)
{
	struct machine *m = md_new("f6 e3 f4", 0x80, 0, 0, 0x02);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x0100);
	cr_assert_eq(t2_arith(c), CFOF | F_AF);
	tm_free(m);
}

Test(muldiv, mul_bl_fits_in_al)
{
	struct machine *m = md_new("f6 e3 f4", 0xABCD0010u, 0, 0, 0x0F);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xABCD00F0u);
	cr_assert_eq(t2_arith(c) & CFOF, 0);
	tm_free(m);
}

Test(muldiv, mul_cl_as_captured_on_80286)
{
	/* SingleStepTests 80286 F6.4 "mul cl": AX 950A, CX FFFF -> AX 09F6,
	 * flags CF PF AF OF (upper half 09: even parity, not zero, positive). */
	struct machine *m = md_new("f6 e1 f4", 0x950A, 0xFFFF, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x09F6);
	cr_assert_eq(t2_arith(c), F_CF | F_PF | F_AF | F_OF);
	tm_free(m);
}

Test(muldiv, mul_zero_upper_half_sets_zf)
{
	/* Upper half 0: ZF and PF set, CF OF clear, AF set (80286 data). */
	struct machine *m = md_new("f6 e3 f4", 3, 0, 0, 4);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 12);
	cr_assert_eq(t2_arith(c), F_ZF | F_PF | F_AF);
	tm_free(m);
}

Test(muldiv, mul_cx_word)
{
	struct machine *m = md_new("f7 e1 f4", 0xFFFF, 0xFFFF, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x0001);
	cr_assert_eq(c->r[R_EDX].d, 0xFFFE);
	cr_assert_eq(t2_arith(c) & CFOF, CFOF);
	tm_free(m);
}

Test(muldiv, mul_ecx_dword)
{
	struct machine *m = md_new("66 f7 e1 f4", 0xFFFFFFFFu, 2, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFFFFEu);
	cr_assert_eq(c->r[R_EDX].d, 1);
	cr_assert_eq(t2_arith(c) & CFOF, CFOF);
	tm_free(m);
}

Test(muldiv, mul_dword_memory)
{
	struct machine *m = md_new("66 f7 27 f4", 0x10000, 0, 0xFFFF, T2_DATA);
	tm_poke(m, T2_DATA, "00 00 01 00");
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(c->r[R_EDX].d, 1);
	tm_free(m);
}

Test(muldiv, imul_bl_negative_fits)
{
	struct machine *m = md_new("f6 eb f4", 0xFE, 0, 0, 3);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFA);
	cr_assert_eq(t2_arith(c) & CFOF, 0);
	tm_free(m);
}

Test(muldiv, imul_bl_positive_overflow)
{
	struct machine *m = md_new("f6 eb f4", 0x40, 0, 0, 2);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x0080);
	cr_assert_eq(t2_arith(c) & CFOF, CFOF);
	tm_free(m);
}

Test(muldiv, imul_ecx_minus_one_squared)
{
	struct machine *m = md_new("66 f7 e9 f4", 0xFFFFFFFFu, 0xFFFFFFFFu, 0x1234, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 1);
	cr_assert_eq(c->r[R_EDX].d, 0);
	cr_assert_eq(t2_arith(c) & CFOF, 0);
	tm_free(m);
}

Test(muldiv, imul_word_negative_product_sign_extends_into_dx)
{
	struct machine *m = md_new("f7 e9 f4", 0xFFFF, 0x0002, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFE);
	cr_assert_eq(c->r[R_EDX].d, 0xFFFF);
	cr_assert_eq(t2_arith(c) & CFOF, 0);
	tm_free(m);
}

Test(muldiv, imul_ax_bx_truncates)
{
	struct machine *m = md_new("0f af c3 f4", 0x55550100u, 0, 0, 0x0100);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x55550000u);
	cr_assert_eq(t2_arith(c) & CFOF, CFOF);
	tm_free(m);
}

Test(muldiv, imul_eax_ecx_ib_negative)
{
	struct machine *m = md_new("66 6b c1 fd f4", 0, 5, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFFFF1u);
	cr_assert_eq(t2_arith(c) & CFOF, 0);
	tm_free(m);
}

Test(muldiv, imul_ax_cx_iw_overflow)
{
	struct machine *m = md_new("69 c1 00 80 f4", 0, 2, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(t2_arith(c) & CFOF, CFOF);
	tm_free(m);
}

Test(muldiv, imul_three_operand_as_captured_on_80286)
{
	/* SingleStepTests 80286 6B "imul dx,si,0FFD6h": SI 0936 -> DX 7D24,
	 * flags SF AF CF OF (product FFFE7D24: upper half FFFE). */
	struct machine *m = md_new("6b d6 d6 f4", 0, 0, 0, 0);
	tm_cpu(m)->r[R_ESI].d = 0x0936;
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EDX].d, 0x7D24);
	cr_assert_eq(t2_arith(c), F_SF | F_AF | F_CF | F_OF);
	tm_free(m);
}

Test(muldiv, imul_gd_ed_id_memory)
{
	struct machine *m = md_new("66 69 07 00 00 01 00 f4", 0, 0, 0, T2_DATA);
	tm_poke(m, T2_DATA, "00 80 00 00");
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x80000000u);
	cr_assert_eq(t2_arith(c) & CFOF, CFOF);
	tm_free(m);
}

Test(muldiv, div_bl)
{
	struct machine *m = md_new("f6 f3 f4", 0x0234, 0, 0, 0x10);
	t2_flags(tm_cpu(m), F_ARITH);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x0423);
	cr_assert_eq(t2_arith(c), F_ARITH, "DIV must leave the flags alone");
	tm_free(m);
}

static void check_de_unchanged(struct machine *m, uint32_t eax, uint32_t edx)
{
	t2_flags(tm_cpu(m), F_CF | F_ZF);
	t2_run_fault(m, EXC_DE);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, eax);
	cr_assert_eq(c->r[R_EDX].d, edx);
	cr_assert_eq(t2_arith(c), F_CF | F_ZF);
	/* #DE has no error code: FLAGS sit right above CS:IP */
	cr_assert_eq(tm_peek16(m, 0x8000 - 2) & (F_CF | F_ZF), F_CF | F_ZF);
	tm_free(m);
}

Test(muldiv, div_by_zero_raises_de)
{
	check_de_unchanged(md_new("f6 f3 f4", 0x1234, 0, 0x5678, 0), 0x1234, 0x5678);
}

Test(muldiv, div_byte_quotient_overflow_raises_de)
{
	check_de_unchanged(md_new("f6 f3 f4", 0x1000, 0, 0, 0x10), 0x1000, 0);
}

Test(muldiv, div_word)
{
	struct machine *m = md_new("f7 f1 f4", 0x0000, 3, 0x0001, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x5555);
	cr_assert_eq(c->r[R_EDX].d, 0x0001);
	tm_free(m);
}

Test(muldiv, div_dword)
{
	struct machine *m = md_new("66 f7 f1 f4", 0, 0x10, 1, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x10000000u);
	cr_assert_eq(c->r[R_EDX].d, 0);
	tm_free(m);
}

Test(muldiv, div_dword_overflow_raises_de)
{
	check_de_unchanged(md_new("66 f7 f1 f4", 0, 0x10, 0x10, 0), 0, 0x10);
}

Test(muldiv, div_dword_by_zero_memory_raises_de)
{
	struct machine *m = md_new("66 f7 37 f4", 5, 0, 7, T2_DATA);
	check_de_unchanged(m, 5, 7);
}

Test(muldiv, idiv_minus_128_by_minus_1_raises_de)
{
	check_de_unchanged(md_new("f6 fb f4", 0xFF80, 0, 0, 0xFF), 0xFF80, 0);
}

Test(muldiv, idiv_byte_remainder_has_dividend_sign)
{
	struct machine *m = md_new("f6 fb f4", 0xFFF9, 0, 0, 2);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0xFFFD);
	tm_free(m);
}

Test(muldiv, idiv_word_quotient_minus_32768_fits)
{
	struct machine *m = md_new("f7 f9 f4", 0x0000, 2, 0xFFFF, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x8000);
	cr_assert_eq(c->r[R_EDX].d, 0);
	tm_free(m);
}

Test(muldiv, idiv_word_plus_32768_raises_de)
{
	check_de_unchanged(md_new("f7 f9 f4", 0x8000, 0xFFFF, 0xFFFF, 0), 0x8000, 0xFFFF);
}

Test(muldiv, idiv_dword_int64_min_by_minus_1_raises_de)
{
	check_de_unchanged(md_new("66 f7 f9 f4", 0, 0xFFFFFFFFu, 0x80000000u, 0), 0, 0x80000000u);
}

Test(muldiv, idiv_dword_negative)
{
	/* EDX:EAX = -100, ECX = 7: quotient -14, remainder -2 */
	struct machine *m = md_new("66 f7 f9 f4", 0xFFFFFF9Cu, 7, 0xFFFFFFFFu, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFFFF2u);
	cr_assert_eq(c->r[R_EDX].d, 0xFFFFFFFEu);
	tm_free(m);
}
