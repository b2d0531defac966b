/* Control transfer: Jcc, JMP, CALL/RET near and far, LOOP family, JCXZ,
 * INT n/INT3/INTO/INT1 and IRET, BOUND. Expected values follow the SDM
 * instruction pages; frames are checked in memory. */
#include <criterion/criterion.h>
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

Test(ctrl, jcc_backward_rel8)
{
	/* 0: jmp 3; 2: hlt; 3: jz -3 (to 2) */
	struct machine *m = with_flags("eb 01 f4 74 fd f4", F_ZF);
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, 3);
	tm_free(m);
}

Test(ctrl, near_jump_target_wraps_at_64k_with_16bit_operand_size)
{
	struct machine *m = tm_new("");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, TM_CODE + 0xFFF0, "e9 10 00"); /* 0xFFF3 + 0x10 = 0x10003 -> 0x0003 */
	tm_poke(m, TM_CODE + 3, "f4");
	c->eip = 0xFFF0;
	tm_run(m);
	cr_assert_eq(c->eip, 4);
	tm_free(m);
}

Test(ctrl, near_jump_beyond_cs_limit_faults_at_the_jump)
{
	/* The limit stays with CS across the real-mode reload, so it must
	 * still cover the handlers at 0:05xx. */
	struct machine *m = tm_new("90 e9 00 06");
	struct cpu *c = tm_cpu(m);
	c->seg[S_CS].limit = 0x5FF;
	seg_update_chk(c, S_CS);
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_GP + 1);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 1, "frame IP is the JMP");
	tm_free(m);
}

Test(ctrl, jmp_register_and_memory_indirect)
{
	struct machine *m = tm_new("ff e3 f4 f4 f4 ff 26 00 20 f4 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = 0xFFFF0005; /* JMP BX uses 16 bits: 5 */
	tm_poke(m, 0x2000, "0a 00");
	tm_run(m);
	cr_assert_eq(c->eip, 11);
	tm_free(m);
}

Test(ctrl, near_call_pushes_return_ip_and_ret_pops_it)
{
	/* 0: call 6; 3: hlt; 4: hlt; 5: hlt; 6: ret */
	struct machine *m = tm_new("e8 03 00 f4 f4 f4 c3");
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->eip, 4);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	cr_assert_eq(tm_peek16(m, 0x7FFE), 3);
	tm_free(m);
}

Test(ctrl, call_indirect_through_register)
{
	struct machine *m = tm_new("ff d3 f4 f4 c3");
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].w = 4;
	tm_run(m);
	cr_assert_eq(c->eip, 3);
	cr_assert_eq(tm_peek16(m, 0x7FFE), 2);
	tm_free(m);
}

Test(ctrl, call32_pushes_a_dword)
{
	/* 66 e8 rel32: 6 bytes; target 6 + 1 = 7 */
	struct machine *m = tm_new("66 e8 01 00 00 00 f4 66 c3");
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->eip, 7);
	cr_assert_eq(tm_peek32(m, 0x7FFC), 6);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	tm_free(m);
}

Test(ctrl, ret_imm16_releases_parameters)
{
	/* 0: call 4; 3: hlt; 4: ret 4 */
	struct machine *m = tm_new("e8 01 00 f4 c2 04 00");
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->eip, 4);
	cr_assert_eq(c->r[R_ESP].d, 0x8004);
	tm_free(m);
}

Test(ctrl, far_call_and_retf_16bit_frame)
{
	struct machine *m = tm_new("9a 00 01 00 20 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x20100, "cb");
	tm_run(m);
	cr_assert_eq(c->seg[S_CS].sel, 0x1000);
	cr_assert_eq(c->eip, 6);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	cr_assert_eq(tm_peek16(m, 0x7FFE), 0x1000, "CS pushed first");
	cr_assert_eq(tm_peek16(m, 0x7FFC), 5, "then IP");
	tm_free(m);
}

Test(ctrl, far_call_and_retf_32bit_frame)
{
	struct machine *m = tm_new("66 9a 00 01 00 00 00 20 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x20100, "66 cb");
	tm_run(m);
	cr_assert_eq(c->seg[S_CS].sel, 0x1000);
	cr_assert_eq(c->eip, 9);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	cr_assert_eq(tm_peek32(m, 0x7FFC) & 0xFFFF, 0x1000);
	cr_assert_eq(tm_peek32(m, 0x7FF8), 8);
	tm_free(m);
}

Test(ctrl, far_call_through_memory_and_retf_imm)
{
	struct machine *m = tm_new("ff 1e 00 30 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x3000, "10 00 00 20"); /* 2000:0010 */
	tm_poke(m, 0x20010, "ca 02 00");
	tm_run(m);
	cr_assert_eq(c->seg[S_CS].sel, 0x1000);
	cr_assert_eq(c->eip, 5);
	cr_assert_eq(c->r[R_ESP].d, 0x8002);
	tm_free(m);
}

Test(ctrl, far_jmp_direct_and_indirect)
{
	struct machine *m = tm_new("ea 00 00 00 20");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x20000, "ff 2e 00 30"); /* jmp far [0x3000] */
	tm_poke(m, 0x3000, "05 00 00 30");  /* 3000:0005 */
	tm_poke(m, 0x30005, "f4");
	tm_run(m);
	cr_assert_eq(c->seg[S_CS].sel, 0x3000);
	cr_assert_eq(c->seg[S_CS].base, 0x30000);
	cr_assert_eq(c->eip, 6);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	tm_free(m);
}

Test(ctrl, loop_counts_cx_with_16bit_address_size)
{
	struct machine *m = tm_new("e2 fe f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_ECX].d = 0x00010003;
	tm_run(m);
	cr_assert_eq(c->r[R_ECX].d, 0x00010000, "upper half untouched");
	cr_assert_eq(c->icount, 4);
	tm_free(m);
}

Test(ctrl, loop_counts_ecx_with_address_size_prefix)
{
	struct machine *m = tm_new("67 e2 fd f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_ECX].d = 0x00010001;
	tm_run(m);
	cr_assert_eq(c->r[R_ECX].d, 0);
	cr_assert_eq(c->icount, 0x10002);
	tm_free(m);
}

Test(ctrl, loope_and_loopne_stop_on_zf)
{
	struct machine *m = with_flags("e1 fe f4", 0);
	tm_cpu(m)->r[R_ECX].w = 3;
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_ECX].w, 2, "LOOPE with ZF=0 leaves after one");
	tm_free(m);

	m = with_flags("e1 fe f4", F_ZF);
	tm_cpu(m)->r[R_ECX].w = 3;
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_ECX].w, 0);
	tm_free(m);

	m = with_flags("e0 fe f4", F_ZF);
	tm_cpu(m)->r[R_ECX].w = 3;
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_ECX].w, 2, "LOOPNE with ZF=1 leaves after one");
	tm_free(m);
}

Test(ctrl, jcxz_tests_cx_or_ecx_by_address_size)
{
	struct machine *m = tm_new("e3 01 f4 f4");
	tm_cpu(m)->r[R_ECX].d = 0x10000; /* CX = 0 */
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, 4, "JCXZ taken");
	tm_free(m);

	m = tm_new("67 e3 01 f4 f4");
	tm_cpu(m)->r[R_ECX].d = 0x10000;
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, 4, "JECXZ not taken");
	tm_free(m);

	m = tm_new("e3 01 f4 f4");
	tm_cpu(m)->r[R_ECX].d = 1;
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, 3);
	tm_free(m);
}

Test(ctrl, int_n_pushes_flags_cs_ip_of_next_instruction)
{
	struct machine *m = with_flags("cd 21 f4", F_CF | F_DF | F_IF | F_TF);
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->seg[S_CS].sel, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + 0x21 + 1);
	cr_assert_eq(c->r[R_ESP].d, 0x8000 - 6);
	cr_assert_eq(tm_peek16(m, 0x7FFE), 0x2 | F_CF | F_DF | F_IF | F_TF);
	cr_assert_eq(tm_peek16(m, 0x7FFC), 0x1000);
	cr_assert_eq(tm_peek16(m, 0x7FFA), 2);
	cr_assert_eq(c->eflags & (F_IF | F_TF), 0, "IF and TF cleared");
	tm_free(m);
}

Test(ctrl, iret_returns_and_restores_flags)
{
	struct machine *m = with_flags("cd 21 f4", F_CF | F_DF);
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x21 * 4, "00 06 00 00");
	tm_poke(m, 0x600, "cf");
	c->eflags |= F_IF; /* the handler runs with IF clear; IRET brings it back */
	tm_run(m);
	cr_assert_eq(c->seg[S_CS].sel, 0x1000);
	cr_assert_eq(c->eip, 3);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	cr_assert_eq(cpu_get_eflags(c) & (F_CF | F_DF | F_IF), F_CF | F_DF | F_IF);
	tm_free(m);
}

Test(ctrl, int3_and_int1_are_traps_to_vectors_3_and_1)
{
	struct machine *m = tm_new("90 cc");
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, TM_HANDLERS + EXC_BP + 1);
	cr_assert_eq(tm_peek16(m, 0x7FFA), 2);
	tm_free(m);

	m = tm_new("f1");
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, TM_HANDLERS + EXC_DB + 1);
	cr_assert_eq(tm_peek16(m, 0x7FFA), 1);
	tm_free(m);
}

Test(ctrl, into_traps_only_when_of_is_set)
{
	struct machine *m = with_flags("ce f4", F_OF);
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, TM_HANDLERS + EXC_OF + 1);
	cr_assert_eq(tm_peek16(m, 0x7FFA), 1);
	tm_free(m);

	m = with_flags("ce f4", 0);
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, 2);
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
