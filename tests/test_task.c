/* Hardware task switching (SDM vol. 3, 7.3): JMP and CALL to a TSS or task
 * gate, IRET with NT, task gates in the IDT, busy bits, back links, and the
 * #TS/#GP rules. */
#include <criterion/criterion.h>

#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "tests/prot_util.h"

#define TSS2_SEL 0x38
#define GATE_SEL 0x40

static struct machine *setup(void)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, PU_TSS2, 0x67, 0x89, 0);
	pu_gate(m, PU_GDT, 8, TSS2_SEL, 0, 0xE5, 0); /* task gate, DPL 3 */
	pu_poke32(m, PU_TSS2 + 0x20, 0x5555);
	pu_poke32(m, PU_TSS2 + 0x24, 0x2 | F_CF);
	for (unsigned n = 0; n < 8; n++)
		pu_poke32(m, PU_TSS2 + 0x28 + 4 * n, 0xA0 + n);
	pu_poke32(m, PU_TSS2 + 0x38, 0x6000); /* ESP */
	for (unsigned s = 0; s < 6; s++)
		pu_poke32(m, PU_TSS2 + 0x48 + 4 * s, s == S_CS ? PU_CS0 : PU_DS0);
	c->r[R_EAX].d = 0x11111111;
	c->eip = 0x1000;
	c->next_eip = 0x1007;
	return m;
}

Test(task, jmp_to_tss_saves_and_loads)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	PU_TRY(c, cpu_far_jmp(c, TSS2_SEL, 0, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(tm_peek32(m, PU_TSS + 0x20), 0x1007, "old EIP: next instruction");
	cr_assert_eq(tm_peek32(m, PU_TSS + 0x28), 0x11111111, "old EAX");
	cr_assert_eq(tm_peek16(m, PU_TSS + 0x4C), PU_CS0, "old CS");
	cr_assert_eq(tm_peek8(m, PU_GDT + 5 * 8 + 5), 0x89, "old TSS no longer busy");
	cr_assert_eq(tm_peek8(m, PU_GDT + 7 * 8 + 5), 0x8B, "new TSS busy");
	cr_assert_eq(c->tr.sel, TSS2_SEL);
	cr_assert_eq(c->eip, 0x5555);
	cr_assert_eq(c->r[R_EAX].d, 0xA0);
	cr_assert_eq(c->r[R_ESP].d, 0x6000);
	cr_assert_eq(cpu_get_eflags(c), 0x2 | F_CF, "JMP leaves NT clear");
	cr_assert(c->cr0 & CR0_TS);
	cr_assert_eq(tm_peek16(m, PU_TSS2), 0, "no back link");
	tm_free(m);
}

Test(task, call_through_gate_nests_and_iret_returns)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_ring3(c, 0x9000);
	pu_seg(c, S_FS, PU_DS3);
	pu_seg(c, S_GS, PU_DS3);
	PU_TRY(c, cpu_far_call(c, GATE_SEL | 3, 0, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(tm_peek16(m, PU_TSS2), PU_TSS_SEL, "back link");
	cr_assert(cpu_get_eflags(c) & F_NT);
	cr_assert_eq(tm_peek8(m, PU_GDT + 5 * 8 + 5), 0x8B, "caller stays busy");
	/* IRET in the called task goes back */
	c->next_eip = 0x5557;
	c->r[R_EBX].d = 0xBB;
	PU_TRY(c, cpu_iret(c, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->tr.sel, PU_TSS_SEL);
	cr_assert_eq(c->eip, 0x1007);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->r[R_EAX].d, 0x11111111);
	cr_assert_eq(c->r[R_ESP].d, 0x9000);
	cr_assert_eq(tm_peek8(m, PU_GDT + 7 * 8 + 5), 0x89, "returning task freed");
	cr_assert_eq(tm_peek32(m, PU_TSS2 + 0x20), 0x5557);
	cr_assert_eq(tm_peek32(m, PU_TSS2 + 0x34), 0xBB, "EBX saved");
	cr_assert_eq(tm_peek32(m, PU_TSS2 + 0x24) & F_NT, 0, "NT cleared in the saved image");
	tm_free(m);
}

Test(task, busy_tss_and_short_limit)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	PU_TRY(c, cpu_far_jmp(c, PU_TSS_SEL, 0, true));
	cr_assert_eq(c->exc_vector, EXC_GP, "JMP to the busy current TSS");
	cr_assert_eq(c->exc_error, PU_TSS_SEL);
	pu_desc(m, PU_GDT, 7, PU_TSS2, 0x66, 0x89, 0);
	PU_TRY(c, cpu_far_jmp(c, TSS2_SEL, 0, true));
	cr_assert_eq(c->exc_vector, EXC_TS, "32-bit TSS limit below 0x67");
	cr_assert_eq(c->exc_error, TSS2_SEL);
	cr_assert_eq(c->tr.sel, PU_TSS_SEL);
	cr_assert_eq(c->r[R_EAX].d, 0x11111111);
	tm_free(m);
}

Test(task, tss_privilege_check)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_ring3(c, 0x9000);
	PU_TRY(c, cpu_far_jmp(c, TSS2_SEL | 3, 0, true));
	cr_assert_eq(c->exc_vector, EXC_GP, "TSS DPL 0 < CPL 3");
	cr_assert_eq(c->exc_error, TSS2_SEL);
	tm_free(m);
}

Test(task, idt_task_gate_pushes_error_code_on_new_stack)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_IDT, EXC_GP, TSS2_SEL, 0, 0x85, 0);
	PU_TRY(c, cpu_interrupt(c, EXC_GP, INT_EXCEPTION, 0x50, 0x1000));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->tr.sel, TSS2_SEL);
	cr_assert_eq(tm_peek32(m, PU_TSS + 0x20), 0x1000, "faulting EIP saved");
	cr_assert_eq(c->r[R_ESP].d, 0x6000 - 4);
	cr_assert_eq(tm_peek32(m, 0x6000 - 4), 0x50);
	cr_assert(cpu_get_eflags(c) & F_NT);
	tm_free(m);
}

Test(task, bad_code_segment_faults_in_new_task)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_poke32(m, PU_TSS2 + 0x4C, PU_DS0);
	PU_TRY(c, cpu_far_jmp(c, TSS2_SEL, 0, true));
	cr_assert_eq(c->exc_vector, EXC_TS);
	cr_assert_eq(c->exc_error, PU_DS0);
	cr_assert_eq(c->tr.sel, TSS2_SEL, "the switch has committed");
	cr_assert_eq(c->eip, 0x5555);
	tm_free(m);
}

Test(task, sixteen_bit_tss)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, PU_TSS2, 0x2B, 0x81, 0);
	pu_poke16(m, PU_TSS2 + 0x0E, 0x0777);
	pu_poke16(m, PU_TSS2 + 0x10, 0x2 | F_ZF);
	pu_poke16(m, PU_TSS2 + 0x12, 0x1234); /* AX */
	pu_poke16(m, PU_TSS2 + 0x1A, 0x5000); /* SP */
	pu_poke16(m, PU_TSS2 + 0x22, PU_DS0);
	pu_poke16(m, PU_TSS2 + 0x24, PU_CS0);
	pu_poke16(m, PU_TSS2 + 0x26, PU_DS0);
	pu_poke16(m, PU_TSS2 + 0x28, PU_DS0);
	pu_poke16(m, PU_TSS2 + 0x2A, 0);
	PU_TRY(c, cpu_far_call(c, TSS2_SEL, 0, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->eip, 0x777);
	cr_assert_eq(c->r[R_EAX].w, 0x1234);
	cr_assert_eq(c->r[R_ESP].w, 0x5000);
	cr_assert_eq(cpu_get_eflags(c) & (F_ZF | F_NT), F_ZF | F_NT);
	cr_assert_eq(tm_peek16(m, PU_TSS2), PU_TSS_SEL);
	tm_free(m);
}
