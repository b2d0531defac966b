/* Arithmetic, logic and flag instructions (ops_alu.c, ops_flags.c):
 * results and the six arithmetic flags for register and memory forms at
 * 8, 16 and 32 bits (32 through the 66 prefix in real mode), LOCK rules and
 * segment-limit faults. Expected values are worked out by hand from the
 * Intel SDM vol. 2 instruction pages and vol. 1 appendix A. */
#include <criterion/criterion.h>
#include <setjmp.h>

#include "cpu/decode.h"
#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "tests/tm.h"

#define ARITH(c) (cpu_get_eflags(c) & F_ARITH)
/* After AND/OR/XOR/TEST the SDM leaves AF undefined: compare the rest. */
#define LOGIC(c) (cpu_get_eflags(c) & (F_ARITH & ~F_AF))
#define MEM 0x2000u /* DS = 0, so DS:MEM is physical MEM */

static struct machine *m;
static struct cpu *c;

/* Each test builds its machine with code, then sets registers and flags
 * directly so only the instruction under test computes anything. */
static void load(const char *hex, uint32_t flags)
{
	m = tm_new(hex);
	c = tm_cpu(m);
	c->eflags = 0x2 | flags;
	c->lf.kind = LF_NONE;
	c->r[R_EBX].d = MEM;
}

/* Ran to the final HLT at offset len - 1 of the code, with no exception. */
static void run_ok(unsigned len)
{
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(c->seg[S_CS].sel, 0x1000, "an exception was raised (EIP %x)", c->eip);
	cr_assert_eq(c->eip, len);
}

static void run_exc(unsigned vector)
{
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(c->seg[S_CS].sel, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + vector + 1, "vector %u expected, EIP %x", vector,
		     c->eip);
}

static void done(void) { tm_free(m); }

TestSuite(alu, .fini = done);

/* ---- ADD ---- */

Test(alu, add_eb_gb_register_signed_overflow)
{
	load("00 d8 f4", 0); /* add al, bl */
	c->r[R_EAX].d = 0x1234567F;
	c->r[R_EBX].d = 0x01;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x12345680);
	cr_assert_eq(ARITH(c), F_OF | F_SF | F_AF);
}

Test(alu, add_ew_gw_memory_carry_out)
{
	load("01 07 f4", 0); /* add [bx], ax */
	tm_poke(m, MEM, "ff ff");
	c->r[R_EAX].d = 1;
	run_ok(3);
	cr_assert_eq(tm_peek16(m, MEM), 0);
	cr_assert_eq(c->r[R_EAX].d, 1);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_AF | F_PF);
}

Test(alu, add_gd_ed_register_32bit)
{
	load("66 03 c3 f4", 0); /* add eax, ebx */
	c->r[R_EAX].d = 0x80000000;
	c->r[R_EBX].d = 0x80000000;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(ARITH(c), F_CF | F_OF | F_ZF | F_PF);
}

Test(alu, add_gb_eb_memory)
{
	load("02 27 f4", 0); /* add ah, [bx] */
	tm_poke(m, MEM, "08");
	c->r[R_EAX].d = 0x0808;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x1008);
	cr_assert_eq(ARITH(c), F_AF);
}

Test(alu, add_ed_gd_memory_32bit)
{
	load("66 01 07 f4", 0); /* add [bx], eax */
	tm_poke(m, MEM, "ff ff ff 7f");
	c->r[R_EAX].d = 1;
	run_ok(4);
	cr_assert_eq(tm_peek32(m, MEM), 0x80000000);
	cr_assert_eq(ARITH(c), F_OF | F_SF | F_AF | F_PF);
}

Test(alu, add_ax_iw_leaves_upper_half)
{
	load("05 01 00 f4", 0); /* add ax, 1 */
	c->r[R_EAX].d = 0xABCDFFFF;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0xABCD0000);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_AF | F_PF);
}

/* ---- ADC / SBB ---- */

Test(alu, adc_with_carry_in)
{
	load("f9 14 05 f4", 0); /* stc; adc al, 5 */
	c->r[R_EAX].d = 0x0A;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0x10);
	cr_assert_eq(ARITH(c), F_AF);
}

Test(alu, adc_without_carry_in)
{
	load("f8 14 05 f4", F_CF); /* clc; adc al, 5 */
	c->r[R_EAX].d = 0x0A;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0x0F);
	cr_assert_eq(ARITH(c), F_PF);
}

Test(alu, adc_carry_in_wraps_to_zero)
{
	load("14 00 f4", F_CF); /* adc al, 0 with CF=1, AL=FF */
	c->r[R_EAX].d = 0xFF;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_AF | F_PF);
}

Test(alu, adc_takes_carry_from_a_lazy_compare)
{
	load("3c 01 15 00 00 f4", 0); /* cmp al, 1 (borrow); adc ax, 0 */
	c->r[R_EAX].d = 0;
	run_ok(6);
	cr_assert_eq(c->r[R_EAX].d, 1);
	cr_assert_eq(ARITH(c), 0);
}

Test(alu, adc_ed_id_memory_32bit)
{
	load("66 81 17 ff ff ff ff f4", F_CF); /* adc dword [bx], -1 */
	tm_poke(m, MEM, "00 00 00 00");
	run_ok(8);
	cr_assert_eq(tm_peek32(m, MEM), 0);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_AF | F_PF);
}

Test(alu, sbb_borrow_in_from_zero)
{
	load("1c 00 f4", F_CF); /* sbb al, 0 */
	c->r[R_EAX].d = 0;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0xFF);
	cr_assert_eq(ARITH(c), F_CF | F_AF | F_SF | F_PF);
}

Test(alu, sbb_ew_gw_memory_overflow)
{
	load("f9 19 07 f4", 0); /* stc; sbb [bx], ax */
	tm_poke(m, MEM, "00 80");
	c->r[R_EAX].d = 0;
	run_ok(4);
	cr_assert_eq(tm_peek16(m, MEM), 0x7FFF);
	cr_assert_eq(ARITH(c), F_OF | F_AF | F_PF);
}

Test(alu, sbb_gd_ed_without_borrow)
{
	load("66 1b c3 f4", 0); /* sbb eax, ebx */
	c->r[R_EAX].d = 0x10;
	c->r[R_EBX].d = 0x20;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFFFF0);
	cr_assert_eq(ARITH(c), F_CF | F_SF | F_PF);
}

Test(alu, sbb_equal_operands_with_borrow)
{
	load("1a c3 f4", F_CF); /* sbb al, bl */
	c->r[R_EAX].d = 0x05;
	c->r[R_EBX].d = 0x05;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].b[0], 0xFF);
	cr_assert_eq(ARITH(c), F_CF | F_AF | F_SF | F_PF);
}

/* ---- SUB / CMP ---- */

Test(alu, sub_ew_gw_register_overflow)
{
	load("29 d8 f4", 0); /* sub ax, bx */
	c->r[R_EAX].d = 0x8000;
	c->r[R_EBX].d = 0x0001;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x7FFF);
	cr_assert_eq(ARITH(c), F_OF | F_AF | F_PF);
}

Test(alu, sub_gd_ed_memory_32bit_zero)
{
	load("66 2b 07 f4", F_CF | F_SF); /* sub eax, [bx] */
	tm_poke(m, MEM, "05 00 00 00");
	c->r[R_EAX].d = 5;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(ARITH(c), F_ZF | F_PF);
}

Test(alu, sub_eb_gb_memory)
{
	load("28 27 f4", 0); /* sub [bx], ah */
	tm_poke(m, MEM, "10");
	c->r[R_EAX].d = 0x0100;
	run_ok(3);
	cr_assert_eq(tm_peek8(m, MEM), 0x0F);
	cr_assert_eq(ARITH(c), F_AF | F_PF);
}

Test(alu, cmp_al_ib_sets_flags_only)
{
	load("3c 05 f4", 0); /* cmp al, 5 */
	c->r[R_EAX].d = 3;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 3);
	cr_assert_eq(ARITH(c), F_CF | F_SF | F_AF);
}

Test(alu, cmp_ew_gw_memory_leaves_memory)
{
	load("39 07 f4", 0); /* cmp [bx], ax */
	tm_poke(m, MEM, "00 80");
	c->r[R_EAX].d = 1;
	run_ok(3);
	cr_assert_eq(tm_peek16(m, MEM), 0x8000);
	cr_assert_eq(c->r[R_EAX].d, 1);
	cr_assert_eq(ARITH(c), F_OF | F_AF | F_PF);
}

Test(alu, cmp_gd_ed_32bit_equal)
{
	load("66 3b 07 f4", 0); /* cmp eax, [bx] */
	tm_poke(m, MEM, "78 56 34 12");
	c->r[R_EAX].d = 0x12345678;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0x12345678);
	cr_assert_eq(ARITH(c), F_ZF | F_PF);
}

/* ---- AND / OR / XOR ---- */

Test(alu, and_al_ib_clears_cf_and_of)
{
	load("24 0f f4", F_CF | F_OF); /* and al, 0x0f */
	c->r[R_EAX].d = 0xF0;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(LOGIC(c), F_ZF | F_PF);
}

Test(alu, and_ed_gd_memory_32bit)
{
	load("66 21 07 f4", F_CF); /* and [bx], eax */
	tm_poke(m, MEM, "ff 00 00 80");
	c->r[R_EAX].d = 0x80000001;
	run_ok(4);
	cr_assert_eq(tm_peek32(m, MEM), 0x80000001);
	cr_assert_eq(LOGIC(c), F_SF);
}

Test(alu, or_al_ib_sign)
{
	load("0c 80 f4", 0); /* or al, 0x80 */
	c->r[R_EAX].d = 0x01;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x81);
	cr_assert_eq(LOGIC(c), F_SF | F_PF);
}

Test(alu, or_ew_gw_memory)
{
	load("09 07 f4", F_OF); /* or [bx], ax */
	tm_poke(m, MEM, "00 12");
	c->r[R_EAX].d = 0x34;
	run_ok(3);
	cr_assert_eq(tm_peek16(m, MEM), 0x1234);
	cr_assert_eq(LOGIC(c), 0);
}

Test(alu, xor_self_32bit_zeroes)
{
	load("66 31 c0 f4", F_CF | F_SF); /* xor eax, eax */
	c->r[R_EAX].d = 0xDEADBEEF;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(LOGIC(c), F_ZF | F_PF);
}

Test(alu, xor_gb_eb_memory)
{
	load("32 07 f4", 0); /* xor al, [bx] */
	tm_poke(m, MEM, "ff");
	c->r[R_EAX].d = 0x0F;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0xF0);
	cr_assert_eq(LOGIC(c), F_SF | F_PF);
}

/* ---- group 80-83 ---- */

Test(alu, grp80_add_eb_ib_memory)
{
	load("80 07 01 f4", 0); /* add byte [bx], 1 */
	tm_poke(m, MEM, "ff");
	run_ok(4);
	cr_assert_eq(tm_peek8(m, MEM), 0);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_AF | F_PF);
}

Test(alu, grp82_is_an_alias_of_80)
{
	load("82 f0 ff f4", 0); /* xor al, 0xff */
	c->r[R_EAX].d = 0x0F;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0xF0);
	cr_assert_eq(LOGIC(c), F_SF | F_PF);
}

Test(alu, grp81_add_ew_iw_register)
{
	load("81 c3 34 12 f4", 0); /* add bx, 0x1234 */
	c->r[R_EBX].d = 0x0001;
	run_ok(5);
	cr_assert_eq(c->r[R_EBX].d, 0x1235);
	cr_assert_eq(ARITH(c), F_PF);
}

Test(alu, grp81_add_ed_id_register_32bit)
{
	load("66 81 c1 00 00 00 80 f4", 0); /* add ecx, 0x80000000 */
	c->r[R_ECX].d = 0x80000000;
	run_ok(8);
	cr_assert_eq(c->r[R_ECX].d, 0);
	cr_assert_eq(ARITH(c), F_CF | F_OF | F_ZF | F_PF);
}

Test(alu, grp83_sign_extends_imm8_16bit)
{
	load("83 c0 ff f4", 0); /* add ax, -1 */
	c->r[R_EAX].d = 0x12340001;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0x12340000);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_AF | F_PF);
}

Test(alu, grp83_sign_extends_imm8_32bit)
{
	load("66 83 e8 01 f4", 0); /* sub eax, 1 */
	c->r[R_EAX].d = 0;
	run_ok(5);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFFFFF);
	cr_assert_eq(ARITH(c), F_CF | F_SF | F_AF | F_PF);
}

Test(alu, grp83_cmp_memory_with_negative_imm8)
{
	load("83 3f 80 f4", F_CF); /* cmp word [bx], -128 */
	tm_poke(m, MEM, "80 ff");
	run_ok(4);
	cr_assert_eq(tm_peek16(m, MEM), 0xFF80);
	cr_assert_eq(ARITH(c), F_ZF | F_PF);
}

Test(alu, grp83_or_ed_ib_memory_32bit)
{
	load("66 83 0f f0 f4", 0); /* or dword [bx], -16 */
	tm_poke(m, MEM, "01 00 00 00");
	run_ok(5);
	cr_assert_eq(tm_peek32(m, MEM), 0xFFFFFFF1);
	cr_assert_eq(LOGIC(c), F_SF);
}

Test(alu, grp83_and_ew_ib_memory)
{
	load("83 27 7f f4", 0); /* and word [bx], 0x7f */
	tm_poke(m, MEM, "ff ff");
	run_ok(4);
	cr_assert_eq(tm_peek16(m, MEM), 0x007F);
	cr_assert_eq(LOGIC(c), 0);
}

Test(alu, grp83_sbb_ew_ib_register)
{
	load("83 db 00 f4", F_CF); /* sbb bx, 0 */
	c->r[R_EBX].d = 0x0000;
	run_ok(4);
	cr_assert_eq(c->r[R_EBX].d, 0xFFFF);
	cr_assert_eq(ARITH(c), F_CF | F_SF | F_AF | F_PF);
}

/* ---- INC / DEC ---- */

Test(alu, inc_rw_keeps_cf)
{
	load("f9 40 f4", 0); /* stc; inc ax */
	c->r[R_EAX].d = 0x7FFF;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x8000);
	cr_assert_eq(ARITH(c), F_CF | F_OF | F_SF | F_AF | F_PF);
}

Test(alu, inc_keeps_a_lazy_carry)
{
	load("04 01 43 f4", 0); /* add al, 1 (carry); inc bx */
	c->r[R_EAX].d = 0xFF;
	c->r[R_EBX].d = 0x10;
	run_ok(4);
	cr_assert_eq(c->r[R_EBX].d, 0x11);
	cr_assert_eq(ARITH(c), F_CF | F_PF);
}

Test(alu, dec_rw_keeps_cf_clear)
{
	load("48 f4", 0); /* dec ax */
	c->r[R_EAX].d = 0x10000;
	run_ok(2);
	cr_assert_eq(c->r[R_EAX].d, 0x1FFFF);
	cr_assert_eq(ARITH(c), F_SF | F_AF | F_PF);
}

Test(alu, inc_rd_32bit_wraps)
{
	load("66 43 f4", F_CF); /* inc ebx */
	c->r[R_EBX].d = 0xFFFFFFFF;
	run_ok(3);
	cr_assert_eq(c->r[R_EBX].d, 0);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_AF | F_PF);
}

Test(alu, dec_rd_32bit_overflow)
{
	load("66 49 f4", 0); /* dec ecx */
	c->r[R_ECX].d = 0x80000000;
	run_ok(3);
	cr_assert_eq(c->r[R_ECX].d, 0x7FFFFFFF);
	cr_assert_eq(ARITH(c), F_OF | F_AF | F_PF);
}

Test(alu, inc_eb_memory_keeps_cf)
{
	load("fe 07 f4", F_CF); /* inc byte [bx] */
	tm_poke(m, MEM, "ff");
	run_ok(3);
	cr_assert_eq(tm_peek8(m, MEM), 0);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_AF | F_PF);
}

Test(alu, dec_eb_register_high_byte)
{
	load("fe cc f4", 0); /* dec ah */
	c->r[R_EAX].d = 0x0155;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x0055);
	cr_assert_eq(ARITH(c), F_ZF | F_PF);
}

Test(alu, inc_ew_memory_overflow)
{
	load("ff 07 f4", 0); /* inc word [bx] */
	tm_poke(m, MEM, "ff 7f");
	run_ok(3);
	cr_assert_eq(tm_peek16(m, MEM), 0x8000);
	cr_assert_eq(ARITH(c), F_OF | F_SF | F_AF | F_PF);
}

Test(alu, dec_ed_register_32bit)
{
	load("66 ff c9 f4", F_CF); /* dec ecx */
	c->r[R_ECX].d = 1;
	run_ok(4);
	cr_assert_eq(c->r[R_ECX].d, 0);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_PF);
}

Test(alu, dec_ed_memory_32bit)
{
	load("66 ff 0f f4", 0); /* dec dword [bx] */
	tm_poke(m, MEM, "00 00 00 00");
	run_ok(4);
	cr_assert_eq(tm_peek32(m, MEM), 0xFFFFFFFF);
	cr_assert_eq(ARITH(c), F_SF | F_AF | F_PF);
}

/* ---- NEG / NOT ---- */

Test(alu, neg_eb_register)
{
	load("f6 d8 f4", 0); /* neg al */
	c->r[R_EAX].d = 0x01;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0xFF);
	cr_assert_eq(ARITH(c), F_CF | F_SF | F_AF | F_PF);
}

Test(alu, neg_zero_clears_cf)
{
	load("f7 d8 f4", F_CF); /* neg ax */
	c->r[R_EAX].d = 0xFFFF0000;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF0000);
	cr_assert_eq(ARITH(c), F_ZF | F_PF);
}

Test(alu, neg_eb_memory_most_negative)
{
	load("f6 1f f4", 0); /* neg byte [bx] */
	tm_poke(m, MEM, "80");
	run_ok(3);
	cr_assert_eq(tm_peek8(m, MEM), 0x80);
	cr_assert_eq(ARITH(c), F_CF | F_OF | F_SF);
}

Test(alu, neg_ed_register_32bit)
{
	load("66 f7 db f4", 0); /* neg ebx */
	c->r[R_EBX].d = 0x80000000;
	run_ok(4);
	cr_assert_eq(c->r[R_EBX].d, 0x80000000);
	cr_assert_eq(ARITH(c), F_CF | F_OF | F_SF | F_PF);
}

Test(alu, neg_ew_memory)
{
	load("f7 1f f4", 0); /* neg word [bx] */
	tm_poke(m, MEM, "10 00");
	run_ok(3);
	cr_assert_eq(tm_peek16(m, MEM), 0xFFF0);
	cr_assert_eq(ARITH(c), F_CF | F_SF | F_PF);
}

Test(alu, not_changes_no_flags)
{
	load("f6 d0 f7 17 66 f7 d2 f4", F_CF | F_ZF | F_OF); /* not al; not [bx]; not edx */
	tm_poke(m, MEM, "34 12");
	c->r[R_EAX].d = 0x0F;
	c->r[R_EDX].d = 0x00FF00FF;
	run_ok(8);
	cr_assert_eq(c->r[R_EAX].d, 0xF0);
	cr_assert_eq(tm_peek16(m, MEM), 0xEDCB);
	cr_assert_eq(c->r[R_EDX].d, 0xFF00FF00);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_OF);
}

Test(alu, not_eb_memory_and_ed_memory)
{
	load("f6 17 66 f7 57 01 f4", 0); /* not byte [bx]; not dword [bx+1] */
	tm_poke(m, MEM, "0f 00 00 00 80");
	run_ok(7);
	cr_assert_eq(tm_peek8(m, MEM), 0xF0);
	cr_assert_eq(tm_peek32(m, MEM + 1), 0x7FFFFFFF);
	cr_assert_eq(ARITH(c), 0);
}

/* ---- TEST ---- */

Test(alu, test_eb_gb_register_flags_only)
{
	load("84 c3 f4", F_CF | F_OF); /* test bl, al */
	c->r[R_EAX].d = 0xF0;
	c->r[R_EBX].d = 0x0F;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0xF0);
	cr_assert_eq(c->r[R_EBX].d, 0x0F);
	cr_assert_eq(LOGIC(c), F_ZF | F_PF);
}

Test(alu, test_ew_gw_memory)
{
	load("85 07 f4", 0); /* test [bx], ax */
	tm_poke(m, MEM, "01 80");
	c->r[R_EAX].d = 0x8001;
	run_ok(3);
	cr_assert_eq(tm_peek16(m, MEM), 0x8001);
	cr_assert_eq(LOGIC(c), F_SF);
}

Test(alu, test_ax_iw_and_eax_id)
{
	load("a9 00 80 f4", 0); /* test ax, 0x8000 */
	c->r[R_EAX].d = 0x8000;
	run_ok(4);
	cr_assert_eq(LOGIC(c), F_SF | F_PF);
	tm_free(m);
	load("66 a9 00 00 00 80 f4", F_SF); /* test eax, 0x80000000 */
	c->r[R_EAX].d = 0x7FFFFFFF;
	run_ok(7);
	cr_assert_eq(c->r[R_EAX].d, 0x7FFFFFFF);
	cr_assert_eq(LOGIC(c), F_ZF | F_PF);
}

Test(alu, test_al_ib)
{
	load("a8 03 f4", 0); /* test al, 3 */
	c->r[R_EAX].d = 0x01;
	run_ok(3);
	cr_assert_eq(LOGIC(c), 0);
}

Test(alu, test_eb_ib_memory_and_reg1_alias)
{
	load("f6 07 01 f6 c8 80 f4", 0); /* test byte [bx], 1; test al, 0x80 (F6 /1) */
	tm_poke(m, MEM, "fe");
	c->r[R_EAX].d = 0x80;
	run_ok(7);
	cr_assert_eq(tm_peek8(m, MEM), 0xFE);
	cr_assert_eq(LOGIC(c), F_SF);
}

Test(alu, test_ed_id_register_32bit)
{
	load("66 f7 c1 ff ff 00 00 f4", 0); /* test ecx, 0xffff */
	c->r[R_ECX].d = 0x12340000;
	run_ok(8);
	cr_assert_eq(LOGIC(c), F_ZF | F_PF);
}

/* ---- LOCK and faults ---- */

Test(alu, lock_on_register_destination_is_ud)
{
	load("f0 00 d8 f4", 0); /* lock add al, bl */
	c->r[R_EAX].d = 1;
	run_exc(EXC_UD);
	cr_assert_eq(c->r[R_EAX].d, 1);
}

Test(alu, lock_on_memory_destination_runs)
{
	load("f0 01 07 f0 66 ff 07 f4", 0); /* lock add [bx], ax; lock inc dword [bx] */
	tm_poke(m, MEM, "01 00 00 00");
	c->r[R_EAX].d = 2;
	run_ok(8);
	cr_assert_eq(tm_peek32(m, MEM), 4);
}

Test(alu, lock_cmp_and_lock_test_are_ud)
{
	load("f0 39 07 f4", 0); /* lock cmp [bx], ax */
	run_exc(EXC_UD);
	tm_free(m);
	load("f0 85 07 f4", 0); /* lock test [bx], ax */
	run_exc(EXC_UD);
}

Test(alu, lock_neg_on_register_is_ud)
{
	load("f0 f6 d8 f4", 0); /* lock neg al */
	run_exc(EXC_UD);
}

/* A word at offset FFFF runs past the 64 KiB real-mode limit: #GP, and the
 * instruction leaves registers, memory and flags as they were. */
Test(alu, add_word_at_ffff_raises_gp_without_changes)
{
	load("f9 01 07 f4", 0); /* stc; add [bx], ax */
	c->r[R_EAX].d = 0x1234;
	c->r[R_EBX].d = 0xFFFF;
	tm_poke(m, 0xFFFF, "ff");
	run_exc(EXC_GP);
	cr_assert_eq(c->r[R_EAX].d, 0x1234);
	cr_assert_eq(c->r[R_EBX].d, 0xFFFF);
	cr_assert_eq(tm_peek8(m, 0xFFFF), 0xFF);
	cr_assert_eq(ARITH(c), F_CF);
	/* The frame holds the faulting ADD's address and the flags before it. */
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 1);
	cr_assert_eq(tm_peek16(m, 0x8000 - 2) & F_ARITH, F_CF);
}

Test(alu, inc_and_neg_word_at_ffff_raise_gp)
{
	load("f8 ff 07 f4", 0); /* clc; inc word [bx] */
	c->r[R_EBX].d = 0xFFFF;
	run_exc(EXC_GP);
	cr_assert_eq(ARITH(c), 0);
	tm_free(m);
	load("66 f7 1f f4", F_ZF); /* neg dword [bx] at FFFD: 4 bytes past */
	c->r[R_EBX].d = 0xFFFD;
	run_exc(EXC_GP);
	cr_assert_eq(ARITH(c), F_ZF);
}

Test(alu, add_ew_ib_at_ffff_raises_gp)
{
	load("83 07 01 f4", F_SF); /* add word [bx], 1 */
	c->r[R_EBX].d = 0xFFFF;
	run_exc(EXC_GP);
	cr_assert_eq(ARITH(c), F_SF);
}

/* The read succeeds and the write faults: only a read-only data segment
 * (protected mode) does that. The handler is called directly under our own
 * setjmp so that no protected-mode exception delivery is involved; the
 * instruction must leave memory, registers and flags as they were. */
static int rmw_in_readonly_ds(const char *bytes, unsigned n)
{
	struct insn in;
	cr_assert_eq(decode_insn((const uint8_t *)bytes, n, false, &in, NULL), (int)n);
	c->cr0 |= CR0_PE;
	c->seg[S_DS].ar = AR_P | AR_S | 0x1; /* data, read-only, accessed */
	seg_update_chk(c, S_DS);
	if (setjmp(c->jmp) == 0) {
		in.fn(c, &in);
		return -1;
	}
	return c->exc_vector;
}

Test(alu, faulting_write_after_read_leaves_flags_and_registers)
{
	static const struct {
		const char *bytes;
		unsigned n;
	} cases[] = {
		{ "\x01\x07", 2 },         /* add [bx], ax */
		{ "\x11\x07", 2 },         /* adc [bx], ax */
		{ "\x80\x37\x01", 3 },     /* xor byte [bx], 1 */
		{ "\x66\x83\x2f\x01", 4 }, /* sub dword [bx], 1 */
		{ "\xfe\x07", 2 },         /* inc byte [bx] */
		{ "\xf7\x1f", 2 },         /* neg word [bx] */
		{ "\xf7\x17", 2 },         /* not word [bx] */
		{ "\x87\x07", 2 },         /* xchg [bx], ax */
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		load("f4", F_CF | F_ZF);
		tm_poke(m, MEM, "ff 7f 00 00");
		c->r[R_EAX].d = 0x1234;
		cr_assert_eq(rmw_in_readonly_ds(cases[k].bytes, cases[k].n), EXC_GP, "case %u", k);
		cr_assert_eq(tm_peek32(m, MEM), 0x7FFF, "case %u", k);
		cr_assert_eq(c->r[R_EAX].d, 0x1234, "case %u", k);
		cr_assert_eq(ARITH(c), F_CF | F_ZF, "case %u", k);
		tm_free(m);
	}
	m = tm_new("f4");
}

/* ---- flag instructions ---- */

Test(alu, clc_stc_cmc_keep_the_other_flags)
{
	load("04 ff f5 f4", 0); /* add al, 0xff (AL=1: CF ZF AF PF); cmc */
	c->r[R_EAX].d = 1;
	run_ok(4);
	cr_assert_eq(ARITH(c), F_ZF | F_AF | F_PF);
	tm_free(m);
	load("3c 01 f8 f4", 0); /* cmp al, 1 (AL=0: CF SF AF PF); clc */
	c->r[R_EAX].d = 0;
	run_ok(4);
	cr_assert_eq(ARITH(c), F_SF | F_AF | F_PF);
	tm_free(m);
	load("f9 f5 f5 f4", F_OF); /* stc; cmc; cmc */
	run_ok(4);
	cr_assert_eq(ARITH(c), F_CF | F_OF);
}

Test(alu, cld_std)
{
	load("fd f4", 0);
	run_ok(2);
	cr_assert(cpu_get_eflags(c) & F_DF);
	tm_free(m);
	load("fc f4", F_DF | F_CF);
	run_ok(2);
	cr_assert_eq(cpu_get_eflags(c) & (F_DF | F_CF), F_CF);
}

Test(alu, sahf_loads_five_flags_and_keeps_of)
{
	load("9e f4", F_OF); /* sahf, AH = FF */
	c->r[R_EAX].d = 0xFF00;
	run_ok(2);
	cr_assert_eq(ARITH(c), F_OF | F_SF | F_ZF | F_AF | F_PF | F_CF);
	cr_assert_eq(cpu_get_eflags(c) & 0x28, 0); /* reserved bits 3 and 5 stay 0 */
	tm_free(m);
	load("9e f4", F_ARITH); /* sahf, AH = 0 */
	run_ok(2);
	cr_assert_eq(ARITH(c), F_OF);
}

Test(alu, lahf_stores_flags_with_bit1_set)
{
	load("38 c0 f9 9f f4", F_OF); /* cmp al, al (ZF PF); stc; lahf */
	c->r[R_EAX].d = 0x12345678;
	run_ok(5);
	cr_assert_eq(c->r[R_EAX].d, 0x12344778);
	tm_free(m);
	load("9f f4", F_OF);
	c->r[R_EAX].d = 0xFF00;
	run_ok(2);
	cr_assert_eq(c->r[R_EAX].d, 0x0200);
}

Test(alu, salc_copies_cf_into_al)
{
	load("f9 d6 f4", 0); /* stc; salc */
	c->r[R_EAX].d = 0x1200;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x12FF);
	cr_assert_eq(ARITH(c), F_CF);
	tm_free(m);
	load("d6 f4", F_ZF); /* CF = 0 */
	c->r[R_EAX].d = 0x12AB;
	run_ok(2);
	cr_assert_eq(c->r[R_EAX].d, 0x1200);
	cr_assert_eq(ARITH(c), F_ZF);
}
