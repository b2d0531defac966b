/* Shifts and rotates (groups C0 C1 D0-D3) and SHLD/SHRD. Expected values
 * from the SDM pseudo-code (vol. 2B, RCL/RCR/ROL/ROR, SAL/SAR/SHL/SHR,
 * SHLD, SHRD) worked by hand; undefined flags are not checked except where
 * hardware data is quoted. */
#include "tests/alu2_tm.h"

static struct machine *sh_new(const char *hex, uint32_t eax, uint32_t ecx, uint32_t flags)
{
	struct machine *m = tm_new(hex);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = eax;
	c->r[R_ECX].d = ecx;
	t2_flags(c, flags);
	return m;
}

#define DEFINED_SHIFT (F_CF | F_ZF | F_SF | F_PF)

Test(shift, shl_al_1_sets_cf_and_of)
{
	struct machine *m = sh_new("d0 e0 f4", 0x81, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x02);
	cr_assert_eq(t2_arith(c) & (DEFINED_SHIFT | F_OF), F_CF | F_OF);
	tm_free(m);
}

Test(shift, shl_count_zero_changes_nothing)
{
	struct machine *m = sh_new("d2 e0 f4", 0x81, 0, F_ARITH);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x81);
	cr_assert_eq(t2_arith(c), F_ARITH);
	tm_free(m);
}

Test(shift, count_is_masked_to_5_bits)
{
	/* CL = 32 masks to 0: nothing happens; CL = 33 shifts by 1. */
	struct machine *m = sh_new("d2 e0 f4", 0x81, 0x20, F_ARITH);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x81);
	cr_assert_eq(t2_arith(tm_cpu(m)), F_ARITH);
	tm_free(m);
	m = sh_new("d2 e0 f4", 0x81, 0x21, 0);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x02);
	cr_assert_eq(t2_arith(tm_cpu(m)) & F_CF, F_CF);
	tm_free(m);
}

Test(shift, shl_byte_by_31_matches_hardware)
{
	/* Real CPU (dosbox-x issue 469, Windows XP): SHL AH,0FFh with AH=FF
	 * from cleared flags gives ZF PF set, CF OF AF clear. */
	struct machine *m = sh_new("c0 e4 ff f4", 0xFF00, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(t2_arith(c), F_ZF | F_PF);
	tm_free(m);
}

Test(shift, shl_eax_31)
{
	struct machine *m = sh_new("66 c1 e0 1f f4", 3, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x80000000u);
	cr_assert_eq(t2_arith(c) & DEFINED_SHIFT, F_CF | F_SF | F_PF);
	tm_free(m);
}

Test(shift, shl_ax_16_keeps_upper_eax)
{
	struct machine *m = sh_new("c1 e0 10 f4", 0x12348001, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x12340000);
	cr_assert_eq(t2_arith(c) & DEFINED_SHIFT, F_CF | F_ZF | F_PF);
	tm_free(m);
}

Test(shift, shr_al_1_of_is_original_msb)
{
	struct machine *m = sh_new("d0 e8 f4", 0x81, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x40);
	cr_assert_eq(t2_arith(c) & (DEFINED_SHIFT | F_OF), F_CF | F_OF);
	tm_free(m);
}

Test(shift, shr_al_by_size_leaves_last_bit_in_cf)
{
	struct machine *m = sh_new("c0 e8 08 f4", 0x80, 0, F_OF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0);
	/* OF clear after a longer SHR, as the 80286 data shows */
	cr_assert_eq(t2_arith(c) & (DEFINED_SHIFT | F_OF), F_CF | F_ZF | F_PF);
	tm_free(m);
}

Test(shift, shr_eax_31)
{
	struct machine *m = sh_new("66 c1 e8 1f f4", 0x80000000u, 0, F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 1);
	cr_assert_eq(t2_arith(c) & DEFINED_SHIFT, 0);
	tm_free(m);
}

Test(shift, sar_al_1_keeps_sign)
{
	struct machine *m = sh_new("d0 f8 f4", 0x81, 0, F_OF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xC0);
	cr_assert_eq(t2_arith(c) & (DEFINED_SHIFT | F_OF), F_CF | F_SF | F_PF);
	tm_free(m);
}

Test(shift, sar_ax_31_fills_with_sign)
{
	struct machine *m = sh_new("c1 f8 1f f4", 0x8000, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF);
	cr_assert_eq(t2_arith(c) & DEFINED_SHIFT, F_CF | F_SF | F_PF);
	tm_free(m);
}

Test(shift, rol_al_1)
{
	struct machine *m = sh_new("d0 c0 f4", 0x81, 0, F_ZF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x03);
	/* rotates touch only CF and OF: ZF stays set */
	cr_assert_eq(t2_arith(c), F_CF | F_OF | F_ZF);
	tm_free(m);
}

Test(shift, ror_al_1)
{
	struct machine *m = sh_new("d0 c8 f4", 0x01, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x80);
	cr_assert_eq(t2_arith(c), F_CF | F_OF);
	tm_free(m);
}

Test(shift, rol_by_operand_size_sets_cf_only)
{
	/* SDM: CF <- LSB(DEST) whenever the masked count is not 0. */
	struct machine *m = sh_new("c0 c0 08 f4", 0x81, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x81);
	cr_assert_eq(t2_arith(c) & F_CF, F_CF);
	tm_free(m);
}

Test(shift, ror_eax_cl_4)
{
	struct machine *m = sh_new("66 d3 c8 f4", 0x12345678, 4, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x81234567);
	cr_assert_eq(t2_arith(c) & F_CF, F_CF);
	tm_free(m);
}

Test(shift, rcl_al_1_through_carry)
{
	struct machine *m = sh_new("d0 d0 f4", 0x80, 0, F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x01);
	cr_assert_eq(t2_arith(c), F_CF | F_OF);
	tm_free(m);
}

Test(shift, rcl_whole_turns_still_set_of_as_captured_on_80286)
{
	/* SingleStepTests 80286 C0.2 "rcl ch,52h": 52h & 1Fh = 18 = two turns
	 * of 9. CH FE and CF are kept; OF = MSB XOR CF = 0. */
	struct machine *m = sh_new("c0 d5 52 f4", 0, 0xFEBB, F_OF | F_ZF | F_AF | F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_ECX].d, 0xFEBB);
	cr_assert_eq(t2_arith(c), F_ZF | F_AF | F_CF);
	tm_free(m);
}

Test(shift, rcr_whole_turns_still_set_of_as_captured_on_80286)
{
	struct machine *m = sh_new("c0 dd 52 f4", 0, 0xFEBB, F_OF | F_ZF | F_AF | F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_ECX].d, 0xFEBB);
	cr_assert_eq(t2_arith(c), F_ZF | F_AF | F_CF);
	tm_free(m);
}

Test(shift, rcl_al_4_through_carry)
{
	/* CF:AL = 1:00110101, rotated left 4: AL = 01011001, CF = 1 */
	struct machine *m = sh_new("c0 d0 04 f4", 0x35, 0, F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x59);
	cr_assert_eq(t2_arith(c) & F_CF, F_CF);
	tm_free(m);
}

Test(shift, rcr_al_1_through_carry)
{
	struct machine *m = sh_new("d0 d8 f4", 0x01, 0, F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x80);
	cr_assert_eq(t2_arith(c), F_CF | F_OF);
	tm_free(m);
}

Test(shift, rcl_ax_17_is_a_full_turn)
{
	struct machine *m = sh_new("c1 d0 11 f4", 0x1234, 0, F_OF | F_SF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x1234);
	cr_assert_eq(t2_arith(c), F_SF, "CF kept, OF = MSB XOR CF = 0");
	tm_free(m);
}

Test(shift, rcr_ax_16)
{
	/* Sixteen steps of the SDM loop from AX=0001, CF=1: AX=0003, CF=0. */
	struct machine *m = sh_new("c1 d8 10 f4", 0x0001, 0, F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x0003);
	cr_assert_eq(t2_arith(c) & F_CF, 0);
	tm_free(m);
}

Test(shift, rcl_eax_31)
{
	/* A 33-bit rotate left by 31 is a rotate right by 2: bit 1 lands in CF. */
	struct machine *m = sh_new("66 c1 d0 1f f4", 0x00000002, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(t2_arith(c) & F_CF, F_CF);
	tm_free(m);
}

Test(shift, rcr_eax_cl_1)
{
	struct machine *m = sh_new("66 d3 d8 f4", 0x80000001u, 1, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x40000000u);
	/* OF = MSB(DEST) XOR CF before the rotate = 1 */
	cr_assert_eq(t2_arith(c), F_CF | F_OF);
	tm_free(m);
}

Test(shift, shl_word_in_memory)
{
	struct machine *m = sh_new("d1 27 f4", 0, 0, 0);
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = T2_DATA;
	tm_poke(m, T2_DATA, "00 40");
	t2_run(m);
	cr_assert_eq(tm_peek16(m, T2_DATA), 0x8000);
	cr_assert_eq(t2_arith(c) & (DEFINED_SHIFT | F_OF), F_OF | F_SF | F_PF);
	tm_free(m);
}

Test(shift, rcl_dword_in_memory_by_cl)
{
	struct machine *m = sh_new("66 d3 17 f4", 0, 8, F_CF);
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = T2_DATA;
	tm_poke(m, T2_DATA, "78 56 34 12");
	t2_run(m);
	/* CF:12345678 rotated left 8: 345678 | CF<<7 | 12>>1, CF = bit 24 = 0 */
	cr_assert_eq(tm_peek32(m, T2_DATA), 0x34567889u);
	cr_assert_eq(t2_arith(c) & F_CF, 0);
	tm_free(m);
}

Test(shift, count_zero_still_reads_memory)
{
	/* A word at DS:FFFF crosses the real-mode limit: #GP even for count 0. */
	struct machine *m = sh_new("d3 27 f4", 0, 0, 0);
	tm_cpu(m)->r[R_EBX].d = 0xFFFF;
	t2_run_fault(m, EXC_GP);
	tm_free(m);
}

Test(shift, shld_ax_bx_4)
{
	struct machine *m = sh_new("0f a4 d8 04 f4", 0x1234, 0, 0);
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = 0xABCD;
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x234A);
	cr_assert_eq(c->r[R_EBX].d, 0xABCD);
	cr_assert_eq(t2_arith(c) & DEFINED_SHIFT, F_CF);
	tm_free(m);
}

Test(shift, shrd_eax_edx_cl_8)
{
	struct machine *m = sh_new("66 0f ad d0 f4", 0x12345678, 8, F_CF);
	struct cpu *c = tm_cpu(m);
	c->r[R_EDX].d = 0x9ABCDEF0u;
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xF0123456u);
	cr_assert_eq(t2_arith(c) & DEFINED_SHIFT, F_SF | F_PF);
	tm_free(m);
}

Test(shift, shrd_1_of_is_sign_change)
{
	/* SHRD EAX,EDX,1: EAX 00000001, EDX 1: result 80000000, CF 1, OF 1 */
	struct machine *m = sh_new("66 0f ac d0 01 f4", 1, 0, 0);
	struct cpu *c = tm_cpu(m);
	c->r[R_EDX].d = 1;
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x80000000u);
	cr_assert_eq(t2_arith(c) & (DEFINED_SHIFT | F_OF), F_CF | F_OF | F_SF | F_PF);
	tm_free(m);
}

Test(shift, shld_dword_memory_31)
{
	struct machine *m = sh_new("66 0f a4 1f 1f f4", 0, 0, 0);
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = T2_DATA;
	tm_poke(m, T2_DATA, "03 00 00 00");
	t2_run(m);
	/* dest 00000003 : src EBX 00002000 shifted left 31: 80000000 | 2000 >> 1 */
	cr_assert_eq(tm_peek32(m, T2_DATA), 0x80001000u);
	cr_assert_eq(t2_arith(c) & F_CF, F_CF);
	tm_free(m);
}

Test(shift, shld_count_zero_changes_nothing)
{
	struct machine *m = sh_new("0f a5 d8 f4", 0x1234, 0x20, F_ARITH);
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = 0xFFFF;
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x1234);
	cr_assert_eq(t2_arith(c), F_ARITH);
	tm_free(m);
}
