/* Control transfer: Jcc, JMP, CALL/RET near and far, LOOP family, JCXZ,
 * INT n/INT3/INTO/INT1 and IRET, BOUND. Expected values follow the SDM
 * instruction pages; frames are checked in memory. The Jcc and BOUND
 * cases walk tables of conditions and ranges; the other transfers are rows
 * of one parameterized table, each keeping the name it had as a test of
 * its own ("(i of n)" where one test built several machines). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>

#include "cpu/mmu.h"
#include "tests/tm.h"

static struct machine *with_flags(const char *hex, uint32_t flags)
{
	struct machine *m = tm_new(hex);
	tm_cpu(m)->eflags = 0x2 | flags;
	tm_cpu(m)->lf.kind = LF_NONE;
	return m;
}

/* Flags under which condition cc (SDM vol. 1, table B-1) holds and does not. */
struct cond_case {
	unsigned cc;
	uint32_t yes, no;
};

static const struct cond_case cond_cases[] = {
	{ 0x0, F_OF, 0 },           { 0x1, 0, F_OF },
	{ 0x2, F_CF, 0 },           { 0x3, 0, F_CF },
	{ 0x4, F_ZF, 0 },           { 0x5, 0, F_ZF },
	{ 0x6, F_CF, 0 },           { 0x6, F_ZF, 0 },
	{ 0x7, 0, F_ZF },           { 0x7, 0, F_CF },
	{ 0x8, F_SF, 0 },           { 0x9, 0, F_SF },
	{ 0xA, F_PF, 0 },           { 0xB, 0, F_PF },
	{ 0xC, F_SF, F_SF | F_OF }, { 0xC, F_OF, 0 },
	{ 0xD, F_SF | F_OF, F_OF }, { 0xD, 0, F_SF },
	{ 0xE, F_ZF, F_SF | F_OF }, { 0xE, F_OF, 0 },
	{ 0xF, 0, F_SF },           { 0xF, F_SF | F_OF, F_ZF },
};

static uint32_t run_jcc_short(unsigned cc, uint32_t flags)
{
	char hex[32];
	snprintf(hex, sizeof(hex), "%02x 01 f4 f4", 0x70 + cc);
	struct machine *m = with_flags(hex, flags);
	tm_run(m);
	uint32_t eip = tm_cpu(m)->eip;
	tm_free(m);
	return eip;
}

static uint32_t run_jcc_near(unsigned cc, uint32_t flags)
{
	char hex[32];
	snprintf(hex, sizeof(hex), "0f %02x 01 00 f4 f4", 0x80 + cc);
	struct machine *m = with_flags(hex, flags);
	tm_run(m);
	uint32_t eip = tm_cpu(m)->eip;
	tm_free(m);
	return eip;
}

Test(ctrl, jcc_rel8_every_condition_taken_and_not_taken)
{
	for (unsigned k = 0; k < ARRAY_SIZE(cond_cases); k++) {
		const struct cond_case *t = &cond_cases[k];
		cr_assert_eq(run_jcc_short(t->cc, t->yes), 4, "cc %x taken", t->cc);
		cr_assert_eq(run_jcc_short(t->cc, t->no), 3, "cc %x not taken", t->cc);
	}
}

Test(ctrl, jcc_rel16_every_condition_taken_and_not_taken)
{
	for (unsigned k = 0; k < ARRAY_SIZE(cond_cases); k++) {
		const struct cond_case *t = &cond_cases[k];
		cr_assert_eq(run_jcc_near(t->cc, t->yes), 6, "cc %x taken", t->cc);
		cr_assert_eq(run_jcc_near(t->cc, t->no), 5, "cc %x not taken", t->cc);
	}
}

/* Where a row reads a result. */
enum where { W_NONE, W_EIP, W_CS, W_CS_BASE, W_ESP, W_ECX, W_CX, W_ICOUNT, W_M16, W_M32 };

/* One run of code to its end (the last HLT reached, in the code or in a
 * handler), then checks. Strings are held in arrays, not pointed to:
 * Criterion copies each row into the test's own process, where a pointer
 * into this one means nothing. */
struct ctrl_case {
	char name[72];
	char code[40];
	bool with_flags; /* EFLAGS = 2 | flags (with_flags); else as tm_new leaves it */
	uint32_t flags;
	struct {
		paddr_t at;
		char hex[16];
	} poke[3];
	uint32_t ebx, ecx;
	uint32_t eip;      /* start here, if not 0 */
	uint32_t cs_limit; /* if not 0 */
	struct tm_want out[6]; /* .addr for W_M16, W_M32 */
	uint32_t fmask, fwant; /* EFLAGS & fmask after is fwant (fmask 0: not read) */
};

#define HANDLER(v) (TM_HANDLERS + (v) + 1) /* EIP after vector v's HLT */

static const struct ctrl_case runs[] = {
	/* ---- JMP ---- */
	/* 0: jmp 3; 2: hlt; 3: jz -3 (to 2) */
	{ "jcc_backward_rel8", "eb 01 f4 74 fd f4", .with_flags = true, .flags = F_ZF,
	  .out = { { W_EIP, 0, 3 } } },
	/* 0xFFF3 + 0x10 = 0x10003 -> 0x0003 */
	{ "near_jump_target_wraps_at_64k_with_16bit_operand_size", "",
	  .poke = { { TM_CODE + 0xFFF0, "e9 10 00" }, { TM_CODE + 3, "f4" } }, .eip = 0xFFF0,
	  .out = { { W_EIP, 0, 4 } } },
	/* The limit stays with CS across the real-mode reload, so it must
	 * still cover the handlers at 0:05xx. */
	{ "near_jump_beyond_cs_limit_faults_at_the_jump", "90 e9 00 06", .cs_limit = 0x5FF,
	  .out = { { W_EIP, 0, HANDLER(EXC_GP) },
		   { W_M16, 0x8000 - 6, 1 } } }, /* frame IP is the JMP */
	/* JMP BX uses 16 bits: 5 */
	{ "jmp_register_and_memory_indirect", "ff e3 f4 f4 f4 ff 26 00 20 f4 f4",
	  .ebx = 0xFFFF0005, .poke = { { 0x2000, "0a 00" } }, .out = { { W_EIP, 0, 11 } } },

	/* ---- CALL / RET ---- */
	/* 0: call 6; 3: hlt; 4: hlt; 5: hlt; 6: ret */
	{ "near_call_pushes_return_ip_and_ret_pops_it", "e8 03 00 f4 f4 f4 c3",
	  .out = { { W_EIP, 0, 4 }, { W_ESP, 0, 0x8000 }, { W_M16, 0x7FFE, 3 } } },
	{ "call_indirect_through_register", "ff d3 f4 f4 c3", .ebx = 4, /* BX = 4 */
	  .out = { { W_EIP, 0, 3 }, { W_M16, 0x7FFE, 2 } } },
	/* 66 e8 rel32: 6 bytes; target 6 + 1 = 7 */
	{ "call32_pushes_a_dword", "66 e8 01 00 00 00 f4 66 c3",
	  .out = { { W_EIP, 0, 7 }, { W_M32, 0x7FFC, 6 }, { W_ESP, 0, 0x8000 } } },
	/* 0: call 4; 3: hlt; 4: ret 4 */
	{ "ret_imm16_releases_parameters", "e8 01 00 f4 c2 04 00",
	  .out = { { W_EIP, 0, 4 }, { W_ESP, 0, 0x8004 } } },
	{ "far_call_and_retf_16bit_frame", "9a 00 01 00 20 f4", .poke = { { 0x20100, "cb" } },
	  .out = { { W_CS, 0, 0x1000 },
		   { W_EIP, 0, 6 },
		   { W_ESP, 0, 0x8000 },
		   { W_M16, 0x7FFE, 0x1000 }, /* CS pushed first */
		   { W_M16, 0x7FFC, 5 } } },  /* then IP */
	{ "far_call_and_retf_32bit_frame", "66 9a 00 01 00 00 00 20 f4",
	  .poke = { { 0x20100, "66 cb" } },
	  .out = { { W_CS, 0, 0x1000 },
		   { W_EIP, 0, 9 },
		   { W_ESP, 0, 0x8000 },
		   { W_M16, 0x7FFC, 0x1000 }, /* the low word of the dword pushed for CS */
		   { W_M32, 0x7FF8, 8 } } },
	/* 2000:0010 at 0x3000 */
	{ "far_call_through_memory_and_retf_imm", "ff 1e 00 30 f4",
	  .poke = { { 0x3000, "10 00 00 20" }, { 0x20010, "ca 02 00" } },
	  .out = { { W_CS, 0, 0x1000 }, { W_EIP, 0, 5 }, { W_ESP, 0, 0x8002 } } },
	/* at 2000:0000 jmp far [0x3000], which holds 3000:0005 */
	{ "far_jmp_direct_and_indirect", "ea 00 00 00 20",
	  .poke = { { 0x20000, "ff 2e 00 30" }, { 0x3000, "05 00 00 30" }, { 0x30005, "f4" } },
	  .out = { { W_CS, 0, 0x3000 },
		   { W_CS_BASE, 0, 0x30000 },
		   { W_EIP, 0, 6 },
		   { W_ESP, 0, 0x8000 } } },

	/* ---- LOOP / JCXZ ---- */
	{ "loop_counts_cx_with_16bit_address_size", "e2 fe f4", .ecx = 0x00010003,
	  .out = { { W_ECX, 0, 0x00010000 }, /* upper half untouched */
		   { W_ICOUNT, 0, 4 } } },
	{ "loop_counts_ecx_with_address_size_prefix", "67 e2 fd f4", .ecx = 0x00010001,
	  .out = { { W_ECX, 0, 0 }, { W_ICOUNT, 0, 0x10002 } } },
	/* LOOPE with ZF=0 leaves after one */
	{ "loope_and_loopne_stop_on_zf (1 of 3)", "e1 fe f4", .with_flags = true, .ecx = 3,
	  .out = { { W_CX, 0, 2 } } },
	{ "loope_and_loopne_stop_on_zf (2 of 3)", "e1 fe f4", .with_flags = true, .flags = F_ZF,
	  .ecx = 3, .out = { { W_CX, 0, 0 } } },
	/* LOOPNE with ZF=1 leaves after one */
	{ "loope_and_loopne_stop_on_zf (3 of 3)", "e0 fe f4", .with_flags = true, .flags = F_ZF,
	  .ecx = 3, .out = { { W_CX, 0, 2 } } },
	/* CX = 0: JCXZ taken */
	{ "jcxz_tests_cx_or_ecx_by_address_size (1 of 3)", "e3 01 f4 f4", .ecx = 0x10000,
	  .out = { { W_EIP, 0, 4 } } },
	/* ECX is not 0: JECXZ not taken */
	{ "jcxz_tests_cx_or_ecx_by_address_size (2 of 3)", "67 e3 01 f4 f4", .ecx = 0x10000,
	  .out = { { W_EIP, 0, 4 } } },
	{ "jcxz_tests_cx_or_ecx_by_address_size (3 of 3)", "e3 01 f4 f4", .ecx = 1,
	  .out = { { W_EIP, 0, 3 } } },

	/* ---- INT / IRET ---- */
	{ "int_n_pushes_flags_cs_ip_of_next_instruction", "cd 21 f4", .with_flags = true,
	  .flags = F_CF | F_DF | F_IF | F_TF,
	  .out = { { W_CS, 0, 0 },
		   { W_EIP, 0, HANDLER(0x21) },
		   { W_ESP, 0, 0x8000 - 6 },
		   { W_M16, 0x7FFE, 0x2 | F_CF | F_DF | F_IF | F_TF },
		   { W_M16, 0x7FFC, 0x1000 },
		   { W_M16, 0x7FFA, 2 } },
	  .fmask = F_IF | F_TF, .fwant = 0 }, /* IF and TF cleared */
	/* vector 21 at 0:0600, an IRET; the handler runs with IF clear and
	 * IRET brings it back */
	{ "iret_returns_and_restores_flags", "cd 21 f4", .with_flags = true,
	  .flags = F_CF | F_DF | F_IF, .poke = { { 0x21 * 4, "00 06 00 00" }, { 0x600, "cf" } },
	  .out = { { W_CS, 0, 0x1000 }, { W_EIP, 0, 3 }, { W_ESP, 0, 0x8000 } },
	  .fmask = F_CF | F_DF | F_IF, .fwant = F_CF | F_DF | F_IF },
	{ "int3_and_int1_are_traps_to_vectors_3_and_1 (1 of 2)", "90 cc",
	  .out = { { W_EIP, 0, HANDLER(EXC_BP) }, { W_M16, 0x7FFA, 2 } } },
	{ "int3_and_int1_are_traps_to_vectors_3_and_1 (2 of 2)", "f1",
	  .out = { { W_EIP, 0, HANDLER(EXC_DB) }, { W_M16, 0x7FFA, 1 } } },
	{ "into_traps_only_when_of_is_set (1 of 2)", "ce f4", .with_flags = true, .flags = F_OF,
	  .out = { { W_EIP, 0, HANDLER(EXC_OF) }, { W_M16, 0x7FFA, 1 } } },
	{ "into_traps_only_when_of_is_set (2 of 2)", "ce f4", .with_flags = true,
	  .out = { { W_EIP, 0, 2 } } },
};

static const char *const where_name[] = { "-", "EIP", "CS", "CS base", "ESP", "ECX", "CX",
					   "icount", "word", "dword" };

static uint32_t read_at(struct machine *m, unsigned at, paddr_t addr)
{
	struct cpu *c = tm_cpu(m);
	switch (at) {
	case W_EIP: return c->eip;
	case W_CS: return c->seg[S_CS].sel;
	case W_CS_BASE: return c->seg[S_CS].base;
	case W_ESP: return c->r[R_ESP].d;
	case W_ECX: return c->r[R_ECX].d;
	case W_CX: return c->r[R_ECX].w;
	case W_ICOUNT: return (uint32_t)c->icount;
	case W_M16: return tm_peek16(m, addr);
	default: return tm_peek32(m, addr);
	}
}

ParameterizedTestParameters(ctrl, runs)
{
	return cr_make_param_array(struct ctrl_case, runs, ARRAY_SIZE(runs));
}

ParameterizedTest(const struct ctrl_case *k, ctrl, runs)
{
	struct machine *m = k->with_flags ? with_flags(k->code, k->flags) : tm_new(k->code);
	struct cpu *c = tm_cpu(m);
	for (unsigned i = 0; i < ARRAY_SIZE(k->poke); i++)
		tm_poke(m, k->poke[i].at, k->poke[i].hex);
	c->r[R_EBX].d = k->ebx;
	c->r[R_ECX].d = k->ecx;
	if (k->eip)
		c->eip = k->eip;
	if (k->cs_limit) {
		c->seg[S_CS].limit = k->cs_limit;
		seg_update_chk(c, S_CS); /* the precomputed access bounds follow */
	}
	tm_run(m);
	tm_check_wants(m, k->name, k->out, ARRAY_SIZE(k->out), read_at, where_name);
	tm_check_flags(m, k->name, k->fmask, k->fwant);
	tm_free(m);
}

static uint32_t run_bound(const char *code, uint32_t reg, const char *bounds)
{
	struct machine *m = tm_new(code);
	tm_poke(m, 0x2000, bounds);
	tm_cpu(m)->r[R_EAX].d = reg;
	tm_run(m);
	uint32_t eip = tm_cpu(m)->eip;
	if (eip == TM_HANDLERS + EXC_BR + 1)
		cr_assert_eq(tm_peek16(m, 0x7FFA), 0, "#BR is a fault: frame IP is BOUND");
	tm_free(m);
	return eip;
}

Test(ctrl, bound_signed_range_check)
{
	const char *b16 = "0a 00 14 00"; /* [10, 20] */
	cr_assert_eq(run_bound("62 06 00 20 f4", 15, b16), 5);
	cr_assert_eq(run_bound("62 06 00 20 f4", 10, b16), 5);
	cr_assert_eq(run_bound("62 06 00 20 f4", 20, b16), 5);
	cr_assert_eq(run_bound("62 06 00 20 f4", 21, b16), TM_HANDLERS + EXC_BR + 1);
	cr_assert_eq(run_bound("62 06 00 20 f4", 9, b16), TM_HANDLERS + EXC_BR + 1);
	cr_assert_eq(run_bound("62 06 00 20 f4", 0xFFFF, b16), TM_HANDLERS + EXC_BR + 1, "-1 is below 10");
	const char *b32 = "f6 ff ff ff 0a 00 00 00"; /* [-10, 10] */
	cr_assert_eq(run_bound("66 62 06 00 20 f4", 0xFFFFFFFBu, b32), 6);
	cr_assert_eq(run_bound("66 62 06 00 20 f4", 11, b32), TM_HANDLERS + EXC_BR + 1);
}
