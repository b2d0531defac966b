/* Machine core: the run loop, HLT, the debug exit port, instruction
 * budgets, two machines side by side. */
#include <criterion/criterion.h>

#include "tests/tm.h"

Test(core, hlt_with_interrupts_off_stops_the_machine)
{
	struct machine *m = tm_new("90 90 f4");
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(tm_cpu(m)->eip, 3);
	cr_assert_eq(tm_cpu(m)->icount, 3);
	tm_free(m);
}

Test(core, undefined_opcode_goes_through_ivt_vector_6)
{
	struct machine *m = tm_new("90 0f 0b");
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->seg[S_CS].sel, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_UD + 1);
	/* The frame holds the faulting instruction's address: 1000:0001. */
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 1);
	cr_assert_eq(tm_peek16(m, 0x8000 - 4), 0x1000);
	tm_free(m);
}

Test(core, instruction_budget_stops_a_runaway)
{
	struct machine *m = tm_new("90 90 90 90");
	cr_assert_eq(machine_run(m, 2), MACHINE_INSN_LIMIT);
	cr_assert_eq(tm_cpu(m)->icount, 2);
	tm_free(m);
}

Test(core, too_long_instruction_raises_gp)
{
	/* 15 prefixes then NOP: 16 bytes. */
	struct machine *m = tm_new("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90");
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(tm_cpu(m)->eip, TM_HANDLERS + EXC_GP + 1);
	tm_free(m);
}

Test(core, two_machines_side_by_side_are_independent)
{
	struct machine *a = tm_new("90 90 f4");
	struct machine *b = tm_new("90 f4");
	cr_assert_eq(tm_run(a), MACHINE_HALTED);
	cr_assert_eq(tm_run(b), MACHINE_HALTED);
	cr_assert_eq(tm_cpu(a)->eip, 3);
	cr_assert_eq(tm_cpu(b)->eip, 2);
	tm_free(a);
	tm_free(b);
}
