/* MUL, IMUL (one, two and three operands), DIV, IDIV. Results per the SDM
 * (vol. 2A/2B); the undefined SF/ZF/AF/PF of multiplies are checked against
 * cases taken from the SingleStepTests 80286 captures. Two tables: cases
 * that run to the HLT, and cases that raise #DE; each row keeps the name it
 * had as a test of its own. */
#include <criterion/parameterized.h>

#include "tests/alu2_tm.h"

#define CFOF (F_CF | F_OF)

enum where { W_NONE, W_EAX, W_EDX };
#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* Strings are held in arrays, not pointed to: Criterion copies each row into
 * the test's own process, where a pointer into this one means nothing. */
struct md_case {
	char name[48];
	char code[24]; /* ends in the HLT */
	uint32_t eax, ecx, edx, ebx, esi;
	uint32_t flags; /* arithmetic flags before */
	char mem[12];   /* bytes at T2_DATA before, or "" */
	struct tm_want out[2]; /* W_EAX or W_EDX */
	uint32_t fmask, fwant; /* arithmetic flags & fmask after; fmask 0: not read */
};

static struct machine *md_new(const struct md_case *k)
{
	struct machine *m = tm_new(k->code);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = k->eax;
	c->r[R_ECX].d = k->ecx;
	c->r[R_EDX].d = k->edx;
	c->r[R_EBX].d = k->ebx;
	c->r[R_ESI].d = k->esi;
	t2_flags(c, k->flags);
	tm_poke(m, T2_DATA, k->mem);
	return m;
}

static const struct md_case runs[] = {
	{ "mul_bl_overflows_into_ah", "f6 e3 f4",
	  .eax = 0x80, .ebx = 0x02, .out = { { W_EAX, 0, 0x0100 } },
	  .fmask = F_ARITH, .fwant = CFOF | F_AF },
	{ "mul_bl_fits_in_al", "f6 e3 f4",
	  .eax = 0xABCD0010u, .ebx = 0x0F, .out = { { W_EAX, 0, 0xABCD00F0u } },
	  .fmask = CFOF, .fwant = 0 },
	/* SingleStepTests 80286 F6.4 "mul cl": AX 950A, CX FFFF -> AX 09F6,
	 * flags CF PF AF OF (upper half 09: even parity, not zero, positive). */
	{ "mul_cl_as_captured_on_80286", "f6 e1 f4",
	  .eax = 0x950A, .ecx = 0xFFFF, .out = { { W_EAX, 0, 0x09F6 } },
	  .fmask = F_ARITH, .fwant = F_CF | F_PF | F_AF | F_OF },
	/* Upper half 0: ZF and PF set, CF OF clear, AF set (80286 data). */
	{ "mul_zero_upper_half_sets_zf", "f6 e3 f4",
	  .eax = 3, .ebx = 4, .out = { { W_EAX, 0, 12 } },
	  .fmask = F_ARITH, .fwant = F_ZF | F_PF | F_AF },
	{ "mul_cx_word", "f7 e1 f4",
	  .eax = 0xFFFF, .ecx = 0xFFFF, .out = { { W_EAX, 0, 0x0001 }, { W_EDX, 0, 0xFFFE } },
	  .fmask = CFOF, .fwant = CFOF },
	{ "mul_ecx_dword", "66 f7 e1 f4",
	  .eax = 0xFFFFFFFFu, .ecx = 2, .out = { { W_EAX, 0, 0xFFFFFFFEu }, { W_EDX, 0, 1 } },
	  .fmask = CFOF, .fwant = CFOF },
	{ "mul_dword_memory", "66 f7 27 f4",
	  .eax = 0x10000, .edx = 0xFFFF, .ebx = T2_DATA, .mem = "00 00 01 00",
	  .out = { { W_EAX, 0, 0 }, { W_EDX, 0, 1 } } },
	{ "imul_bl_negative_fits", "f6 eb f4",
	  .eax = 0xFE, .ebx = 3, .out = { { W_EAX, 0, 0xFFFA } }, .fmask = CFOF, .fwant = 0 },
	{ "imul_bl_positive_overflow", "f6 eb f4",
	  .eax = 0x40, .ebx = 2, .out = { { W_EAX, 0, 0x0080 } }, .fmask = CFOF, .fwant = CFOF },
	{ "imul_ecx_minus_one_squared", "66 f7 e9 f4",
	  .eax = 0xFFFFFFFFu, .ecx = 0xFFFFFFFFu, .edx = 0x1234,
	  .out = { { W_EAX, 0, 1 }, { W_EDX, 0, 0 } }, .fmask = CFOF, .fwant = 0 },
	{ "imul_word_negative_product_sign_extends_into_dx", "f7 e9 f4",
	  .eax = 0xFFFF, .ecx = 0x0002, .out = { { W_EAX, 0, 0xFFFE }, { W_EDX, 0, 0xFFFF } },
	  .fmask = CFOF, .fwant = 0 },
	{ "imul_ax_bx_truncates", "0f af c3 f4",
	  .eax = 0x55550100u, .ebx = 0x0100, .out = { { W_EAX, 0, 0x55550000u } },
	  .fmask = CFOF, .fwant = CFOF },
	{ "imul_eax_ecx_ib_negative", "66 6b c1 fd f4",
	  .ecx = 5, .out = { { W_EAX, 0, 0xFFFFFFF1u } }, .fmask = CFOF, .fwant = 0 },
	{ "imul_ax_cx_iw_overflow", "69 c1 00 80 f4",
	  .ecx = 2, .out = { { W_EAX, 0, 0 } }, .fmask = CFOF, .fwant = CFOF },
	/* SingleStepTests 80286 6B "imul dx,si,0FFD6h": SI 0936 -> DX 7D24,
	 * flags SF AF CF OF (product FFFE7D24: upper half FFFE). */
	{ "imul_three_operand_as_captured_on_80286", "6b d6 d6 f4",
	  .esi = 0x0936, .out = { { W_EDX, 0, 0x7D24 } },
	  .fmask = F_ARITH, .fwant = F_SF | F_AF | F_CF | F_OF },
	{ "imul_gd_ed_id_memory", "66 69 07 00 00 01 00 f4",
	  .ebx = T2_DATA, .mem = "00 80 00 00", .out = { { W_EAX, 0, 0x80000000u } },
	  .fmask = CFOF, .fwant = CFOF },
	/* DIV must leave the flags alone. */
	{ "div_bl", "f6 f3 f4",
	  .eax = 0x0234, .ebx = 0x10, .flags = F_ARITH, .out = { { W_EAX, 0, 0x0423 } },
	  .fmask = F_ARITH, .fwant = F_ARITH },
	{ "div_word", "f7 f1 f4",
	  .eax = 0x0000, .ecx = 3, .edx = 0x0001,
	  .out = { { W_EAX, 0, 0x5555 }, { W_EDX, 0, 0x0001 } } },
	{ "div_dword", "66 f7 f1 f4",
	  .ecx = 0x10, .edx = 1, .out = { { W_EAX, 0, 0x10000000u }, { W_EDX, 0, 0 } } },
	{ "idiv_byte_remainder_has_dividend_sign", "f6 fb f4",
	  .eax = 0xFFF9, .ebx = 2, .out = { { W_EAX, 0, 0xFFFD } } },
	{ "idiv_word_quotient_minus_32768_fits", "f7 f9 f4",
	  .eax = 0x0000, .ecx = 2, .edx = 0xFFFF, .out = { { W_EAX, 0, 0x8000 }, { W_EDX, 0, 0 } } },
	/* EDX:EAX = -100, ECX = 7: quotient -14, remainder -2 */
	{ "idiv_dword_negative", "66 f7 f9 f4",
	  .eax = 0xFFFFFF9Cu, .ecx = 7, .edx = 0xFFFFFFFFu,
	  .out = { { W_EAX, 0, 0xFFFFFFF2u }, { W_EDX, 0, 0xFFFFFFFEu } } },
};

static const char *const where_name[] = { "-", "EAX", "EDX" };

static uint32_t read_at(struct machine *m, unsigned at, paddr_t addr)
{
	(void)addr;
	return tm_cpu(m)->r[at == W_EAX ? R_EAX : R_EDX].d;
}

ParameterizedTestParameters(muldiv, runs)
{
	return cr_make_param_array(struct md_case, runs, ROWS(runs));
}

ParameterizedTest(const struct md_case *k, muldiv, runs)
{
	struct machine *m = md_new(k);
	tm_run_to_hlt(m, k->name);
	tm_check_wants(m, k->name, k->out, ROWS(k->out), read_at, where_name);
	tm_check_flags(m, k->name, k->fmask, k->fwant); /* fmask is within F_ARITH */
	tm_free(m);
}

/* #DE leaves EAX, EDX and the flags as they were, and has no error code:
 * FLAGS sit right above the CS:IP of the faulting instruction. */
static const struct md_case faults[] = {
	{ "div_by_zero_raises_de", "f6 f3 f4",
	  .eax = 0x1234, .edx = 0x5678 },
	{ "div_byte_quotient_overflow_raises_de", "f6 f3 f4",
	  .eax = 0x1000, .ebx = 0x10 },
	{ "div_dword_overflow_raises_de", "66 f7 f1 f4",
	  .ecx = 0x10, .edx = 0x10 },
	{ "div_dword_by_zero_memory_raises_de", "66 f7 37 f4", /* [bx] holds 0 */
	  .eax = 5, .edx = 7, .ebx = T2_DATA },
	{ "idiv_minus_128_by_minus_1_raises_de", "f6 fb f4",
	  .eax = 0xFF80, .ebx = 0xFF },
	{ "idiv_word_plus_32768_raises_de", "f7 f9 f4",
	  .eax = 0x8000, .ecx = 0xFFFF, .edx = 0xFFFF },
	{ "idiv_dword_int64_min_by_minus_1_raises_de", "66 f7 f9 f4",
	  .ecx = 0xFFFFFFFFu, .edx = 0x80000000u },
};

ParameterizedTestParameters(muldiv, raises_de)
{
	return cr_make_param_array(struct md_case, faults, ROWS(faults));
}

ParameterizedTest(const struct md_case *k, muldiv, raises_de)
{
	struct machine *m = md_new(k);
	struct cpu *c = tm_cpu(m);
	t2_flags(c, F_CF | F_ZF);
	cr_assert_eq(tm_run(m), MACHINE_HALTED, "%s: did not halt", k->name);
	cr_assert_eq(c->seg[S_CS].sel, 0, "%s: no exception", k->name);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DE + 1, "%s: ended at %x, not in the #DE handler",
		     k->name, c->eip);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 0, "%s: frame IP is not the faulting instruction",
		     k->name);
	cr_assert_eq(c->r[R_EAX].d, k->eax, "%s: EAX %x changed", k->name, k->eax);
	cr_assert_eq(c->r[R_EDX].d, k->edx, "%s: EDX %x changed", k->name, k->edx);
	cr_assert_eq(t2_arith(c), F_CF | F_ZF, "%s: flags changed", k->name);
	cr_assert_eq(tm_peek16(m, 0x8000 - 2) & (F_CF | F_ZF), F_CF | F_ZF,
		     "%s: FLAGS not right above CS:IP", k->name);
	tm_free(m);
}
