/* SETcc, CMOVcc, MOVZX/MOVSX, BSWAP, XADD, CMPXCHG, CMPXCHG8B per the SDM
 * (vol. 2). The cases that run to the HLT and check registers, memory at
 * [BX] and flags are rows of one table, each keeping the name it had as a
 * test of its own. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>

#include "cpu/decode.h"
#include "tests/alu2_tm.h"
#include "tests/prot_util.h"

static struct machine *ext_new(const char *hex, uint32_t eax, uint32_t ecx, uint32_t flags)
{
	struct machine *m = tm_new(hex);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = eax;
	c->r[R_ECX].d = ecx;
	c->r[R_EBX].d = T2_DATA;
	t2_flags(c, flags);
	return m;
}

/* Make ES a read-only data segment, as its descriptor cache would be after
 * loading a read-only selector in protected mode (check bits and the
 * fast path's write bound, which seg_update_chk would derive from them). */
static void es_read_only(struct machine *m)
{
	struct seg *es = &tm_cpu(m)->seg[S_ES];
	es->chk |= SEGCHK_NOWRITE;
	es->wr_max = -1;
}

enum where { W_NONE, W_EAX, W_ECX, W_EDX, W_EBX, W_ESI, W_EDI, W_M8, W_M16 };

/* One run to the HLT, then checks. Strings are held in arrays, not pointed
 * to: Criterion copies each row into the test's own process, where a
 * pointer into this one means nothing. */
struct ext_case {
	char name[56];
	char code[48]; /* ends in the HLT */
	uint32_t eax, ecx, edx, esi, edi;
	bool set_ebx; /* else EBX = T2_DATA, for [bx] */
	uint32_t ebx;
	uint32_t flags; /* arithmetic flags before */
	char mem[16];   /* bytes at T2_DATA before, or "" */
	struct tm_want out[4]; /* W_M8, W_M16: at T2_DATA */
	uint32_t fmask, fwant; /* arithmetic flags & fmask after; fmask 0: not read */
};

#define OUT(w, v) { W_##w, 0, v }

static const struct ext_case runs[] = {
	/* SETZ AL -> 1, SETNZ AH -> 0 */
	{ "setz_follows_zf", "0f 94 c0 0f 95 c4 f4", .eax = 0xFFFFFFFFu, .flags = F_ZF,
	  .out = { OUT(EAX, 0xFFFF0001u) } },
	{ "setl_memory_uses_sf_ne_of", "0f 9c 07 f4", .flags = F_SF, .mem = "55",
	  .out = { OUT(M8, 1) } },
	{ "setnbe_false_when_cf", "0f 97 c1 f4", .ecx = 0xFF, .flags = F_CF,
	  .out = { OUT(ECX, 0) } },
	{ "cmovz_taken_and_not_taken (1 of 2)", "0f 44 c1 f4", .eax = 0x11112222u,
	  .ecx = 0x33334444u, .flags = F_ZF, .out = { OUT(EAX, 0x11114444u) } },
	{ "cmovz_taken_and_not_taken (2 of 2)", "66 0f 44 c1 f4", .eax = 0x11112222u,
	  .ecx = 0x33334444u, .out = { OUT(EAX, 0x11112222u) } },
	{ "cmovnbe_dword_memory", "66 0f 47 07 f4", .mem = "78 56 34 12",
	  .out = { OUT(EAX, 0x12345678u) } },
	/* movzx ax, cl; movzx edx, cl; movzx esi, word [bx] */
	{ "movzx_forms", "0f b6 c1 66 0f b6 d1 66 0f b7 37 f4", .eax = 0xFFFFFFFFu, .ecx = 0x80,
	  .edx = 0xFFFFFFFFu, .mem = "00 80",
	  .out = { OUT(EAX, 0xFFFF0080u), OUT(EDX, 0x00000080u), OUT(ESI, 0x00008000u) } },
	/* movsx ax, cl; movsx edx, cl; movsx esi, word [bx]; movsx di, ch */
	{ "movsx_forms", "0f be c1 66 0f be d1 66 0f bf 37 0f be fd f4", .eax = 0x12345678u,
	  .ecx = 0x7F80, .edi = 0xAAAAAAAAu, .mem = "00 80",
	  .out = { OUT(EAX, 0x1234FF80u), OUT(EDX, 0xFFFFFF80u), OUT(ESI, 0xFFFF8000u),
		   OUT(EDI, 0xAAAA007Fu) } },
	{ "bswap_dword", "66 0f c8 66 0f cb f4", .eax = 0x12345678u, .set_ebx = true,
	  .ebx = 0xAABBCCDDu, .out = { OUT(EAX, 0x78563412u), OUT(EBX, 0xDDCCBBAAu) } },
	{ "bswap_word_clears_low_half", "0f c9 f4", .ecx = 0x12345678u,
	  .out = { OUT(ECX, 0x12340000u) } },
	{ "xadd_registers", "0f c1 c8 f4", .eax = 1, .ecx = 2, .flags = F_CF,
	  .out = { OUT(EAX, 3), OUT(ECX, 1) }, .fmask = F_ARITH, .fwant = F_PF },
	{ "xadd_same_register_leaves_the_sum", "66 0f c1 c0 f4", .eax = 5,
	  .out = { OUT(EAX, 10) } },
	{ "xadd_byte_memory_flags_as_add", "0f c0 07 f4", .eax = 0x01, .mem = "ff",
	  .out = { OUT(M8, 0), OUT(EAX, 0xFF) }, .fmask = F_ARITH,
	  .fwant = F_CF | F_ZF | F_AF | F_PF },
	{ "cmpxchg_word_memory_equal", "0f b1 0f f4", .eax = 0x1234, .ecx = 0x5678, .mem = "34 12",
	  .out = { OUT(M16, 0x5678), OUT(EAX, 0x1234) }, .fmask = F_ARITH, .fwant = F_ZF | F_PF },
	/* flags of CMP 1111h, 1234h: result FEDDh */
	{ "cmpxchg_word_memory_not_equal_loads_accumulator", "0f b1 0f f4", .eax = 0xAAAA1111u,
	  .ecx = 0x5678, .mem = "34 12", .out = { OUT(M16, 0x1234), OUT(EAX, 0xAAAA1234u) },
	  .fmask = F_ARITH, .fwant = F_CF | F_SF | F_AF | F_PF },
	{ "cmpxchg_byte_registers", "0f b0 d1 f4", .eax = 0x05, .ecx = 0x05, .edx = 0x09,
	  .out = { OUT(ECX, 0x09) }, .fmask = F_ZF, .fwant = F_ZF },
	{ "cmpxchg_dword_accumulator_with_itself", "66 0f b1 c8 f4", .eax = 0x12345678u,
	  .ecx = 0xCAFEBABEu, .out = { OUT(EAX, 0xCAFEBABEu) } },
};

static const char *const where_name[] = { "-", "EAX", "ECX", "EDX", "EBX", "ESI", "EDI", "byte",
					   "word" };

static uint32_t read_at(struct machine *m, unsigned at, paddr_t addr)
{
	(void)addr;
	static const unsigned reg[] = { [W_EAX] = R_EAX, [W_ECX] = R_ECX, [W_EDX] = R_EDX,
					[W_EBX] = R_EBX, [W_ESI] = R_ESI, [W_EDI] = R_EDI };
	switch (at) {
	case W_M8: return tm_peek8(m, T2_DATA);
	case W_M16: return tm_peek16(m, T2_DATA);
	default: return tm_cpu(m)->r[reg[at]].d;
	}
}

ParameterizedTestParameters(ext, runs)
{
	return cr_make_param_array(struct ext_case, runs, sizeof(runs) / sizeof(runs[0]));
}

ParameterizedTest(const struct ext_case *k, ext, runs)
{
	struct machine *m = tm_new(k->code);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = k->eax;
	c->r[R_ECX].d = k->ecx;
	c->r[R_EDX].d = k->edx;
	c->r[R_ESI].d = k->esi;
	c->r[R_EDI].d = k->edi;
	c->r[R_EBX].d = k->set_ebx ? k->ebx : T2_DATA;
	t2_flags(c, k->flags);
	tm_poke(m, T2_DATA, k->mem);
	tm_run_to_hlt(m, k->name);
	tm_check_wants(m, k->name, k->out, 4, read_at, where_name);
	tm_check_flags(m, k->name, k->fmask, k->fwant); /* every fmask lies within F_ARITH */
	tm_free(m);
}

Test(ext, setcc_reads_lazy_flags)
{
	/* as after CMP 1, 2 (lazy SUB): below and less */
	struct machine *m = ext_new("0f 92 c0 0f 9f c4 f4", 0xFFFF, 0, 0);
	struct cpu *c = tm_cpu(m);
	lf_set(&c->lf, LF_SUB, 2, 0xFFFFFFFFu, 1, 2);
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x0001); /* SETB AL = 1, SETG AH = 0 */
	tm_free(m);
}

Test(ext, cmov_false_condition_still_reads_memory)
{
	/* a word at DS:FFFF is past the limit: #GP although no move happens */
	struct machine *m = ext_new("0f 44 07 f4", 0x1234, 0, 0);
	tm_cpu(m)->r[R_EBX].d = 0xFFFF;
	t2_run_fault(m, EXC_GP);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x1234);
	tm_free(m);
}

Test(ext, cmpxchg_read_only_destination_faults_even_when_unequal)
{
	struct machine *m = ext_new("26 0f b1 0f f4", 0x1111, 0x5678, 0);
	tm_poke(m, T2_DATA, "34 12");
	es_read_only(m);
	t2_run_fault(m, EXC_GP);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x1111);
	cr_assert_eq(tm_peek16(m, T2_DATA), 0x1234);
	tm_free(m);
}

static struct machine *c8b_new(const char *prefix, uint32_t eax, uint32_t edx)
{
	char hex[64];
	snprintf(hex, sizeof(hex), "%s 0f c7 0c f4", prefix); /* cmpxchg8b [si] */
	struct machine *m = ext_new(hex, eax, 0xBBBBBBBBu, F_CF);
	struct cpu *c = tm_cpu(m);
	c->r[R_EDX].d = edx;
	c->r[R_EBX].d = 0xAAAAAAAAu;
	c->r[R_ESI].d = T2_DATA;
	tm_poke(m, T2_DATA, "22 22 22 22 11 11 11 11");
	return m;
}

Test(ext, cmpxchg8b_equal_stores_ecx_ebx)
{
	struct machine *m = c8b_new("", 0x22222222u, 0x11111111u);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_peek32(m, T2_DATA), 0xAAAAAAAAu);
	cr_assert_eq(tm_peek32(m, T2_DATA + 4), 0xBBBBBBBBu);
	cr_assert_eq(c->r[R_EAX].d, 0x22222222u);
	cr_assert_eq(t2_arith(c), F_ZF | F_CF, "ZF set, the other flags kept");
	tm_free(m);
}

Test(ext, cmpxchg8b_not_equal_loads_edx_eax)
{
	struct machine *m = c8b_new("", 0x22222222u, 0x11111112u);
	t2_flags(tm_cpu(m), F_ZF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_peek32(m, T2_DATA), 0x22222222u);
	cr_assert_eq(tm_peek32(m, T2_DATA + 4), 0x11111111u);
	cr_assert_eq(c->r[R_EAX].d, 0x22222222u);
	cr_assert_eq(c->r[R_EDX].d, 0x11111111u);
	cr_assert_eq(t2_arith(c), 0);
	tm_free(m);
}

Test(ext, cmpxchg8b_read_only_destination_faults_even_when_unequal)
{
	struct machine *m = c8b_new("26", 0, 0);
	es_read_only(m);
	t2_run_fault(m, EXC_GP);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0);
	cr_assert_eq(tm_cpu(m)->r[R_EDX].d, 0);
	tm_free(m);
}

Test(ext, cmpxchg8b_register_operand_is_undefined)
{
	struct machine *m = tm_new("0f c7 c8 f4");
	t2_run_fault(m, EXC_UD);
	tm_free(m);
}

/* CMOVcc r32,r32 and SETcc r8 have one handler per condition code
 * (ops_fast_pick): each must agree with the generic handler for every
 * condition over lazy-flag states of several producers and sizes. */
Test(ext, per_condition_cmov_and_setcc_match_the_generic_handlers)
{
	static const struct lazy_flags states[] = {
		{ .kind = LF_SUB, .size = 2, .a = 5, .b = 7, .res = 0xFFFFFFFEu },
		{ .kind = LF_SUB, .size = 2, .a = 7, .b = 7, .res = 0 },
		{ .kind = LF_SUB, .size = 0, .a = 0x80, .b = 0x01, .res = 0x7F },
		{ .kind = LF_LOGIC, .size = 1, .res = 0x8000 },
		{ .kind = LF_LOGIC, .size = 2, .res = 0 },
		{ .kind = LF_ADD, .size = 2, .a = 0x7FFFFFFF, .b = 1, .res = 0x80000000u },
		{ .kind = LF_INC, .size = 0, .a = 0xFF, .b = 1, .res = 0 },
		{ .kind = LF_NONE },
	};
	static const uint32_t eflags[] = { 0x2, 0x2 | F_ARITH };
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	for (unsigned cc = 0; cc < 16; cc++) {
		const char cmov[] = { 0x0f, (char)(0x40 + cc), (char)0xc1 }; /* cmovcc eax, ecx */
		const char setcc[] = { 0x0f, (char)(0x90 + cc), (char)0xc4 }; /* setcc ah */
		struct insn gc, gs;
		cr_assert_eq(decode_insn((const uint8_t *)cmov, 3, true, &gc, NULL), 3);
		cr_assert_eq(decode_insn((const uint8_t *)setcc, 3, true, &gs, NULL), 3);
		for (unsigned k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			for (unsigned e = 0; e < 2; e++) {
				uint32_t want[2], got[2];
				for (unsigned pass = 0; pass < 2; pass++) {
					c->lf = states[k];
					c->eflags = eflags[e];
					c->r[R_EAX].d = 0x11111111u;
					c->r[R_ECX].d = 0x22222222u;
					if (pass == 0) {
						gc.fn(c, &gc);
						gs.fn(c, &gs);
					} else {
						cr_assert_eq(pu_run32(c, cmov, 3), -1);
						cr_assert_eq(pu_run32(c, setcc, 3), -1);
					}
					(pass ? got : want)[0] = c->r[R_EAX].d;
					(pass ? got : want)[1] = cpu_get_eflags(c);
				}
				cr_assert_eq(got[0], want[0], "cc %u state %u eflags %u", cc, k, e);
				cr_assert_eq(got[1], want[1], "cc %u state %u eflags %u", cc, k, e);
			}
		}
	}
	tm_free(m);
}
