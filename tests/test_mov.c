/* Data movement (ops_mov.c): MOV in every form including moffs with
 * segment overrides, XCHG, LEA, CBW/CWDE/CWD/CDQ and the hint NOP. Expected
 * values come from the Intel SDM vol. 2 instruction pages. None of these
 * instructions changes a flag: every case that runs to its HLT checks that
 * CF, ZF and OF, set before, are still set and the others still clear.
 * The cases are rows of one table; each row keeps the name it had as a
 * test of its own. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "cpu/interrupt.h"
#include "tests/tm.h"

#define ARITH(c) (cpu_get_eflags(c) & F_ARITH)
#define MEM 0x2000u /* DS = 0, so DS:MEM is physical MEM */

static struct machine *m;
static struct cpu *c;

static void load(const char *hex)
{
	m = tm_new(hex);
	c = tm_cpu(m);
	c->eflags = 0x2 | F_CF | F_ZF | F_OF;
	c->lf.kind = LF_NONE;
	c->r[R_EBX].d = MEM;
}

/* Where a row reads a result. */
enum where {
	W_NONE, W_EAX, W_ECX, W_EDX, W_EBX, W_ESI, W_EDI, W_EBP, W_AX,
	W_ARITH,          /* the six arithmetic flags */
	W_M8, W_M16, W_M32 /* physical memory at .addr */
};

/* Strings are held in arrays, not pointed to: Criterion copies each row into
 * the test's own process, where a pointer into this one means nothing. */
struct mov_case {
	char name[64];
	char code[64];  /* ends in the HLT */
	uint16_t es, fs; /* real-mode segments (tm_new's are 0) */
	struct {
		paddr_t at;
		char hex[16];
	} poke[2];
	uint32_t eax, ecx, edx, esi, edi;
	bool set_ebx; /* else EBX = MEM, for [bx] */
	uint32_t ebx;
	unsigned len; /* runs to the HLT at len - 1; 0: raises .vector instead */
	unsigned vector;
	struct tm_want out[4];
};

static const char *const where_name[] = { "-", "EAX", "ECX", "EDX", "EBX", "ESI", "EDI", "EBP",
					   "AX", "flags", "byte", "word", "dword" };

static uint32_t read_at(struct machine *mach, unsigned at, paddr_t addr)
{
	(void)mach; /* the row's machine is m */
	switch (at) {
	case W_EAX: return c->r[R_EAX].d;
	case W_ECX: return c->r[R_ECX].d;
	case W_EDX: return c->r[R_EDX].d;
	case W_EBX: return c->r[R_EBX].d;
	case W_ESI: return c->r[R_ESI].d;
	case W_EDI: return c->r[R_EDI].d;
	case W_EBP: return c->r[R_EBP].d;
	case W_AX: return c->r[R_EAX].w;
	case W_ARITH: return ARITH(c);
	case W_M8: return tm_peek8(m, addr);
	case W_M16: return tm_peek16(m, addr);
	default: return tm_peek32(m, addr);
	}
}

static void done(void) { tm_free(m); }

TestSuite(mov, .fini = done);

static const struct mov_case mov_cases[] = {
	/* ---- MOV 88-8B ---- */
	{ "mov_eb_gb_register_high_byte", "88 c4 f4", /* mov ah, al */
	  .eax = 0x123456AB, .len = 3, .out = { { W_EAX, 0, 0x1234ABAB } } },
	{ "mov_eb_gb_memory", "88 3f f4", /* mov [bx], bh */
	  .len = 3, .out = { { W_M8, MEM, MEM >> 8 } } },
	{ "mov_ew_gw_memory_and_register", "89 1f 89 d9 f4", /* mov [bx], bx; mov cx, bx */
	  .ecx = 0xFFFFFFFF, .len = 5,
	  .out = { { W_M16, MEM, MEM }, { W_ECX, 0, 0xFFFF0000 | MEM } } },
	{ "mov_ed_gd_memory_32bit", "66 89 47 02 f4", /* mov [bx+2], eax */
	  .eax = 0xCAFEBABE, .len = 5, .out = { { W_M32, MEM + 2, 0xCAFEBABE } } },
	{ "mov_gb_eb_memory", "8a 27 f4", /* mov ah, [bx] */
	  .poke = { { MEM, "5a" } }, .eax = 0xFFFFFFFF, .len = 3,
	  .out = { { W_EAX, 0, 0xFFFF5AFF } } },
	{ "mov_gw_ew_register_keeps_upper_half", "8b c3 f4", /* mov ax, bx */
	  .eax = 0x12345678, .set_ebx = true, .ebx = 0xAAAA9999, .len = 3,
	  .out = { { W_EAX, 0, 0x12349999 } } },
	/* mov eax, [bx]; mov edx, [ebx+ecx*2] */
	{ "mov_gd_ed_memory_32bit_and_32bit_addressing", "66 8b 07 67 66 8b 14 4b f4",
	  .poke = { { MEM, "78 56 34 12" }, { MEM + 0x10, "ef be ad de" } }, .ecx = 0x8,
	  .len = 9, .out = { { W_EAX, 0, 0x12345678 }, { W_EDX, 0, 0xDEADBEEF } } },

	/* ---- MOV immediates ---- */
	{ "mov_rb_ib_all_byte_registers", "b0 01 b1 02 b2 03 b3 04 b4 05 b5 06 b6 07 b7 08 f4",
	  .eax = 0xFFFF0000, .ecx = 0xFFFF0000, .edx = 0xFFFF0000,
	  .set_ebx = true, .ebx = 0xFFFF0000, .len = 17,
	  .out = { { W_EAX, 0, 0xFFFF0501 },
		   { W_ECX, 0, 0xFFFF0602 },
		   { W_EDX, 0, 0xFFFF0703 },
		   { W_EBX, 0, 0xFFFF0804 } } },
	/* mov di, 0x1234; mov ebp, 0x12345678 */
	{ "mov_rw_iw_and_rd_id", "bf 34 12 66 bd 78 56 34 12 f4",
	  .edi = 0xFFFFFFFF, .len = 10,
	  .out = { { W_EDI, 0, 0xFFFF1234 }, { W_EBP, 0, 0x12345678 } } },
	/* mov byte [bx], 0xaa; mov ax, 0x1234 (C7 register form);
	 * mov dword [bx+2], 0x12345678; mov word [bx+6], 0xbeef */
	{ "mov_eb_ib_and_ev_iv", "c6 07 aa c7 c0 34 12 66 c7 47 02 78 56 34 12 c7 47 06 ef be f4",
	  .eax = 0xFFFFFFFF, .len = 21,
	  .out = { { W_M8, MEM, 0xAA },
		   { W_EAX, 0, 0xFFFF1234 },
		   { W_M32, MEM + 2, 0x12345678 },
		   { W_M16, MEM + 6, 0xBEEF } } },
	/* mov bh, 0x99; mov esi, 0x80000001 */
	{ "mov_eb_ib_register_form", "c6 c7 99 66 c7 c6 01 00 00 80 f4",
	  .len = 11, .out = { { W_EBX, 0, 0x9900 | (MEM & 0xFF) }, { W_ESI, 0, 0x80000001 } } },
	{ "c6_with_reg_field_not_zero_is_ud", "c6 c8 01 f4", /* C6 /1 */
	  .vector = EXC_UD },

	/* ---- moffs ---- */
	/* mov al, [2000]; mov ax, [2001]; mov [3000], eax; mov [3008], al */
	{ "moffs_loads_and_stores_in_ds", "a0 00 20 a1 01 20 66 a3 00 30 a2 08 30 f4",
	  .poke = { { MEM, "11 22 33" } }, .eax = 0xAABBCCDD, .len = 14,
	  .out = { { W_EAX, 0, 0xAABB3322 },
		   { W_M32, 0x3000, 0xAABB3322 },
		   { W_M8, 0x3008, 0x22 } } },
	/* mov ax, es:[10]; mov fs:[600], eax */
	{ "moffs_honours_segment_override", "26 a1 10 00 64 66 a3 00 06 f4",
	  .es = 0x100, .fs = 0x200, .poke = { { 0x1010, "cd ab" } }, .eax = 0x12340000,
	  .len = 10,
	  .out = { { W_EAX, 0, 0x1234ABCD },
		   { W_M32, 0x2600, 0x1234ABCD },
		   { W_M32, 0x0600, 0 } } },
	/* mov eax, [0x3004] with a 32-bit moffs */
	{ "moffs_with_32bit_address", "67 66 a1 04 30 00 00 f4",
	  .poke = { { 0x3004, "01 02 03 04" } }, .len = 8, .out = { { W_EAX, 0, 0x04030201 } } },
	{ "moffs_word_at_ffff_raises_gp", "a3 ff ff f4", /* mov [ffff], ax */
	  .eax = 0x5555, .vector = EXC_GP,
	  .out = { { W_M8, 0xFFFF, 0 }, { W_M16, 0x8000 - 6, 0 } } },
	{ "mov_word_at_ffff_raises_gp_without_changes (1 of 2)", "8b 07 f4", /* mov ax, [bx] */
	  .eax = 0x1111, .set_ebx = true, .ebx = 0xFFFF, .vector = EXC_GP,
	  .out = { { W_EAX, 0, 0x1111 }, { W_ARITH, 0, F_CF | F_ZF | F_OF } } },
	/* mov dword [bx], imm at FFFE */
	{ "mov_word_at_ffff_raises_gp_without_changes (2 of 2)", "66 c7 07 01 02 03 04 f4",
	  .set_ebx = true, .ebx = 0xFFFE, .vector = EXC_GP, .out = { { W_M16, 0xFFFE, 0 } } },

	/* ---- XCHG ---- */
	{ "xchg_eb_gb_register", "86 c4 f4", /* xchg ah, al */
	  .eax = 0x12345678, .len = 3, .out = { { W_EAX, 0, 0x12347856 } } },
	{ "xchg_ew_gw_memory", "87 07 f4", /* xchg [bx], ax */
	  .poke = { { MEM, "34 12" } }, .eax = 0xFFFFABCD, .len = 3,
	  .out = { { W_EAX, 0, 0xFFFF1234 }, { W_M16, MEM, 0xABCD } } },
	/* xchg ecx, ebx; xchg [bx], ecx */
	{ "xchg_ed_gd_register_and_memory_32bit", "66 87 d9 66 87 0f f4",
	  .poke = { { 0x3000, "78 56 34 12" } }, .ecx = 0x3000,
	  .set_ebx = true, .ebx = 0xDEADBEEF, .len = 7,
	  .out = { { W_EBX, 0, 0x3000 },
		   { W_ECX, 0, 0x12345678 },
		   { W_M32, 0x3000, 0xDEADBEEF } } },
	{ "xchg_eb_gb_memory_with_lock", "f0 86 37 f4", /* lock xchg [bx], dh */
	  .poke = { { MEM, "aa" } }, .edx = 0x5500, .len = 4,
	  .out = { { W_EDX, 0, 0xAA00 }, { W_M8, MEM, 0x55 } } },
	{ "xchg_with_lock_on_registers_is_ud", "f0 86 c4 f4",
	  .vector = EXC_UD },
	{ "xchg_word_at_ffff_raises_gp_without_changes", "87 07 f4", /* xchg [bx], ax */
	  .eax = 0x4242, .set_ebx = true, .ebx = 0xFFFF, .vector = EXC_GP,
	  .out = { { W_EAX, 0, 0x4242 }, { W_M8, 0xFFFF, 0 } } },
	{ "xchg_ax_with_register", "93 96 f4", /* xchg ax, bx; xchg ax, si */
	  .eax = 0x11112222, .esi = 0x55556666, .set_ebx = true, .ebx = 0x33334444, .len = 3,
	  .out = { { W_EBX, 0, 0x33332222 }, { W_EAX, 0, 0x11116666 }, { W_ESI, 0, 0x55554444 } } },
	{ "xchg_eax_with_register_32bit", "66 97 f4", /* xchg eax, edi */
	  .eax = 0x11112222, .edi = 0x33334444, .len = 3,
	  .out = { { W_EAX, 0, 0x33334444 }, { W_EDI, 0, 0x11112222 } } },

	/* ---- LEA ---- */
	{ "lea_16bit_address", "8d 40 05 f4", /* lea ax, [bx+si+5] */
	  .eax = 0xFFFFFFFF, .esi = 0x20, .set_ebx = true, .ebx = 0x10, .len = 4,
	  .out = { { W_EAX, 0, 0xFFFF0035 } } },
	/* lea eax, [bx+si] */
	{ "lea_16bit_address_wraps_and_32bit_operand_zero_extends", "66 8d 00 f4",
	  .eax = 0xFFFFFFFF, .esi = 2, .set_ebx = true, .ebx = 0xFFFF, .len = 4,
	  .out = { { W_EAX, 0, 1 } } },
	/* lea ax, [ebx+ecx*2] */
	{ "lea_32bit_address_truncated_to_16bit_operand", "67 8d 04 4b f4",
	  .eax = 0xABCD0000, .ecx = 0x8, .set_ebx = true, .ebx = 0x12340000, .len = 5,
	  .out = { { W_EAX, 0, 0xABCD0010 } } },
	{ "lea_32bit_full", "67 66 8d 84 4b 00 01 00 00 f4", /* lea eax, [ebx+ecx*2+0x100] */
	  .ecx = 0x8, .set_ebx = true, .ebx = 0x12340000, .len = 10,
	  .out = { { W_EAX, 0, 0x12340110 } } },
	/* lea ax, [bx] at FFFF: a word read there would fault */
	{ "lea_accesses_no_memory", "8d 07 f4",
	  .set_ebx = true, .ebx = 0xFFFF, .len = 3, .out = { { W_AX, 0, 0xFFFF } } },
	{ "lea_register_form_is_ud", "8d c0 f4",
	  .vector = EXC_UD },

	/* ---- CBW/CWDE/CWD/CDQ ---- */
	{ "cbw_sign_extends_al (1 of 2)", "98 f4",
	  .eax = 0x12345680, .len = 2, .out = { { W_EAX, 0, 0x1234FF80 } } },
	{ "cbw_sign_extends_al (2 of 2)", "98 f4",
	  .eax = 0x1234FF7F, .len = 2, .out = { { W_EAX, 0, 0x1234007F } } },
	{ "cwde_sign_extends_ax (1 of 2)", "66 98 f4",
	  .eax = 0x00008000, .len = 3, .out = { { W_EAX, 0, 0xFFFF8000 } } },
	{ "cwde_sign_extends_ax (2 of 2)", "66 98 f4",
	  .eax = 0xFFFF7FFF, .len = 3, .out = { { W_EAX, 0, 0x00007FFF } } },
	{ "cwd_fills_dx (1 of 2)", "99 f4",
	  .eax = 0x00008000, .edx = 0x12340000, .len = 2, .out = { { W_EDX, 0, 0x1234FFFF } } },
	{ "cwd_fills_dx (2 of 2)", "99 f4",
	  .eax = 0xFFFF7FFF, .edx = 0x1234FFFF, .len = 2, .out = { { W_EDX, 0, 0x12340000 } } },
	{ "cdq_fills_edx (1 of 2)", "66 99 f4",
	  .eax = 0x80000000, .len = 3, .out = { { W_EDX, 0, 0xFFFFFFFF } } },
	{ "cdq_fills_edx (2 of 2)", "66 99 f4",
	  .eax = 0x7FFFFFFF, .edx = 0xFFFFFFFF, .len = 3, .out = { { W_EDX, 0, 0 } } },

	/* ---- hint NOP ---- */
	/* nop word [bx] at FFFF (would fault if read); nop dword [bx+si+0x1234];
	 * nop ax (register form) */
	{ "hint_nop_decodes_its_operand_and_accesses_nothing",
	  "0f 1f 07 66 0f 1f 80 34 12 0f 1f c0 f4",
	  .eax = 0x1234, .set_ebx = true, .ebx = 0xFFFF, .len = 13,
	  .out = { { W_EBX, 0, 0xFFFF }, { W_EAX, 0, 0x1234 } } },
};

ParameterizedTestParameters(mov, table)
{
	return cr_make_param_array(struct mov_case, mov_cases,
				   sizeof(mov_cases) / sizeof(mov_cases[0]));
}

ParameterizedTest(const struct mov_case *k, mov, table)
{
	load(k->code);
	if (k->es)
		seg_load_real(c, S_ES, k->es);
	if (k->fs)
		seg_load_real(c, S_FS, k->fs);
	for (unsigned i = 0; i < 2; i++)
		tm_poke(m, k->poke[i].at, k->poke[i].hex);
	c->r[R_EAX].d = k->eax;
	c->r[R_ECX].d = k->ecx;
	c->r[R_EDX].d = k->edx;
	c->r[R_ESI].d = k->esi;
	c->r[R_EDI].d = k->edi;
	if (k->set_ebx)
		c->r[R_EBX].d = k->ebx;
	tm_run_expect(m, k->name, k->len, k->vector);
	if (k->len)
		cr_assert_eq(ARITH(c), F_CF | F_ZF | F_OF, "%s: flags changed", k->name);
	tm_check_wants(m, k->name, k->out, 4, read_at, where_name);
}
