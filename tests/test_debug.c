/* Single step and debug-register breakpoints (SDM vol. 3, 17.2-17.3). */
#include <criterion/criterion.h>

#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "tests/prot_util.h"

Test(debug, tf_traps_after_one_instruction)
{
	struct machine *m = tm_new("90 90 f4");
	struct cpu *c = tm_cpu(m);
	c->eflags |= F_TF;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DB + 1);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 1, "return IP: the second NOP");
	cr_assert(tm_peek16(m, 0x8000 - 2) & F_TF, "TF in the pushed FLAGS");
	cr_assert_eq(c->eflags & F_TF, 0);
	cr_assert_eq(c->dr[6], 0xFFFF0FF0u | DR6_BS);
	tm_free(m);
}

Test(debug, instruction_breakpoint_faults_before_execution)
{
	struct machine *m = tm_new("90 90 f4");
	struct cpu *c = tm_cpu(m);
	c->dr[1] = TM_CODE + 1;
	c->dr[7] = 0x400 | 0x4; /* L1, execute */
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DB + 1);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 1, "faulting IP: the breakpoint");
	cr_assert_eq(c->dr[6] & 0x400F, 0x2, "B1 only");
	tm_free(m);
}

Test(debug, breakpoint_armed_by_mov_dr7_hits_the_next_instruction)
{
	/* mov eax, 0x10012; mov dr0, eax; mov eax, 0x401; mov dr7, eax; nop; hlt:
	 * the breakpoint is on the NOP right after MOV DR7, in the same decoded
	 * block. */
	struct machine *m = tm_new("66b812000100 0f23c0 66b801040000 0f23f8 90 f4");
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DB + 1);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 18, "faulting IP: the NOP");
	cr_assert_eq(c->dr[6] & 0x400F, 0x1, "B0");
	tm_free(m);
}

Test(debug, rf_suppresses_one_instruction_breakpoint)
{
	struct machine *m = tm_new("90 90 f4");
	struct cpu *c = tm_cpu(m);
	c->dr[0] = TM_CODE;
	c->dr[7] = 0x401;
	c->eflags |= F_RF;
	tm_run(m);
	cr_assert_eq(c->eip, 3, "ran to the HLT");
	cr_assert_eq(c->eflags & F_RF, 0, "RF cleared after the instruction started");
	cr_assert_eq(c->dr[6] & 0xF, 0);
	tm_free(m);
}

Test(debug, disabled_breakpoint_does_nothing)
{
	struct machine *m = tm_new("90 90 f4");
	struct cpu *c = tm_cpu(m);
	c->dr[0] = TM_CODE + 1;
	c->dr[7] = 0x400 | 0x30000; /* RW set but L0/G0 clear */
	tm_run(m);
	cr_assert_eq(c->eip, 3);
	tm_free(m);
}

/* str [0x2000]; hlt (32-bit protected mode) */
#define STR_MEM "0f000d00200000 f4"

Test(debug, data_write_breakpoint_traps_after_the_access)
{
	struct machine *m = pu_new(STR_MEM);
	struct cpu *c = tm_cpu(m);
	c->dr[2] = 0x2001;
	c->dr[7] = 0x400 | 0x10 | (0x1u << 24) | (0x1u << 26); /* L2, write, 2 bytes */
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DB + 1);
	cr_assert_eq(tm_peek16(m, 0x2000), PU_TSS_SEL, "the write happened");
	cr_assert_eq(tm_peek32(m, 0x8000 - 12), TM_CODE + 7, "trap: next instruction");
	cr_assert_eq(c->dr[6] & 0x400F, 0x4, "B2");
	tm_free(m);
}

Test(debug, write_breakpoint_ignores_reads)
{
	/* verr [0x2000]; hlt */
	struct machine *m = pu_new("0f002500200000 f4");
	struct cpu *c = tm_cpu(m);
	c->dr[0] = 0x2000;
	c->dr[7] = 0x401 | (0x1u << 16);
	tm_run(m);
	cr_assert_eq(c->eip, TM_CODE + 8, "no #DB: ran to the HLT");
	c->dr[7] = 0x401 | (0x3u << 16); /* read/write */
	c->eip = TM_CODE;
	c->halted = false;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DB + 1);
	cr_assert_eq(c->dr[6] & 0xF, 0x1);
	tm_free(m);
}

Test(debug, single_step_and_data_hit_share_one_db)
{
	struct machine *m = pu_new(STR_MEM);
	struct cpu *c = tm_cpu(m);
	c->dr[3] = 0x2000;
	c->dr[7] = 0x400 | 0x40 | (0x1u << 28);
	c->eflags |= F_TF;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DB + 1);
	cr_assert_eq(c->dr[6] & 0x400F, DR6_BS | 0x8);
	cr_assert_eq(tm_peek32(m, 0x8000 - 12), TM_CODE + 7);
	tm_free(m);
}

/* Disarming a data breakpoint (DR7 cleared, no other debug state) must
 * still reach the refresh that lets the watched page back on the TLB's
 * fast path: the attention pass skips it only when DR0-DR3 and DR7 are
 * as last seen. */
Test(debug, disarming_a_data_breakpoint_unwatches_the_page)
{
	/* mov word [2000h], 1234h; hlt */
	struct machine *m = tm_new("c7 06 00 20 34 12 f4");
	struct cpu *c = tm_cpu(m);
	c->dr[0] = 0x2000;
	c->dr[7] = 0x401 | (0x1u << 16) | (0x1u << 18); /* L0, write, 2 bytes */
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_DB + 1, "armed: #DB");
	cr_assert(c->dbg.data);
	c->dr[7] = 0x400;
	cpu_load_seg(c, S_CS, 0x1000);
	c->eip = 0;
	c->halted = false;
	tm_run(m);
	cr_assert_eq(c->eip, 7, "disarmed: ran to the HLT");
	cr_assert_not(c->dbg.data, "no page watched any more");
	tm_free(m);
}
