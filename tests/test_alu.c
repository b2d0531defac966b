/* Arithmetic, logic and flag instructions (ops_alu.c, ops_flags.c):
 * results and the six arithmetic flags for register and memory forms at
 * 8, 16 and 32 bits (32 through the 66 prefix in real mode), LOCK rules and
 * segment-limit faults. Expected values are worked out by hand from the
 * Intel SDM vol. 2 instruction pages and vol. 1 appendix A. Most cases are
 * rows of one table (code, state before, values after) run by one
 * parameterized test; each row keeps the name it had as a test of its own. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <setjmp.h>

#include "cpu/decode.h"
#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "tests/tm.h"

#define ARITH(c) (cpu_get_eflags(c) & F_ARITH)
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

/* Where a row reads a result: a register, AL, or memory at MEM + off. */
enum where { W_NONE, W_EAX, W_EBX, W_ECX, W_EDX, W_AL, W_M8, W_M16, W_M32 };

/* Strings are held in arrays, not pointed to: Criterion copies each row into
 * the test's own process, where a pointer into this one means nothing. */
struct alu_case {
	char name[48];
	char code[24];  /* ends in the HLT */
	uint32_t flags; /* EFLAGS before (bit 1 is added) */
	char mem[16];   /* bytes at MEM before, or "" */
	uint32_t eax, ecx, edx;
	bool set_ebx; /* else EBX = MEM, for [bx] */
	uint32_t ebx;
	unsigned len;    /* runs to the HLT at len - 1; 0: raises .vector instead */
	unsigned vector;
	struct tm_want out[3]; /* .addr: the offset from MEM */
	uint32_t fmask, fwant; /* EFLAGS & fmask must be fwant; fmask 0: not read */
};

#define ARITH_IS(f) .fmask = F_ARITH, .fwant = (f)
/* After AND/OR/XOR/TEST the SDM leaves AF undefined: compare the rest. */
#define LOGIC_IS(f) .fmask = F_ARITH & ~F_AF, .fwant = (f)

static const char *const where_name[] = { "-", "EAX", "EBX", "ECX", "EDX", "AL", "byte", "word",
					   "dword" };

static uint32_t read_at(struct machine *mach, unsigned at, paddr_t off)
{
	(void)mach; /* the row's machine is m */
	switch (at) {
	case W_EAX: return c->r[R_EAX].d;
	case W_EBX: return c->r[R_EBX].d;
	case W_ECX: return c->r[R_ECX].d;
	case W_EDX: return c->r[R_EDX].d;
	case W_AL: return c->r[R_EAX].b[0];
	case W_M8: return tm_peek8(m, MEM + off);
	case W_M16: return tm_peek16(m, MEM + off);
	default: return tm_peek32(m, MEM + off);
	}
}

static void done(void) { tm_free(m); }

TestSuite(alu, .fini = done);

static const struct alu_case alu_cases[] = {
	/* ---- ADD ---- */
	{ "add_eb_gb_register_signed_overflow", "00 d8 f4", /* add al, bl */
	  .eax = 0x1234567F, .set_ebx = true, .ebx = 0x01, .len = 3,
	  .out = { { W_EAX, 0, 0x12345680 } }, ARITH_IS(F_OF | F_SF | F_AF) },
	{ "add_ew_gw_memory_carry_out", "01 07 f4", /* add [bx], ax */
	  .mem = "ff ff", .eax = 1, .len = 3, .out = { { W_M16, 0, 0 }, { W_EAX, 0, 1 } },
	  ARITH_IS(F_CF | F_ZF | F_AF | F_PF) },
	{ "add_gd_ed_register_32bit", "66 03 c3 f4", /* add eax, ebx */
	  .eax = 0x80000000, .set_ebx = true, .ebx = 0x80000000, .len = 4,
	  .out = { { W_EAX, 0, 0 } }, ARITH_IS(F_CF | F_OF | F_ZF | F_PF) },
	{ "add_gb_eb_memory", "02 27 f4", /* add ah, [bx] */
	  .mem = "08", .eax = 0x0808, .len = 3, .out = { { W_EAX, 0, 0x1008 } }, ARITH_IS(F_AF) },
	{ "add_ed_gd_memory_32bit", "66 01 07 f4", /* add [bx], eax */
	  .mem = "ff ff ff 7f", .eax = 1, .len = 4, .out = { { W_M32, 0, 0x80000000 } },
	  ARITH_IS(F_OF | F_SF | F_AF | F_PF) },
	{ "add_ax_iw_leaves_upper_half", "05 01 00 f4", /* add ax, 1 */
	  .eax = 0xABCDFFFF, .len = 4, .out = { { W_EAX, 0, 0xABCD0000 } },
	  ARITH_IS(F_CF | F_ZF | F_AF | F_PF) },

	/* ---- ADC / SBB ---- */
	{ "adc_with_carry_in", "f9 14 05 f4", /* stc; adc al, 5 */
	  .eax = 0x0A, .len = 4, .out = { { W_EAX, 0, 0x10 } }, ARITH_IS(F_AF) },
	{ "adc_without_carry_in", "f8 14 05 f4", /* clc; adc al, 5 */
	  .flags = F_CF, .eax = 0x0A, .len = 4, .out = { { W_EAX, 0, 0x0F } }, ARITH_IS(F_PF) },
	{ "adc_carry_in_wraps_to_zero", "14 00 f4", /* adc al, 0 with CF=1, AL=FF */
	  .flags = F_CF, .eax = 0xFF, .len = 3, .out = { { W_EAX, 0, 0 } },
	  ARITH_IS(F_CF | F_ZF | F_AF | F_PF) },
	/* cmp al, 1 (borrow); adc ax, 0 */
	{ "adc_takes_carry_from_a_lazy_compare", "3c 01 15 00 00 f4",
	  .eax = 0, .len = 6, .out = { { W_EAX, 0, 1 } }, ARITH_IS(0) },
	{ "adc_ed_id_memory_32bit", "66 81 17 ff ff ff ff f4", /* adc dword [bx], -1 */
	  .flags = F_CF, .mem = "00 00 00 00", .len = 8, .out = { { W_M32, 0, 0 } },
	  ARITH_IS(F_CF | F_ZF | F_AF | F_PF) },
	{ "sbb_borrow_in_from_zero", "1c 00 f4", /* sbb al, 0 */
	  .flags = F_CF, .eax = 0, .len = 3, .out = { { W_EAX, 0, 0xFF } },
	  ARITH_IS(F_CF | F_AF | F_SF | F_PF) },
	{ "sbb_ew_gw_memory_overflow", "f9 19 07 f4", /* stc; sbb [bx], ax */
	  .mem = "00 80", .eax = 0, .len = 4, .out = { { W_M16, 0, 0x7FFF } },
	  ARITH_IS(F_OF | F_AF | F_PF) },
	{ "sbb_gd_ed_without_borrow", "66 1b c3 f4", /* sbb eax, ebx */
	  .eax = 0x10, .set_ebx = true, .ebx = 0x20, .len = 4,
	  .out = { { W_EAX, 0, 0xFFFFFFF0 } }, ARITH_IS(F_CF | F_SF | F_PF) },
	{ "sbb_equal_operands_with_borrow", "1a c3 f4", /* sbb al, bl */
	  .flags = F_CF, .eax = 0x05, .set_ebx = true, .ebx = 0x05, .len = 3,
	  .out = { { W_AL, 0, 0xFF } }, ARITH_IS(F_CF | F_AF | F_SF | F_PF) },

	/* ---- SUB / CMP ---- */
	{ "sub_ew_gw_register_overflow", "29 d8 f4", /* sub ax, bx */
	  .eax = 0x8000, .set_ebx = true, .ebx = 0x0001, .len = 3,
	  .out = { { W_EAX, 0, 0x7FFF } }, ARITH_IS(F_OF | F_AF | F_PF) },
	{ "sub_gd_ed_memory_32bit_zero", "66 2b 07 f4", /* sub eax, [bx] */
	  .flags = F_CF | F_SF, .mem = "05 00 00 00", .eax = 5, .len = 4,
	  .out = { { W_EAX, 0, 0 } }, ARITH_IS(F_ZF | F_PF) },
	{ "sub_eb_gb_memory", "28 27 f4", /* sub [bx], ah */
	  .mem = "10", .eax = 0x0100, .len = 3, .out = { { W_M8, 0, 0x0F } },
	  ARITH_IS(F_AF | F_PF) },
	{ "cmp_al_ib_sets_flags_only", "3c 05 f4", /* cmp al, 5 */
	  .eax = 3, .len = 3, .out = { { W_EAX, 0, 3 } }, ARITH_IS(F_CF | F_SF | F_AF) },
	{ "cmp_ew_gw_memory_leaves_memory", "39 07 f4", /* cmp [bx], ax */
	  .mem = "00 80", .eax = 1, .len = 3, .out = { { W_M16, 0, 0x8000 }, { W_EAX, 0, 1 } },
	  ARITH_IS(F_OF | F_AF | F_PF) },
	{ "cmp_gd_ed_32bit_equal", "66 3b 07 f4", /* cmp eax, [bx] */
	  .mem = "78 56 34 12", .eax = 0x12345678, .len = 4, .out = { { W_EAX, 0, 0x12345678 } },
	  ARITH_IS(F_ZF | F_PF) },

	/* ---- AND / OR / XOR ---- */
	{ "and_al_ib_clears_cf_and_of", "24 0f f4", /* and al, 0x0f */
	  .flags = F_CF | F_OF, .eax = 0xF0, .len = 3, .out = { { W_EAX, 0, 0 } },
	  LOGIC_IS(F_ZF | F_PF) },
	{ "and_ed_gd_memory_32bit", "66 21 07 f4", /* and [bx], eax */
	  .flags = F_CF, .mem = "ff 00 00 80", .eax = 0x80000001, .len = 4,
	  .out = { { W_M32, 0, 0x80000001 } }, LOGIC_IS(F_SF) },
	{ "or_al_ib_sign", "0c 80 f4", /* or al, 0x80 */
	  .eax = 0x01, .len = 3, .out = { { W_EAX, 0, 0x81 } }, LOGIC_IS(F_SF | F_PF) },
	{ "or_ew_gw_memory", "09 07 f4", /* or [bx], ax */
	  .flags = F_OF, .mem = "00 12", .eax = 0x34, .len = 3, .out = { { W_M16, 0, 0x1234 } },
	  LOGIC_IS(0) },
	{ "xor_self_32bit_zeroes", "66 31 c0 f4", /* xor eax, eax */
	  .flags = F_CF | F_SF, .eax = 0xDEADBEEF, .len = 4, .out = { { W_EAX, 0, 0 } },
	  LOGIC_IS(F_ZF | F_PF) },
	{ "xor_gb_eb_memory", "32 07 f4", /* xor al, [bx] */
	  .mem = "ff", .eax = 0x0F, .len = 3, .out = { { W_EAX, 0, 0xF0 } },
	  LOGIC_IS(F_SF | F_PF) },

	/* ---- group 80-83 ---- */
	{ "grp80_add_eb_ib_memory", "80 07 01 f4", /* add byte [bx], 1 */
	  .mem = "ff", .len = 4, .out = { { W_M8, 0, 0 } }, ARITH_IS(F_CF | F_ZF | F_AF | F_PF) },
	{ "grp82_is_an_alias_of_80", "82 f0 ff f4", /* xor al, 0xff */
	  .eax = 0x0F, .len = 4, .out = { { W_EAX, 0, 0xF0 } }, LOGIC_IS(F_SF | F_PF) },
	{ "grp81_add_ew_iw_register", "81 c3 34 12 f4", /* add bx, 0x1234 */
	  .set_ebx = true, .ebx = 0x0001, .len = 5, .out = { { W_EBX, 0, 0x1235 } },
	  ARITH_IS(F_PF) },
	{ "grp81_add_ed_id_register_32bit", "66 81 c1 00 00 00 80 f4", /* add ecx, 0x80000000 */
	  .ecx = 0x80000000, .len = 8, .out = { { W_ECX, 0, 0 } },
	  ARITH_IS(F_CF | F_OF | F_ZF | F_PF) },
	{ "grp83_sign_extends_imm8_16bit", "83 c0 ff f4", /* add ax, -1 */
	  .eax = 0x12340001, .len = 4, .out = { { W_EAX, 0, 0x12340000 } },
	  ARITH_IS(F_CF | F_ZF | F_AF | F_PF) },
	{ "grp83_sign_extends_imm8_32bit", "66 83 e8 01 f4", /* sub eax, 1 */
	  .eax = 0, .len = 5, .out = { { W_EAX, 0, 0xFFFFFFFF } },
	  ARITH_IS(F_CF | F_SF | F_AF | F_PF) },
	{ "grp83_cmp_memory_with_negative_imm8", "83 3f 80 f4", /* cmp word [bx], -128 */
	  .flags = F_CF, .mem = "80 ff", .len = 4, .out = { { W_M16, 0, 0xFF80 } },
	  ARITH_IS(F_ZF | F_PF) },
	{ "grp83_or_ed_ib_memory_32bit", "66 83 0f f0 f4", /* or dword [bx], -16 */
	  .mem = "01 00 00 00", .len = 5, .out = { { W_M32, 0, 0xFFFFFFF1 } }, LOGIC_IS(F_SF) },
	{ "grp83_and_ew_ib_memory", "83 27 7f f4", /* and word [bx], 0x7f */
	  .mem = "ff ff", .len = 4, .out = { { W_M16, 0, 0x007F } }, LOGIC_IS(0) },
	{ "grp83_sbb_ew_ib_register", "83 db 00 f4", /* sbb bx, 0 */
	  .flags = F_CF, .set_ebx = true, .ebx = 0x0000, .len = 4,
	  .out = { { W_EBX, 0, 0xFFFF } }, ARITH_IS(F_CF | F_SF | F_AF | F_PF) },

	/* ---- INC / DEC ---- */
	{ "inc_rw_keeps_cf", "f9 40 f4", /* stc; inc ax */
	  .eax = 0x7FFF, .len = 3, .out = { { W_EAX, 0, 0x8000 } },
	  ARITH_IS(F_CF | F_OF | F_SF | F_AF | F_PF) },
	{ "inc_keeps_a_lazy_carry", "04 01 43 f4", /* add al, 1 (carry); inc bx */
	  .eax = 0xFF, .set_ebx = true, .ebx = 0x10, .len = 4, .out = { { W_EBX, 0, 0x11 } },
	  ARITH_IS(F_CF | F_PF) },
	{ "dec_rw_keeps_cf_clear", "48 f4", /* dec ax */
	  .eax = 0x10000, .len = 2, .out = { { W_EAX, 0, 0x1FFFF } },
	  ARITH_IS(F_SF | F_AF | F_PF) },
	{ "inc_rd_32bit_wraps", "66 43 f4", /* inc ebx */
	  .flags = F_CF, .set_ebx = true, .ebx = 0xFFFFFFFF, .len = 3,
	  .out = { { W_EBX, 0, 0 } }, ARITH_IS(F_CF | F_ZF | F_AF | F_PF) },
	{ "dec_rd_32bit_overflow", "66 49 f4", /* dec ecx */
	  .ecx = 0x80000000, .len = 3, .out = { { W_ECX, 0, 0x7FFFFFFF } },
	  ARITH_IS(F_OF | F_AF | F_PF) },
	{ "inc_eb_memory_keeps_cf", "fe 07 f4", /* inc byte [bx] */
	  .flags = F_CF, .mem = "ff", .len = 3, .out = { { W_M8, 0, 0 } },
	  ARITH_IS(F_CF | F_ZF | F_AF | F_PF) },
	{ "dec_eb_register_high_byte", "fe cc f4", /* dec ah */
	  .eax = 0x0155, .len = 3, .out = { { W_EAX, 0, 0x0055 } }, ARITH_IS(F_ZF | F_PF) },
	{ "inc_ew_memory_overflow", "ff 07 f4", /* inc word [bx] */
	  .mem = "ff 7f", .len = 3, .out = { { W_M16, 0, 0x8000 } },
	  ARITH_IS(F_OF | F_SF | F_AF | F_PF) },
	{ "dec_ed_register_32bit", "66 ff c9 f4", /* dec ecx */
	  .flags = F_CF, .ecx = 1, .len = 4, .out = { { W_ECX, 0, 0 } },
	  ARITH_IS(F_CF | F_ZF | F_PF) },
	{ "dec_ed_memory_32bit", "66 ff 0f f4", /* dec dword [bx] */
	  .mem = "00 00 00 00", .len = 4, .out = { { W_M32, 0, 0xFFFFFFFF } },
	  ARITH_IS(F_SF | F_AF | F_PF) },

	/* ---- NEG / NOT ---- */
	{ "neg_eb_register", "f6 d8 f4", /* neg al */
	  .eax = 0x01, .len = 3, .out = { { W_EAX, 0, 0xFF } },
	  ARITH_IS(F_CF | F_SF | F_AF | F_PF) },
	{ "neg_zero_clears_cf", "f7 d8 f4", /* neg ax */
	  .flags = F_CF, .eax = 0xFFFF0000, .len = 3, .out = { { W_EAX, 0, 0xFFFF0000 } },
	  ARITH_IS(F_ZF | F_PF) },
	{ "neg_eb_memory_most_negative", "f6 1f f4", /* neg byte [bx] */
	  .mem = "80", .len = 3, .out = { { W_M8, 0, 0x80 } }, ARITH_IS(F_CF | F_OF | F_SF) },
	{ "neg_ed_register_32bit", "66 f7 db f4", /* neg ebx */
	  .set_ebx = true, .ebx = 0x80000000, .len = 4, .out = { { W_EBX, 0, 0x80000000 } },
	  ARITH_IS(F_CF | F_OF | F_SF | F_PF) },
	{ "neg_ew_memory", "f7 1f f4", /* neg word [bx] */
	  .mem = "10 00", .len = 3, .out = { { W_M16, 0, 0xFFF0 } },
	  ARITH_IS(F_CF | F_SF | F_PF) },
	{ "not_changes_no_flags", "f6 d0 f7 17 66 f7 d2 f4", /* not al; not [bx]; not edx */
	  .flags = F_CF | F_ZF | F_OF, .mem = "34 12", .eax = 0x0F, .edx = 0x00FF00FF, .len = 8,
	  .out = { { W_EAX, 0, 0xF0 }, { W_M16, 0, 0xEDCB }, { W_EDX, 0, 0xFF00FF00 } },
	  ARITH_IS(F_CF | F_ZF | F_OF) },
	/* not byte [bx]; not dword [bx+1] */
	{ "not_eb_memory_and_ed_memory", "f6 17 66 f7 57 01 f4",
	  .mem = "0f 00 00 00 80", .len = 7,
	  .out = { { W_M8, 0, 0xF0 }, { W_M32, 1, 0x7FFFFFFF } }, ARITH_IS(0) },

	/* ---- TEST ---- */
	{ "test_eb_gb_register_flags_only", "84 c3 f4", /* test bl, al */
	  .flags = F_CF | F_OF, .eax = 0xF0, .set_ebx = true, .ebx = 0x0F, .len = 3,
	  .out = { { W_EAX, 0, 0xF0 }, { W_EBX, 0, 0x0F } }, LOGIC_IS(F_ZF | F_PF) },
	{ "test_ew_gw_memory", "85 07 f4", /* test [bx], ax */
	  .mem = "01 80", .eax = 0x8001, .len = 3, .out = { { W_M16, 0, 0x8001 } },
	  LOGIC_IS(F_SF) },
	{ "test_ax_iw_and_eax_id (1 of 2)", "a9 00 80 f4", /* test ax, 0x8000 */
	  .eax = 0x8000, .len = 4, LOGIC_IS(F_SF | F_PF) },
	{ "test_ax_iw_and_eax_id (2 of 2)", "66 a9 00 00 00 80 f4", /* test eax, 0x80000000 */
	  .flags = F_SF, .eax = 0x7FFFFFFF, .len = 7, .out = { { W_EAX, 0, 0x7FFFFFFF } },
	  LOGIC_IS(F_ZF | F_PF) },
	{ "test_al_ib", "a8 03 f4", /* test al, 3 */
	  .eax = 0x01, .len = 3, LOGIC_IS(0) },
	/* test byte [bx], 1; test al, 0x80 (F6 /1) */
	{ "test_eb_ib_memory_and_reg1_alias", "f6 07 01 f6 c8 80 f4",
	  .mem = "fe", .eax = 0x80, .len = 7, .out = { { W_M8, 0, 0xFE } }, LOGIC_IS(F_SF) },
	{ "test_ed_id_register_32bit", "66 f7 c1 ff ff 00 00 f4", /* test ecx, 0xffff */
	  .ecx = 0x12340000, .len = 8, LOGIC_IS(F_ZF | F_PF) },

	/* ---- LOCK and faults ---- */
	{ "lock_on_register_destination_is_ud", "f0 00 d8 f4", /* lock add al, bl */
	  .eax = 1, .vector = EXC_UD, .out = { { W_EAX, 0, 1 } } },
	/* lock add [bx], ax; lock inc dword [bx] */
	{ "lock_on_memory_destination_runs", "f0 01 07 f0 66 ff 07 f4",
	  .mem = "01 00 00 00", .eax = 2, .len = 8, .out = { { W_M32, 0, 4 } } },
	{ "lock_cmp_and_lock_test_are_ud (1 of 2)", "f0 39 07 f4", /* lock cmp [bx], ax */
	  .vector = EXC_UD },
	{ "lock_cmp_and_lock_test_are_ud (2 of 2)", "f0 85 07 f4", /* lock test [bx], ax */
	  .vector = EXC_UD },
	{ "lock_neg_on_register_is_ud", "f0 f6 d8 f4", /* lock neg al */
	  .vector = EXC_UD },

	/* Past the 64 KiB real-mode limit: #GP with the flags kept. */
	{ "inc_and_neg_word_at_ffff_raise_gp (1 of 2)", "f8 ff 07 f4", /* clc; inc word [bx] */
	  .set_ebx = true, .ebx = 0xFFFF, .vector = EXC_GP, ARITH_IS(0) },
	/* neg dword [bx] at FFFD: 4 bytes past */
	{ "inc_and_neg_word_at_ffff_raise_gp (2 of 2)", "66 f7 1f f4",
	  .flags = F_ZF, .set_ebx = true, .ebx = 0xFFFD, .vector = EXC_GP, ARITH_IS(F_ZF) },
	{ "add_ew_ib_at_ffff_raises_gp", "83 07 01 f4", /* add word [bx], 1 */
	  .flags = F_SF, .set_ebx = true, .ebx = 0xFFFF, .vector = EXC_GP, ARITH_IS(F_SF) },

	/* ---- flag instructions ---- */
	/* add al, 0xff (AL=1: CF ZF AF PF); cmc */
	{ "clc_stc_cmc_keep_the_other_flags (1 of 3)", "04 ff f5 f4",
	  .eax = 1, .len = 4, ARITH_IS(F_ZF | F_AF | F_PF) },
	/* cmp al, 1 (AL=0: CF SF AF PF); clc */
	{ "clc_stc_cmc_keep_the_other_flags (2 of 3)", "3c 01 f8 f4",
	  .eax = 0, .len = 4, ARITH_IS(F_SF | F_AF | F_PF) },
	{ "clc_stc_cmc_keep_the_other_flags (3 of 3)", "f9 f5 f5 f4", /* stc; cmc; cmc */
	  .flags = F_OF, .len = 4, ARITH_IS(F_CF | F_OF) },
	{ "cld_std (1 of 2)", "fd f4",
	  .len = 2, .fmask = F_DF, .fwant = F_DF },
	{ "cld_std (2 of 2)", "fc f4",
	  .flags = F_DF | F_CF, .len = 2, .fmask = F_DF | F_CF, .fwant = F_CF },
	{ "sahf_loads_five_flags_and_keeps_of (1 of 2)", "9e f4", /* sahf, AH = FF */
	  .flags = F_OF, .eax = 0xFF00, .len = 2,
	  .fmask = F_ARITH | 0x28, .fwant = F_OF | F_SF | F_ZF | F_AF | F_PF | F_CF },
	{ "sahf_loads_five_flags_and_keeps_of (2 of 2)", "9e f4", /* sahf, AH = 0 */
	  .flags = F_ARITH, .len = 2, ARITH_IS(F_OF) },
	/* cmp al, al (ZF PF); stc; lahf */
	{ "lahf_stores_flags_with_bit1_set (1 of 2)", "38 c0 f9 9f f4",
	  .flags = F_OF, .eax = 0x12345678, .len = 5, .out = { { W_EAX, 0, 0x12344778 } } },
	{ "lahf_stores_flags_with_bit1_set (2 of 2)", "9f f4",
	  .flags = F_OF, .eax = 0xFF00, .len = 2, .out = { { W_EAX, 0, 0x0200 } } },
	{ "salc_copies_cf_into_al (1 of 2)", "f9 d6 f4", /* stc; salc */
	  .eax = 0x1200, .len = 3, .out = { { W_EAX, 0, 0x12FF } }, ARITH_IS(F_CF) },
	{ "salc_copies_cf_into_al (2 of 2)", "d6 f4", /* CF = 0 */
	  .flags = F_ZF, .eax = 0x12AB, .len = 2, .out = { { W_EAX, 0, 0x1200 } },
	  ARITH_IS(F_ZF) },
};

ParameterizedTestParameters(alu, table)
{
	return cr_make_param_array(struct alu_case, alu_cases,
				   sizeof(alu_cases) / sizeof(alu_cases[0]));
}

ParameterizedTest(const struct alu_case *k, alu, table)
{
	load(k->code, k->flags);
	tm_poke(m, MEM, k->mem);
	c->r[R_EAX].d = k->eax;
	c->r[R_ECX].d = k->ecx;
	c->r[R_EDX].d = k->edx;
	if (k->set_ebx)
		c->r[R_EBX].d = k->ebx;
	tm_run_expect(m, k->name, k->len, k->vector);
	tm_check_wants(m, k->name, k->out, 3, read_at, where_name);
	tm_check_flags(m, k->name, k->fmask, k->fwant);
}

/* A word at offset FFFF runs past the 64 KiB real-mode limit: #GP, and the
 * instruction leaves registers, memory and flags as they were. */
Test(alu, add_word_at_ffff_raises_gp_without_changes)
{
	load("f9 01 07 f4", 0); /* stc; add [bx], ax */
	c->r[R_EAX].d = 0x1234;
	c->r[R_EBX].d = 0xFFFF;
	tm_poke(m, 0xFFFF, "ff");
	tm_run_expect(m, "add [bx], ax at FFFF", 0, EXC_GP);
	cr_assert_eq(c->r[R_EAX].d, 0x1234);
	cr_assert_eq(c->r[R_EBX].d, 0xFFFF);
	cr_assert_eq(tm_peek8(m, 0xFFFF), 0xFF);
	cr_assert_eq(ARITH(c), F_CF);
	/* The frame holds the faulting ADD's address and the flags before it. */
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 1);
	cr_assert_eq(tm_peek16(m, 0x8000 - 2) & F_ARITH, F_CF);
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
