/* Shifts and rotates (groups C0 C1 D0-D3) and SHLD/SHRD. Expected values
 * from the SDM pseudo-code (vol. 2B, RCL/RCR/ROL/ROR, SAL/SAR/SHL/SHR,
 * SHLD, SHRD) worked by hand; undefined flags are not checked except where
 * hardware data is quoted. The cases that run to the HLT are rows of one
 * table; each row keeps the name it had as a test of its own. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "tests/alu2_tm.h"

#define DEFINED_SHIFT (F_CF | F_ZF | F_SF | F_PF)

enum where { W_NONE, W_EAX, W_ECX, W_EBX, W_M16, W_M32 };

/* Strings are held in arrays, not pointed to: Criterion copies each row into
 * the test's own process, where a pointer into this one means nothing. */
struct sh_case {
	char name[56];
	char code[24]; /* ends in the HLT */
	uint32_t eax, ecx;
	uint32_t flags; /* arithmetic flags before */
	uint32_t ebx, edx;
	char mem[16]; /* bytes at T2_DATA before, or "" */
	struct tm_want out[2]; /* W_M16, W_M32: the operand at T2_DATA */
	uint32_t fmask, fwant; /* arithmetic flags & fmask after */
};

static const struct sh_case runs[] = {
	{ "shl_al_1_sets_cf_and_of", "d0 e0 f4",
	  .eax = 0x81, .out = { { W_EAX, 0, 0x02 } },
	  .fmask = DEFINED_SHIFT | F_OF, .fwant = F_CF | F_OF },
	{ "shl_count_zero_changes_nothing", "d2 e0 f4",
	  .eax = 0x81, .flags = F_ARITH, .out = { { W_EAX, 0, 0x81 } },
	  .fmask = F_ARITH, .fwant = F_ARITH },
	/* CL = 32 masks to 0: nothing happens; CL = 33 shifts by 1. */
	{ "count_is_masked_to_5_bits (1 of 2)", "d2 e0 f4",
	  .eax = 0x81, .ecx = 0x20, .flags = F_ARITH, .out = { { W_EAX, 0, 0x81 } },
	  .fmask = F_ARITH, .fwant = F_ARITH },
	{ "count_is_masked_to_5_bits (2 of 2)", "d2 e0 f4",
	  .eax = 0x81, .ecx = 0x21, .out = { { W_EAX, 0, 0x02 } }, .fmask = F_CF, .fwant = F_CF },
	/* Real CPU (dosbox-x issue 469, Windows XP): SHL AH,0FFh with AH=FF
	 * from cleared flags gives ZF PF set, CF OF AF clear. */
	{ "shl_byte_by_31_matches_hardware", "c0 e4 ff f4",
	  .eax = 0xFF00, .out = { { W_EAX, 0, 0 } }, .fmask = F_ARITH, .fwant = F_ZF | F_PF },
	{ "shl_eax_31", "66 c1 e0 1f f4",
	  .eax = 3, .out = { { W_EAX, 0, 0x80000000u } },
	  .fmask = DEFINED_SHIFT, .fwant = F_CF | F_SF | F_PF },
	{ "shl_ax_16_keeps_upper_eax", "c1 e0 10 f4",
	  .eax = 0x12348001, .out = { { W_EAX, 0, 0x12340000 } },
	  .fmask = DEFINED_SHIFT, .fwant = F_CF | F_ZF | F_PF },
	{ "shr_al_1_of_is_original_msb", "d0 e8 f4",
	  .eax = 0x81, .out = { { W_EAX, 0, 0x40 } },
	  .fmask = DEFINED_SHIFT | F_OF, .fwant = F_CF | F_OF },
	/* OF clear after a longer SHR, as the 80286 data shows */
	{ "shr_al_by_size_leaves_last_bit_in_cf", "c0 e8 08 f4",
	  .eax = 0x80, .flags = F_OF, .out = { { W_EAX, 0, 0 } },
	  .fmask = DEFINED_SHIFT | F_OF, .fwant = F_CF | F_ZF | F_PF },
	{ "shr_eax_31", "66 c1 e8 1f f4",
	  .eax = 0x80000000u, .flags = F_CF, .out = { { W_EAX, 0, 1 } },
	  .fmask = DEFINED_SHIFT, .fwant = 0 },
	{ "sar_al_1_keeps_sign", "d0 f8 f4",
	  .eax = 0x81, .flags = F_OF, .out = { { W_EAX, 0, 0xC0 } },
	  .fmask = DEFINED_SHIFT | F_OF, .fwant = F_CF | F_SF | F_PF },
	{ "sar_ax_31_fills_with_sign", "c1 f8 1f f4",
	  .eax = 0x8000, .out = { { W_EAX, 0, 0xFFFF } },
	  .fmask = DEFINED_SHIFT, .fwant = F_CF | F_SF | F_PF },
	/* rotates touch only CF and OF: ZF stays set */
	{ "rol_al_1", "d0 c0 f4",
	  .eax = 0x81, .flags = F_ZF, .out = { { W_EAX, 0, 0x03 } },
	  .fmask = F_ARITH, .fwant = F_CF | F_OF | F_ZF },
	{ "ror_al_1", "d0 c8 f4",
	  .eax = 0x01, .out = { { W_EAX, 0, 0x80 } }, .fmask = F_ARITH, .fwant = F_CF | F_OF },
	/* SDM: CF <- LSB(DEST) whenever the masked count is not 0. */
	{ "rol_by_operand_size_sets_cf_only", "c0 c0 08 f4",
	  .eax = 0x81, .out = { { W_EAX, 0, 0x81 } }, .fmask = F_CF, .fwant = F_CF },
	{ "ror_eax_cl_4", "66 d3 c8 f4",
	  .eax = 0x12345678, .ecx = 4, .out = { { W_EAX, 0, 0x81234567 } },
	  .fmask = F_CF, .fwant = F_CF },
	{ "rcl_al_1_through_carry", "d0 d0 f4",
	  .eax = 0x80, .flags = F_CF, .out = { { W_EAX, 0, 0x01 } },
	  .fmask = F_ARITH, .fwant = F_CF | F_OF },
	/* SingleStepTests 80286 C0.2 "rcl ch,52h": 52h & 1Fh = 18 = two turns
	 * of 9. CH FE and CF are kept; OF = MSB XOR CF = 0. */
	{ "rcl_whole_turns_still_set_of_as_captured_on_80286", "c0 d5 52 f4",
	  .ecx = 0xFEBB, .flags = F_OF | F_ZF | F_AF | F_CF, .out = { { W_ECX, 0, 0xFEBB } },
	  .fmask = F_ARITH, .fwant = F_ZF | F_AF | F_CF },
	{ "rcr_whole_turns_still_set_of_as_captured_on_80286", "c0 dd 52 f4",
	  .ecx = 0xFEBB, .flags = F_OF | F_ZF | F_AF | F_CF, .out = { { W_ECX, 0, 0xFEBB } },
	  .fmask = F_ARITH, .fwant = F_ZF | F_AF | F_CF },
	/* CF:AL = 1:00110101, rotated left 4: AL = 01011001, CF = 1 */
	{ "rcl_al_4_through_carry", "c0 d0 04 f4",
	  .eax = 0x35, .flags = F_CF, .out = { { W_EAX, 0, 0x59 } }, .fmask = F_CF, .fwant = F_CF },
	{ "rcr_al_1_through_carry", "d0 d8 f4",
	  .eax = 0x01, .flags = F_CF, .out = { { W_EAX, 0, 0x80 } },
	  .fmask = F_ARITH, .fwant = F_CF | F_OF },
	/* CF kept, OF = MSB XOR CF = 0 */
	{ "rcl_ax_17_is_a_full_turn", "c1 d0 11 f4",
	  .eax = 0x1234, .flags = F_OF | F_SF, .out = { { W_EAX, 0, 0x1234 } },
	  .fmask = F_ARITH, .fwant = F_SF },
	/* Sixteen steps of the SDM loop from AX=0001, CF=1: AX=0003, CF=0. */
	{ "rcr_ax_16", "c1 d8 10 f4",
	  .eax = 0x0001, .flags = F_CF, .out = { { W_EAX, 0, 0x0003 } }, .fmask = F_CF, .fwant = 0 },
	/* A 33-bit rotate left by 31 is a rotate right by 2: bit 1 lands in CF. */
	{ "rcl_eax_31", "66 c1 d0 1f f4",
	  .eax = 0x00000002, .out = { { W_EAX, 0, 0 } }, .fmask = F_CF, .fwant = F_CF },
	/* OF = MSB(DEST) XOR CF before the rotate = 1 */
	{ "rcr_eax_cl_1", "66 d3 d8 f4",
	  .eax = 0x80000001u, .ecx = 1, .out = { { W_EAX, 0, 0x40000000u } },
	  .fmask = F_ARITH, .fwant = F_CF | F_OF },
	{ "shl_word_in_memory", "d1 27 f4",
	  .ebx = T2_DATA, .mem = "00 40", .out = { { W_M16, 0, 0x8000 } },
	  .fmask = DEFINED_SHIFT | F_OF, .fwant = F_OF | F_SF | F_PF },
	/* CF:12345678 rotated left 8: 345678 | CF<<7 | 12>>1, CF = bit 24 = 0 */
	{ "rcl_dword_in_memory_by_cl", "66 d3 17 f4",
	  .ecx = 8, .flags = F_CF, .ebx = T2_DATA, .mem = "78 56 34 12",
	  .out = { { W_M32, 0, 0x34567889u } }, .fmask = F_CF, .fwant = 0 },
	{ "shld_ax_bx_4", "0f a4 d8 04 f4",
	  .eax = 0x1234, .ebx = 0xABCD, .out = { { W_EAX, 0, 0x234A }, { W_EBX, 0, 0xABCD } },
	  .fmask = DEFINED_SHIFT, .fwant = F_CF },
	{ "shrd_eax_edx_cl_8", "66 0f ad d0 f4",
	  .eax = 0x12345678, .ecx = 8, .flags = F_CF, .edx = 0x9ABCDEF0u,
	  .out = { { W_EAX, 0, 0xF0123456u } }, .fmask = DEFINED_SHIFT, .fwant = F_SF | F_PF },
	/* SHRD EAX,EDX,1: EAX 00000001, EDX 1: result 80000000, CF 1, OF 1 */
	{ "shrd_1_of_is_sign_change", "66 0f ac d0 01 f4",
	  .eax = 1, .edx = 1, .out = { { W_EAX, 0, 0x80000000u } },
	  .fmask = DEFINED_SHIFT | F_OF, .fwant = F_CF | F_OF | F_SF | F_PF },
	/* dest 00000003 : src EBX 00002000 shifted left 31: 80000000 | 2000 >> 1 */
	{ "shld_dword_memory_31", "66 0f a4 1f 1f f4",
	  .ebx = T2_DATA, .mem = "03 00 00 00", .out = { { W_M32, 0, 0x80001000u } },
	  .fmask = F_CF, .fwant = F_CF },
	{ "shld_count_zero_changes_nothing", "0f a5 d8 f4",
	  .eax = 0x1234, .ecx = 0x20, .flags = F_ARITH, .ebx = 0xFFFF,
	  .out = { { W_EAX, 0, 0x1234 } }, .fmask = F_ARITH, .fwant = F_ARITH },
};

static const char *const where_name[] = { "-", "EAX", "ECX", "EBX", "word", "dword" };

static uint32_t read_at(struct machine *m, unsigned at, paddr_t addr)
{
	(void)addr;
	struct cpu *c = tm_cpu(m);
	switch (at) {
	case W_EAX: return c->r[R_EAX].d;
	case W_ECX: return c->r[R_ECX].d;
	case W_EBX: return c->r[R_EBX].d;
	case W_M16: return tm_peek16(m, T2_DATA);
	default: return tm_peek32(m, T2_DATA);
	}
}

ParameterizedTestParameters(shift, runs)
{
	return cr_make_param_array(struct sh_case, runs, sizeof(runs) / sizeof(runs[0]));
}

ParameterizedTest(const struct sh_case *k, shift, runs)
{
	struct machine *m = tm_new(k->code);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = k->eax;
	c->r[R_ECX].d = k->ecx;
	c->r[R_EBX].d = k->ebx;
	c->r[R_EDX].d = k->edx;
	t2_flags(c, k->flags);
	tm_poke(m, T2_DATA, k->mem);
	tm_run_to_hlt(m, k->name);
	tm_check_wants(m, k->name, k->out, 2, read_at, where_name);
	tm_check_flags(m, k->name, k->fmask, k->fwant); /* every row's fmask is within F_ARITH */
	tm_free(m);
}

/* A word at DS:FFFF crosses the real-mode limit: #GP even for count 0. */
Test(shift, count_zero_still_reads_memory)
{
	struct machine *m = tm_new("d3 27 f4");
	tm_cpu(m)->r[R_EBX].d = 0xFFFF;
	t2_flags(tm_cpu(m), 0);
	t2_run_fault(m, EXC_GP);
	tm_free(m);
}
