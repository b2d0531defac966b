/* FXSAVE / FXRSTOR (cpu/ops_fxsr.c) per the SDM vol. 2A: the legacy 512-byte
 * layout, alignment #GP, #NM with CR0.TS, #UD with CR0.EM or a register
 * operand, #GP on reserved MXCSR bits; the stored state is the x87 state after
 * FINIT (vol. 1 table 9-1) and the MXCSR default 1F80H (vol. 1 10.2.3). */
#include <criterion/criterion.h>
#include <stdio.h>

#include "tests/tm.h"

#define FX_AREA 0x2000u

/* The run ended in the HLT of vector v's handler. */
static void assert_exception(struct machine *m, unsigned v)
{
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->seg[S_CS].sel, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + v + 1, "eip %#x, expected vector %u", c->eip, v);
}

static void assert_completed(struct machine *m, uint32_t code_len)
{
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->seg[S_CS].sel, TM_CODE >> 4);
	cr_assert_eq(c->eip, code_len, "eip %#x", c->eip);
}

static void fill(struct machine *m, paddr_t at, unsigned len, uint8_t v)
{
	char hex[4];
	snprintf(hex, sizeof(hex), "%02x", v);
	for (unsigned k = 0; k < len; k++)
		tm_poke(m, at + k, hex);
}

Test(fxsr, fxsave_stores_the_initialised_state)
{
	/* fxsave [0x2000]; hlt */
	struct machine *m = tm_new("0f ae 06 00 20 f4");
	fill(m, FX_AREA, 512, 0xAA);
	tm_run(m);
	assert_completed(m, 6);
	cr_assert_eq(tm_peek16(m, FX_AREA + 0), 0x037F);     /* FCW after FINIT */
	cr_assert_eq(tm_peek16(m, FX_AREA + 2), 0);          /* FSW */
	cr_assert_eq(tm_peek8(m, FX_AREA + 4), 0);           /* abridged FTW: all empty */
	cr_assert_eq(tm_peek32(m, FX_AREA + 24), 0x1F80u);   /* MXCSR default */
	uint32_t mask = tm_peek32(m, FX_AREA + 28);
	cr_assert(mask == 0 || (mask & 0xFFFF0000u) == 0, "MXCSR_MASK %#x", mask);
	for (unsigned k = 32; k < 288; k += 4)
		cr_assert_eq(tm_peek32(m, FX_AREA + k), 0, "ST/XMM byte %u", k);
	/* Bytes 464-511 belong to software: the processor does not write them. */
	for (unsigned k = 464; k < 512; k++)
		cr_assert_eq(tm_peek8(m, FX_AREA + k), 0xAA, "byte %u", k);
	tm_free(m);
}

Test(fxsr, fxsave_misaligned_is_gp)
{
	struct machine *m = tm_new("0f ae 06 08 20 f4");
	tm_run(m);
	assert_exception(m, EXC_GP);
	tm_free(m);
}

Test(fxsr, fxsave_past_the_segment_limit_is_gp_and_stores_nothing)
{
	/* fxsave [0xFFF0]: real-mode limit 0xFFFF, the operand does not wrap. */
	struct machine *m = tm_new("0f ae 06 f0 ff f4");
	fill(m, 0xFFF0, 16, 0xAA);
	tm_run(m);
	assert_exception(m, EXC_GP);
	cr_assert_eq(tm_peek32(m, 0xFFF0), 0xAAAAAAAAu);
	tm_free(m);
}

Test(fxsr, fxsave_with_cr0_ts_is_nm)
{
	/* mov eax,cr0; or al,8; mov cr0,eax; fxsave [0x2000]; hlt */
	struct machine *m = tm_new("0f 20 c0 0c 08 0f 22 c0 0f ae 06 00 20 f4");
	tm_run(m);
	assert_exception(m, EXC_NM);
	tm_free(m);
}

Test(fxsr, fxrstor_with_cr0_em_is_ud)
{
	/* mov eax,cr0; or al,4; mov cr0,eax; fxrstor [0x2000]; hlt */
	struct machine *m = tm_new("0f 20 c0 0c 04 0f 22 c0 0f ae 0e 00 20 f4");
	tm_run(m);
	assert_exception(m, EXC_UD);
	tm_free(m);
}

Test(fxsr, register_operand_is_ud)
{
	struct machine *m = tm_new("0f ae c0 f4");
	tm_run(m);
	assert_exception(m, EXC_UD);
	tm_free(m);
}

Test(fxsr, fxrstor_accepts_a_saved_image)
{
	/* fxsave [0x2000]; fxrstor [0x2000]; hlt */
	struct machine *m = tm_new("0f ae 06 00 20 0f ae 0e 00 20 f4");
	tm_run(m);
	assert_completed(m, 11);
	tm_free(m);
}

Test(fxsr, fxrstor_reserved_mxcsr_bit_is_gp)
{
	/* MXCSR with bit 16 set (reserved) at offset 24. */
	struct machine *m = tm_new("0f ae 0e 00 20 f4");
	tm_poke(m, FX_AREA + 24, "80 1f 01 00");
	tm_run(m);
	assert_exception(m, EXC_GP);
	tm_free(m);
}
