/* Protected-mode far JMP, CALL and RET (SDM vol. 2 JMP, CALL, RET
 * pseudo-code; vol. 3, 5.8): direct, through call gates, privilege
 * changes with the TSS stack and parameter copying, outer-level returns. */
#include <criterion/criterion.h>

#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "tests/prot_util.h"

#define SEL(index, rpl) ((uint16_t)((index) << 3 | (rpl)))

static struct machine *setup(void)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	c->next_eip = 0x1234;
	return m;
}

Test(prot_far, jmp_to_code_segment)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0x20000, 0xFFFF, PU_CODE, 0);
	PU_TRY(c, cpu_far_jmp(c, SEL(7, 0), 0x12345678, false));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->seg[S_CS].sel, SEL(7, 0));
	cr_assert_eq(c->seg[S_CS].base, 0x20000);
	cr_assert_eq(c->next_eip, 0x5678, "16-bit operand size truncates the offset");
	cr_assert_eq(c->cpl, 0);
	tm_free(m);
}

Test(prot_far, jmp_errors)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFF, PU_CODE, 0);
	pu_desc(m, PU_GDT, 8, 0, 0xFFF, PU_CODE | 0x20, 0); /* DPL 1 */
	pu_desc(m, PU_GDT, 9, 0, 0xFFF, 0x1A, 0);           /* not present */
	PU_TRY(c, cpu_far_jmp(c, 0, 0, true));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 0);
	PU_TRY(c, cpu_far_jmp(c, SEL(7, 0), 0x1000, true));
	cr_assert_eq(c->exc_vector, EXC_GP, "offset beyond the limit");
	cr_assert_eq(c->exc_error, 0);
	PU_TRY(c, cpu_far_jmp(c, SEL(8, 0), 0, true));
	cr_assert_eq(c->exc_vector, EXC_GP, "non-conforming DPL != CPL");
	cr_assert_eq(c->exc_error, SEL(8, 0));
	PU_TRY(c, cpu_far_jmp(c, SEL(7, 1), 0, true));
	cr_assert_eq(c->exc_vector, EXC_GP, "RPL > CPL");
	cr_assert_eq(c->exc_error, SEL(7, 0));
	PU_TRY(c, cpu_far_jmp(c, SEL(9, 0), 0, true));
	cr_assert_eq(c->exc_vector, EXC_NP);
	cr_assert_eq(c->exc_error, SEL(9, 0));
	PU_TRY(c, cpu_far_jmp(c, PU_DS0, 0, true));
	cr_assert_eq(c->exc_vector, EXC_GP, "data segment");
	cr_assert_eq(c->exc_error, PU_DS0);
	cr_assert_eq(c->seg[S_CS].sel, PU_CS0);
	tm_free(m);
}

Test(prot_far, jmp_to_conforming_keeps_cpl)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFFF, 0x9E, PU_G32); /* DPL 0 conforming */
	pu_ring3(c, 0x8000);
	PU_TRY(c, cpu_far_jmp(c, SEL(7, 0), 0x400, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->seg[S_CS].sel, SEL(7, 3), "RPL becomes CPL");
	tm_free(m);
}

Test(prot_far, call_direct_pushes_return_address)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFFF, PU_CODE, PU_G32);
	PU_TRY(c, cpu_far_call(c, SEL(7, 0), 0x2000, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->r[R_ESP].d, 0x8000 - 8);
	cr_assert_eq(tm_peek32(m, 0x8000 - 4), PU_CS0);
	cr_assert_eq(tm_peek32(m, 0x8000 - 8), 0x1234);
	cr_assert_eq(c->next_eip, 0x2000);
	c->next_eip = 0x99;
	PU_TRY(c, cpu_far_call(c, PU_CS0, 0x3000, false));
	cr_assert_eq(c->r[R_ESP].d, 0x8000 - 12);
	cr_assert_eq(tm_peek16(m, 0x8000 - 10), SEL(7, 0));
	cr_assert_eq(tm_peek16(m, 0x8000 - 12), 0x99);
	tm_free(m);
}

Test(prot_far, call_with_stack_fault_changes_nothing)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFF, PU_DATA, 0x4); /* 4 KiB stack */
	PU_TRY(c, cpu_load_seg(c, S_SS, SEL(7, 0)));
	c->r[R_ESP].d = 6;
	PU_TRY(c, cpu_far_call(c, PU_CS0, 0x3000, true));
	cr_assert_eq(c->exc_vector, EXC_SS);
	cr_assert_eq(c->exc_error, 0);
	cr_assert_eq(c->r[R_ESP].d, 6);
	cr_assert_eq(c->next_eip, 0x1234);
	tm_free(m);
}

/* Ring 3 calls a ring-0 32-bit gate copying two dword parameters. */
Test(prot_far, call_gate_to_inner_level_switches_stack)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_GDT, 7, PU_CS0, 0xC0DE, 0xEC, 2); /* 32-bit call gate, DPL 3 */
	pu_tss_stack(m, PU_TSS, 0, PU_DS0, 0x7000);
	pu_ring3(c, 0x9000 - 8);
	pu_poke32(m, 0x9000 - 8, 0x11111111); /* last pushed parameter */
	pu_poke32(m, 0x9000 - 4, 0x22222222);
	PU_TRY(c, cpu_far_call(c, SEL(7, 3), 0xDEAD, false));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(c->seg[S_CS].sel, PU_CS0);
	cr_assert_eq(c->seg[S_SS].sel, PU_DS0);
	cr_assert_eq(c->next_eip, 0xC0DE, "gate offset, not the instruction's");
	cr_assert_eq(c->r[R_ESP].d, 0x7000 - 24);
	cr_assert_eq(tm_peek32(m, 0x7000 - 4), PU_DS3, "old SS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 8), 0x9000 - 8, "old ESP");
	cr_assert_eq(tm_peek32(m, 0x7000 - 12), 0x22222222);
	cr_assert_eq(tm_peek32(m, 0x7000 - 16), 0x11111111);
	cr_assert_eq(tm_peek32(m, 0x7000 - 20), PU_CS3, "old CS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 24), 0x1234, "return EIP");
	tm_free(m);
}

Test(prot_far, call_gate_16_bit_copies_words)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_GDT, 7, PU_CS0, 0xC0DE, 0xE4, 1); /* 16-bit call gate */
	pu_tss_stack(m, PU_TSS, 0, PU_DS0, 0x7000);
	pu_ring3(c, 0x9000 - 2);
	pu_poke16(m, 0x9000 - 2, 0xBEEF);
	PU_TRY(c, cpu_far_call(c, SEL(7, 3), 0, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->r[R_ESP].d, 0x7000 - 10);
	cr_assert_eq(tm_peek16(m, 0x7000 - 2), PU_DS3);
	cr_assert_eq(tm_peek16(m, 0x7000 - 4), 0x9000 - 2);
	cr_assert_eq(tm_peek16(m, 0x7000 - 6), 0xBEEF);
	cr_assert_eq(tm_peek16(m, 0x7000 - 8), PU_CS3);
	cr_assert_eq(tm_peek16(m, 0x7000 - 10), 0x1234);
	tm_free(m);
}

Test(prot_far, call_gate_checks)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_GDT, 7, PU_CS0, 0, 0x8C, 0);  /* DPL 0 gate */
	pu_gate(m, PU_GDT, 8, PU_CS0, 0, 0x6C, 0);  /* not present, DPL 3 */
	pu_gate(m, PU_GDT, 9, PU_DS0, 0, 0xEC, 0);  /* names a data segment */
	pu_gate(m, PU_GDT, 10, PU_CS0, 0, 0xEC, 0); /* good */
	pu_ring3(c, 0x9000);
	PU_TRY(c, cpu_far_call(c, SEL(7, 3), 0, true));
	cr_assert_eq(c->exc_vector, EXC_GP, "gate DPL < CPL");
	cr_assert_eq(c->exc_error, SEL(7, 0));
	PU_TRY(c, cpu_far_call(c, SEL(8, 3), 0, true));
	cr_assert_eq(c->exc_vector, EXC_NP);
	cr_assert_eq(c->exc_error, SEL(8, 0));
	PU_TRY(c, cpu_far_call(c, SEL(9, 3), 0, true));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, PU_DS0);
	/* TSS ring-0 SS is null: #TS(0) (EXT clear for CALL) */
	PU_TRY(c, cpu_far_call(c, SEL(10, 3), 0, true));
	cr_assert_eq(c->exc_vector, EXC_TS);
	cr_assert_eq(c->exc_error, 0);
	pu_tss_stack(m, PU_TSS, 0, PU_DS3, 0x7000);
	PU_TRY(c, cpu_far_call(c, SEL(10, 3), 0, true));
	cr_assert_eq(c->exc_vector, EXC_TS, "new SS RPL != code DPL");
	cr_assert_eq(c->exc_error, PU_DS3 & ~3);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->r[R_ESP].d, 0x9000);
	tm_free(m);
}

Test(prot_far, jmp_through_call_gate)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_GDT, 7, PU_CS0, 0xABCD1234, 0x8C, 0);
	PU_TRY(c, cpu_far_jmp(c, SEL(7, 0), 0, false));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->next_eip, 0xABCD1234);
	cr_assert_eq(c->r[R_ESP].d, 0x8000, "JMP pushes nothing");
	tm_free(m);
}

Test(prot_far, ret_same_level_with_immediate)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->r[R_ESP].d = 0x7000;
	pu_poke32(m, 0x7000, 0x4444);
	pu_poke32(m, 0x7004, PU_CS0);
	PU_TRY(c, cpu_far_ret(c, true, 8));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->next_eip, 0x4444);
	cr_assert_eq(c->r[R_ESP].d, 0x7010);
	tm_free(m);
}

Test(prot_far, ret_to_outer_level_nulls_inner_data_segments)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->r[R_ESP].d = 0x7000;
	pu_poke32(m, 0x7000, 0x5555);
	pu_poke32(m, 0x7004, PU_CS3);
	pu_poke32(m, 0x7008 + 4, 0x9ABC); /* after 4 bytes of parameters */
	pu_poke32(m, 0x700C + 4, PU_DS3);
	pu_seg(c, S_ES, PU_DS3);
	PU_TRY(c, cpu_far_ret(c, true, 4));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->seg[S_CS].sel, PU_CS3);
	cr_assert_eq(c->seg[S_SS].sel, PU_DS3);
	cr_assert_eq(c->r[R_ESP].d, 0x9ABC + 4);
	cr_assert_eq(c->next_eip, 0x5555);
	cr_assert_eq(c->seg[S_DS].sel, 0, "DPL 0 data: nulled");
	cr_assert_eq(c->seg[S_ES].sel, PU_DS3, "DPL 3 data: kept");
	PU_TRY(c, cpu_rd8(c, S_DS, 0));
	cr_assert_eq(c->exc_vector, EXC_GP);
	tm_free(m);
}

Test(prot_far, ret_checks)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_ring3(c, 0x7000);
	pu_poke32(m, 0x7000, 0x5555);
	pu_poke32(m, 0x7004, PU_CS0);
	PU_TRY(c, cpu_far_ret(c, true, 0));
	cr_assert_eq(c->exc_vector, EXC_GP, "return to an inner level");
	cr_assert_eq(c->exc_error, PU_CS0);
	cr_assert_eq(c->r[R_ESP].d, 0x7000);
	pu_poke32(m, 0x7004, PU_DS3);
	PU_TRY(c, cpu_far_ret(c, true, 0));
	cr_assert_eq(c->exc_vector, EXC_GP, "not code");
	cr_assert_eq(c->exc_error, PU_DS3 & ~3);
	tm_free(m);
}

Test(prot_far, ret_outer_with_bad_ss)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->r[R_ESP].d = 0x7000;
	pu_poke32(m, 0x7000, 0x5555);
	pu_poke32(m, 0x7004, PU_CS3);
	pu_poke32(m, 0x7008, 0x9000);
	pu_poke32(m, 0x700C, PU_DS0 | 3); /* RPL 3 but DPL 0 */
	PU_TRY(c, cpu_far_ret(c, true, 0));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, PU_DS0);
	cr_assert_eq(c->cpl, 0);
	tm_free(m);
}

/* Near CALL, RET, PUSH and POP with a 32-bit stack take the frameless fast
 * path when the stack page is in the TLB: the same results and faults as
 * the general path, ESP untouched by a faulting instruction. */
Test(prot_far, near_call_ret_push_pop_on_a_32_bit_stack)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->eip = 0x1000;
	c->r[R_ESP].d = 0x7000;
	PU_TRY(c, cpu_wr32(c, S_SS, 0x6FFC, 0)); /* the stack page is in the TLB */
	cr_assert_eq(pu_run32(c, "\xe8\x10\x00\x00\x00", 5), -1); /* call +0x10 */
	cr_assert_eq(c->next_eip, 0x1015);
	cr_assert_eq(c->r[R_ESP].d, 0x6FFC);
	cr_assert_eq(tm_peek32(m, 0x6FFC), 0x1005);
	cr_assert_eq(pu_run32(c, "\xc3", 1), -1); /* ret */
	cr_assert_eq(c->next_eip, 0x1005);
	cr_assert_eq(c->r[R_ESP].d, 0x7000);
	cr_assert_eq(pu_run32(c, "\x54", 1), -1); /* push esp: the old value */
	cr_assert_eq(tm_peek32(m, 0x6FFC), 0x7000);
	cr_assert_eq(c->r[R_ESP].d, 0x6FFC);
	cr_assert_eq(pu_run32(c, "\x68\x78\x56\x34\x12", 5), -1); /* push 0x12345678 */
	cr_assert_eq(pu_run32(c, "\x59", 1), -1); /* pop ecx */
	cr_assert_eq(c->r[R_ECX].d, 0x12345678);
	cr_assert_eq(pu_run32(c, "\x5c", 1), -1); /* pop esp: the popped value */
	cr_assert_eq(c->r[R_ESP].d, 0x7000);
	/* Targets beyond the CS limit fault before the stack changes. */
	pu_desc(m, PU_GDT, 7, 0, 0x1FFF, PU_CODE, 0x4);
	pu_seg(c, S_CS, SEL(7, 0));
	cr_assert_eq(pu_run32(c, "\xe8\x00\x10\x00\x00", 5), EXC_GP); /* call +0x1000 */
	cr_assert_eq(c->r[R_ESP].d, 0x7000);
	PU_TRY(c, cpu_wr32(c, S_SS, 0x6FFC, 0x2000));
	c->r[R_ESP].d = 0x6FFC;
	cr_assert_eq(pu_run32(c, "\xc3", 1), EXC_GP); /* ret to 0x2000 */
	cr_assert_eq(c->r[R_ESP].d, 0x6FFC);
	/* Pushing past a 32-bit stack's limit is #SS, with ESP unchanged. */
	pu_desc(m, PU_GDT, 8, 0, 0x6FFF, PU_DATA, 0x4);
	pu_seg(c, S_SS, SEL(8, 0));
	c->r[R_ESP].d = 0x7002;
	cr_assert_eq(pu_run32(c, "\x50", 1), EXC_SS); /* push eax */
	cr_assert_eq(c->r[R_ESP].d, 0x7002);
	cr_assert_eq(pu_run32(c, "\x58", 1), EXC_SS); /* pop eax */
	cr_assert_eq(c->r[R_ESP].d, 0x7002);
	tm_free(m);
}

/* With a 16-bit stack (SS.B = 0) only SP moves and wraps within 64 KiB;
 * the fast path leaves such stacks to the general code. */
Test(prot_far, push_pop_on_a_16_bit_stack_wrap_sp)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0x10000, 0xFFFF, PU_DATA, 0);
	pu_seg(c, S_SS, SEL(7, 0));
	c->r[R_ESP].d = 0x00010000;
	c->r[R_EAX].d = 0x11223344;
	PU_TRY(c, cpu_wr32(c, S_SS, 0xFFFC, 0)); /* the stack page is in the TLB */
	cr_assert_eq(pu_run32(c, "\x50", 1), -1); /* push eax */
	cr_assert_eq(c->r[R_ESP].d, 0x0001FFFC);
	cr_assert_eq(tm_peek32(m, 0x1FFFC), 0x11223344);
	cr_assert_eq(pu_run32(c, "\x59", 1), -1); /* pop ecx */
	cr_assert_eq(c->r[R_ECX].d, 0x11223344);
	cr_assert_eq(c->r[R_ESP].d, 0x00010000);
	tm_free(m);
}
