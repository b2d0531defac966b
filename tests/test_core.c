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

/* A full PC whose guest runs the PIT (mode 2, count 1000), masks every IRQ
 * at the 8259A and halts with IF set: timers keep firing, nothing can wake
 * the CPU, and it retires nothing. The budget still ends the run, counted
 * as the virtual time that many instructions take. Before, machine_run
 * skipped from one PIT edge to the next forever. */
Test(core, budget_ends_a_halt_no_interrupt_can_wake, .timeout = 30)
{
	struct machine_config cfg = { .ram_size = 16u << 20 };
	struct machine *m = tm_new_cfg(&cfg, "b0 34 e6 43"   /* mov al, 34h; out 43h, al */
					     "b0 e8 e6 40"   /* mov al, 0E8h; out 40h, al */
					     "b0 03 e6 40"   /* mov al, 3; out 40h, al */
					     "b0 ff e6 21"   /* mov al, 0FFh; out 21h, al */
					     "e6 a1 fb f4"); /* out 0A1h, al; sti; hlt */
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(machine_run(m, 1000000), MACHINE_INSN_LIMIT);
	cr_assert_eq(c->icount, 11, "halted after the HLT");
	cr_assert(c->halted);
	vtime_t now = sched_now(machine_sched(m));
	cr_assert_eq(now, 1000000 * machine_config(m)->ns_per_insn,
		     "time stops where the budget's instructions would have: %llu",
		     (unsigned long long)now);
	/* A second slice goes on from there, as long as its instructions. */
	cr_assert_eq(machine_run(m, 2000000), MACHINE_INSN_LIMIT);
	cr_assert_eq(sched_now(machine_sched(m)) - now, (2000000 - 11) * machine_config(m)->ns_per_insn);
	tm_free(m);
}
