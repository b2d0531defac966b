/* Protected-mode interrupt and exception delivery through the IDT and IRET
 * (SDM vol. 2 INT n and IRET pseudo-code; vol. 3, 6.12-6.13). */
#include <criterion/criterion.h>

#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "tests/prot_util.h"

#define SEL(index, rpl) ((uint16_t)((index) << 3 | (rpl)))

static struct machine *setup(void)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	c->eip = 0x1000;
	c->next_eip = 0x1002;
	pu_tss_stack(m, PU_TSS, 0, PU_DS0, 0x7000);
	return m;
}

Test(prot_int, interrupt_gate_same_level)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->eflags |= F_IF | F_TF | F_NT;
	PU_TRY(c, cpu_interrupt(c, 0x40, INT_SOFTWARE, EXC_NO_ERROR, 0x1002));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->eip, TM_HANDLERS + 0x40);
	cr_assert_eq(c->r[R_ESP].d, 0x8000 - 12);
	cr_assert_eq(tm_peek32(m, 0x8000 - 4), 0x4302, "EFLAGS image");
	cr_assert_eq(tm_peek32(m, 0x8000 - 8), PU_CS0);
	cr_assert_eq(tm_peek32(m, 0x8000 - 12), 0x1002);
	cr_assert_eq(c->eflags & (F_IF | F_TF | F_NT), 0);
	tm_free(m);
}

Test(prot_int, trap_gate_keeps_if)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_IDT, 0x41, PU_CS0, 0x600, 0x8F, 0);
	c->eflags |= F_IF;
	PU_TRY(c, cpu_interrupt(c, 0x41, INT_SOFTWARE, EXC_NO_ERROR, 0x1002));
	cr_assert_eq(c->eip, 0x600);
	cr_assert(c->eflags & F_IF);
	tm_free(m);
}

Test(prot_int, fault_with_error_code_sets_rf_in_image)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	PU_TRY(c, cpu_interrupt(c, EXC_GP, INT_EXCEPTION, 0x28, 0x1000));
	cr_assert_eq(c->r[R_ESP].d, 0x8000 - 16);
	cr_assert_eq(tm_peek32(m, 0x8000 - 4), 0x10002, "RF=1 for a fault");
	cr_assert_eq(tm_peek32(m, 0x8000 - 12), 0x1000);
	cr_assert_eq(tm_peek32(m, 0x8000 - 16), 0x28);
	cr_assert_eq(c->eflags & F_RF, 0);
	tm_free(m);
}

Test(prot_int, gate_dpl_checked_for_software_interrupts_only)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_ring3(c, 0x9000);
	PU_TRY(c, cpu_interrupt(c, 0x40, INT_SOFTWARE, EXC_NO_ERROR, 0x1002));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 0x40 * 8 + 2);
	cr_assert_eq(c->cpl, 3);
	PU_TRY(c, cpu_interrupt(c, 0x40, INT_HARDWARE, EXC_NO_ERROR, 0x1000));
	cr_assert_eq(c->exc_vector, -1, "hardware interrupts ignore the gate DPL");
	cr_assert_eq(c->cpl, 0);
	tm_free(m);
}

Test(prot_int, idt_limit_and_bad_gate_errors_carry_ext)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->idtr.limit = 0x7F; /* vectors 0-15 */
	PU_TRY(c, cpu_interrupt(c, 0x20, INT_HARDWARE, EXC_NO_ERROR, 0x1000));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 0x20 * 8 + 2 + 1, "IDT bit and EXT");
	PU_TRY(c, cpu_interrupt(c, 0x20, INT_SOFTWARE, EXC_NO_ERROR, 0x1000));
	cr_assert_eq(c->exc_error, 0x20 * 8 + 2, "INT n: EXT clear");
	pu_gate(m, PU_IDT, 5, PU_CS0, 0, 0x0E, 0); /* not present */
	PU_TRY(c, cpu_interrupt(c, 5, INT_EXCEPTION, EXC_NO_ERROR, 0x1000));
	cr_assert_eq(c->exc_vector, EXC_NP);
	cr_assert_eq(c->exc_error, 5 * 8 + 3);
	pu_desc(m, PU_IDT, 6, 0, 0xFFFF, PU_DATA, 0); /* not a gate */
	PU_TRY(c, cpu_interrupt(c, 6, INT_EXCEPTION, EXC_NO_ERROR, 0x1000));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 6 * 8 + 3);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	tm_free(m);
}

Test(prot_int, from_ring3_switches_to_tss_stack)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_ring3(c, 0x9000);
	c->eflags |= F_IF;
	PU_TRY(c, cpu_interrupt(c, EXC_PF, INT_EXCEPTION, 0x7, 0x1000));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(c->seg[S_SS].sel, PU_DS0);
	cr_assert_eq(c->r[R_ESP].d, 0x7000 - 24);
	cr_assert_eq(tm_peek32(m, 0x7000 - 4), PU_DS3);
	cr_assert_eq(tm_peek32(m, 0x7000 - 8), 0x9000);
	cr_assert_eq(tm_peek32(m, 0x7000 - 12), 0x10202);
	cr_assert_eq(tm_peek32(m, 0x7000 - 16), PU_CS3);
	cr_assert_eq(tm_peek32(m, 0x7000 - 20), 0x1000);
	cr_assert_eq(tm_peek32(m, 0x7000 - 24), 0x7);
	tm_free(m);
}

Test(prot_int, sixteen_bit_gate_pushes_words)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_IDT, 0x50, PU_CS0, 0x12345678, 0x86, 0);
	PU_TRY(c, cpu_interrupt(c, 0x50, INT_HARDWARE, EXC_NO_ERROR, 0x1000));
	cr_assert_eq(c->eip, 0x5678, "16-bit gate: 16-bit offset");
	cr_assert_eq(c->r[R_ESP].d, 0x8000 - 6);
	cr_assert_eq(tm_peek16(m, 0x8000 - 4), PU_CS0);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 0x1000);
	tm_free(m);
}

Test(prot_int, bad_inner_stack_is_ts_with_ext)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_tss_stack(m, PU_TSS, 0, PU_CS0, 0x7000);
	pu_ring3(c, 0x9000);
	PU_TRY(c, cpu_interrupt(c, 0x30, INT_HARDWARE, EXC_NO_ERROR, 0x1000));
	cr_assert_eq(c->exc_vector, EXC_TS);
	cr_assert_eq(c->exc_error, PU_CS0 | 1);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->r[R_ESP].d, 0x9000);
	tm_free(m);
}

Test(prot_int, undefined_opcode_through_the_run_loop)
{
	struct machine *m = pu_new("90 0f0b");
	struct cpu *c = tm_cpu(m);
	c->eip = TM_CODE;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_UD + 1);
	cr_assert_eq(tm_peek32(m, 0x8000 - 12), TM_CODE + 1, "EIP of the faulting UD2");
	cr_assert_eq(tm_peek32(m, 0x8000 - 8), PU_CS0);
	tm_free(m);
}

Test(prot_int, contributory_fault_during_delivery_is_double_fault)
{
	/* #GP's gate names a not-present code segment: #NP while delivering #GP */
	struct machine *m = pu_new("0f0b");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFFF, 0x1A, PU_G32);
	pu_gate(m, PU_IDT, EXC_UD, SEL(7, 0), 0, 0x8E, 0);
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_NP + 1, "#UD is benign: #NP delivered alone");
	cr_assert_eq(tm_peek32(m, 0x8000 - 16), SEL(7, 0) | 1, "EXT set");
	tm_free(m);
	m = pu_new("0f0b");
	c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFFF, 0x1A, PU_G32);
	pu_gate(m, PU_IDT, EXC_UD, SEL(7, 0), 0, 0x8E, 0);
	pu_gate(m, PU_IDT, EXC_NP, SEL(7, 0), 0, 0x8E, 0);
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DF + 1, "#NP while delivering #NP");
	cr_assert_eq(tm_peek32(m, 0x8000 - 16), 0, "#DF error code");
	tm_free(m);
}

Test(prot_int, iret_same_level)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->r[R_ESP].d = 0x7000;
	pu_poke16(m, 0x7000, 0x2222);
	pu_poke16(m, 0x7002, PU_CS0);
	pu_poke32(m, 0x7004, 0x3000 | F_IF | F_CF | F_VM);
	PU_TRY(c, cpu_iret(c, false));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->next_eip, 0x2222);
	cr_assert_eq(c->r[R_ESP].d, 0x7006);
	cr_assert_eq(cpu_get_eflags(c), 0x3000 | F_IF | F_CF | 2, "16-bit: low word, IOPL at CPL 0");
	tm_free(m);
}

Test(prot_int, iret_to_ring3_guards_iopl_and_if)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->r[R_ESP].d = 0x7000;
	pu_poke32(m, 0x7000, 0x2222);
	pu_poke32(m, 0x7004, PU_CS3);
	pu_poke32(m, 0x7008, F_IF | 0x3000);
	pu_poke32(m, 0x700C, 0x9000);
	pu_poke32(m, 0x7010, PU_DS3);
	PU_TRY(c, cpu_iret(c, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->r[R_ESP].d, 0x9000);
	cr_assert_eq(c->seg[S_SS].sel, PU_DS3);
	cr_assert_eq(c->seg[S_DS].sel, 0, "ring-0 data nulled");
	cr_assert_eq(cpu_get_eflags(c) & (F_IF | F_IOPL), F_IF | 0x3000, "CPL 0 may set IOPL");
	/* Back at ring 3, IOPL 0: IRET may change neither IF nor IOPL. */
	c->eflags = 0x2 | F_IF;
	c->r[R_ESP].d = 0x9000;
	pu_poke32(m, 0x9000, 0x3333);
	pu_poke32(m, 0x9004, PU_CS3);
	pu_poke32(m, 0x9008, 0x3000 | F_ZF);
	PU_TRY(c, cpu_iret(c, true));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(cpu_get_eflags(c), 0x2 | F_IF | F_ZF);
	tm_free(m);
}

Test(prot_int, iret_to_inner_level_is_gp)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_ring3(c, 0x9000);
	pu_poke32(m, 0x9000, 0x2222);
	pu_poke32(m, 0x9004, PU_CS0);
	pu_poke32(m, 0x9008, 0x2);
	PU_TRY(c, cpu_iret(c, true));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, PU_CS0);
	tm_free(m);
}
