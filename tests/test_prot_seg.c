/* Protected-mode segment register loads (SDM vol. 2 MOV/POP Sreg
 * pseudo-code; vol. 3, 5.10) and the descriptor instructions LAR, LSL,
 * VERR, VERW, ARPL, SLDT, STR, LLDT, LTR. */
#include <criterion/criterion.h>

#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "tests/prot_util.h"

#define SEL(index, rpl) ((uint16_t)((index) << 3 | (rpl)))

Test(prot_seg, data_load_fills_cache_and_sets_accessed)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0x123456, 0x1FFF, PU_DATA, 0x4);
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(7, 0)));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->seg[S_DS].sel, SEL(7, 0));
	cr_assert_eq(c->seg[S_DS].base, 0x123456);
	cr_assert_eq(c->seg[S_DS].limit, 0x1FFF);
	cr_assert_eq(tm_peek8(m, PU_GDT + 7 * 8 + 5), 0x93, "accessed bit set in the GDT");
	tm_free(m);
}

/* The fast path checks an access against bounds precomputed from the
 * cache (seg_update_chk): each load must refresh them, in both directions. */
Test(prot_seg, access_bounds_follow_each_load)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFFF, PU_DATA, PU_G32);   /* flat, writable */
	pu_desc(m, PU_GDT, 8, 0, 0xFFFFF, 0x90, PU_G32);      /* flat, read-only */
	pu_desc(m, PU_GDT, 9, 0x100000, 0xFFF, PU_DATA, 0x4); /* 4 KiB, writable */
	pu_desc(m, PU_GDT, 10, 0, 0x1FFF, 0x96, 0x4);          /* expand-down */
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(7, 0)));
	PU_TRY(c, cpu_wr32(c, S_DS, 0x2000, 1));
	cr_assert_eq(c->exc_vector, -1);
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(8, 0)));
	cr_assert_eq(c->exc_vector, -1);
	PU_TRY(c, cpu_rd32(c, S_DS, 0x2000));
	cr_assert_eq(c->exc_vector, -1, "read-only data reads");
	PU_TRY(c, cpu_wr32(c, S_DS, 0x2000, 2));
	cr_assert_eq(c->exc_vector, EXC_GP, "write after a writable segment was replaced");
	cr_assert_eq(tm_peek32(m, 0x2000), 1);
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(7, 0)));
	PU_TRY(c, cpu_wr32(c, S_DS, 0x2000, 3));
	cr_assert_eq(c->exc_vector, -1, "writable again");
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(9, 0)));
	PU_TRY(c, cpu_rd32(c, S_DS, 0xFFC));
	cr_assert_eq(c->exc_vector, -1);
	PU_TRY(c, cpu_rd32(c, S_DS, 0xFFD));
	cr_assert_eq(c->exc_vector, EXC_GP, "last byte beyond the new limit");
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(10, 0)));
	PU_TRY(c, cpu_wr8(c, S_DS, 0x1000, 4));
	cr_assert_eq(c->exc_vector, EXC_GP, "expand-down: offsets up to the limit fault");
	PU_TRY(c, cpu_wr8(c, S_DS, 0x2000, 4));
	cr_assert_eq(c->exc_vector, -1, "expand-down: above the limit is valid");
	PU_TRY(c, cpu_load_seg(c, S_DS, 0));
	PU_TRY(c, cpu_rd8(c, S_DS, 0));
	cr_assert_eq(c->exc_vector, EXC_GP, "null selector");
	/* Back to real mode: the rights bits no longer apply, the limit does. */
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(8, 0)));
	c->cr0 &= ~CR0_PE;
	cpu_refresh_segs(c);
	PU_TRY(c, cpu_wr32(c, S_DS, 0x2000, 5));
	cr_assert_eq(c->exc_vector, -1, "real mode ignores the read-only type");
	cr_assert_eq(tm_peek32(m, 0x2000), 5);
	tm_free(m);
}

Test(prot_seg, granular_limit_is_scaled)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0x3, PU_DATA, 0x8);
	PU_TRY(c, cpu_load_seg(c, S_ES, SEL(7, 0)));
	cr_assert_eq(c->seg[S_ES].limit, 0x3FFF);
	tm_free(m);
}

Test(prot_seg, null_selector_loads_and_faults_on_use)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	PU_TRY(c, cpu_load_seg(c, S_DS, 3));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->seg[S_DS].sel, 3);
	PU_TRY(c, cpu_rd8(c, S_DS, 0));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 0);
	tm_free(m);
}

Test(prot_seg, selector_beyond_gdt_limit_is_gp_with_selector)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	c->gdtr.limit = 0x3F;
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(8, 3)));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, SEL(8, 0), "RPL bits cleared in the error code");
	cr_assert_eq(c->seg[S_DS].sel, PU_DS0, "DS unchanged");
	tm_free(m);
}

Test(prot_seg, execute_only_code_into_ds_is_gp)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFF, 0x98, 0);
	pu_desc(m, PU_GDT, 8, 0, 0xFFFF, 0x9A, 0);
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(7, 0)));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, SEL(7, 0));
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(8, 0)));
	cr_assert_eq(c->exc_vector, -1, "readable code may be loaded into DS");
	tm_free(m);
}

Test(prot_seg, system_descriptor_into_ds_is_gp)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	PU_TRY(c, cpu_load_seg(c, S_DS, PU_LDT_SEL));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, PU_LDT_SEL);
	tm_free(m);
}

Test(prot_seg, privilege_rules_for_data)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFF, 0xB2, 0); /* DPL 1 data */
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(7, 2)));
	cr_assert_eq(c->exc_vector, EXC_GP, "RPL 2 > DPL 1");
	cr_assert_eq(c->exc_error, SEL(7, 0));
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(7, 1)));
	cr_assert_eq(c->exc_vector, -1);
	pu_ring3(c, 0x8000);
	PU_TRY(c, cpu_load_seg(c, S_ES, SEL(7, 1)));
	cr_assert_eq(c->exc_vector, EXC_GP, "CPL 3 > DPL 1");
	cr_assert_eq(c->exc_error, SEL(7, 0));
	tm_free(m);
}

Test(prot_seg, conforming_code_skips_privilege_check)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFF, 0x9E, 0); /* DPL 0 conforming readable */
	pu_ring3(c, 0x8000);
	PU_TRY(c, cpu_load_seg(c, S_DS, SEL(7, 3)));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->seg[S_DS].sel, SEL(7, 3));
	tm_free(m);
}

Test(prot_seg, not_present_data_is_np)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFF, 0x12, 0);
	PU_TRY(c, cpu_load_seg(c, S_FS, SEL(7, 0)));
	cr_assert_eq(c->exc_vector, EXC_NP);
	cr_assert_eq(c->exc_error, SEL(7, 0));
	tm_free(m);
}

Test(prot_seg, stack_segment_rules)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFF, 0x90, 0); /* read-only data */
	pu_desc(m, PU_GDT, 8, 0, 0xFFFF, 0x12, 0); /* not present */
	PU_TRY(c, cpu_load_seg(c, S_SS, 0));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 0);
	PU_TRY(c, cpu_load_seg(c, S_SS, PU_DS3));
	cr_assert_eq(c->exc_vector, EXC_GP, "RPL != CPL");
	cr_assert_eq(c->exc_error, PU_DS3 & ~3);
	PU_TRY(c, cpu_load_seg(c, S_SS, SEL(7, 0)));
	cr_assert_eq(c->exc_vector, EXC_GP, "not writable");
	cr_assert_eq(c->exc_error, SEL(7, 0));
	PU_TRY(c, cpu_load_seg(c, S_SS, SEL(8, 0)));
	cr_assert_eq(c->exc_vector, EXC_SS);
	cr_assert_eq(c->exc_error, SEL(8, 0));
	tm_free(m);
}

Test(prot_seg, lldt_then_ldt_selector_loads)
{
	/* lldt ax; hlt */
	struct machine *m = pu_new("0f00d0 f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_LDT, 1, 0xABC000, 0xFFF, PU_DATA, 0);
	PU_TRY(c, cpu_load_seg(c, S_DS, 0x0C));
	cr_assert_eq(c->exc_vector, EXC_GP, "no LDT loaded yet");
	cr_assert_eq(c->exc_error, 0x0C);
	c->r[R_EAX].d = PU_LDT_SEL;
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(c->eip, TM_CODE + 4);
	cr_assert_eq(c->ldtr.sel, PU_LDT_SEL);
	cr_assert_eq(c->ldtr.base, PU_LDT);
	PU_TRY(c, cpu_load_seg(c, S_DS, 0x0C));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->seg[S_DS].base, 0xABC000);
	tm_free(m);
}

Test(prot_seg, lldt_of_a_data_descriptor_is_gp)
{
	struct machine *m = pu_new("0f00d0 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = PU_DS0;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_GP + 1);
	cr_assert_eq(tm_peek32(m, 0x8000 - 16), PU_DS0, "error code");
	cr_assert_eq(tm_peek32(m, 0x8000 - 12), TM_CODE, "faulting EIP");
	tm_free(m);
}

Test(prot_seg, ltr_marks_tss_busy_and_str_reads_it)
{
	/* ltr ax; str ebx; hlt */
	struct machine *m = pu_new("0f00d8 0f00cb f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, PU_TSS2, 0x67, 0x89, 0);
	c->r[R_EAX].d = 0x38;
	c->r[R_EBX].d = 0xFFFFFFFF;
	tm_run(m);
	cr_assert_eq(c->eip, TM_CODE + 7);
	cr_assert_eq(c->tr.sel, 0x38);
	cr_assert_eq(c->tr.base, PU_TSS2);
	cr_assert_eq(tm_peek8(m, PU_GDT + 7 * 8 + 5), 0x8B, "busy bit set");
	cr_assert_eq(c->r[R_EBX].d, 0x38, "STR r32 zero-extends");
	tm_free(m);
}

Test(prot_seg, ltr_of_busy_tss_is_gp)
{
	struct machine *m = pu_new("0f00d8 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = PU_TSS_SEL;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_GP + 1);
	cr_assert_eq(tm_peek32(m, 0x8000 - 16), PU_TSS_SEL);
	tm_free(m);
}

Test(prot_seg, lldt_at_ring3_is_gp0)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_ring3(c, 0x8000);
	pu_tss_stack(m, PU_TSS, 0, PU_DS0, 0x7000);
	tm_poke(m, TM_CODE, "0f00d0");
	c->r[R_EAX].d = PU_LDT_SEL;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_GP + 1);
	cr_assert_eq(c->ldtr.sel, 0, "LDTR unchanged");
	/* ring 3 -> 0: the frame is on the TSS ring-0 stack */
	cr_assert_eq(tm_peek32(m, 0x7000 - 4), PU_DS3, "old SS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 8), 0x8000, "old ESP");
	cr_assert_eq(tm_peek32(m, 0x7000 - 16), PU_CS3, "old CS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 20), TM_CODE, "faulting EIP");
	cr_assert_eq(tm_peek32(m, 0x7000 - 24), 0, "error code");
	cr_assert_eq(c->r[R_ESP].d, 0x7000 - 24);
	tm_free(m);
}

Test(prot_seg, lar_lsl_read_rights_and_limit)
{
	/* lar eax, bx; lsl ecx, bx; hlt */
	struct machine *m = pu_new("0f02c3 0f03cb f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = PU_DS0;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x00CF9200);
	cr_assert_eq(c->r[R_ECX].d, 0xFFFFFFFF);
	cr_assert(cpu_get_eflags(c) & F_ZF);
	tm_free(m);
}

Test(prot_seg, lar_rejects_gates_and_invisible_descriptors)
{
	/* lar eax, bx; hlt */
	struct machine *m = pu_new("0f02c3 f4");
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_GDT, 7, PU_CS0, 0, 0x8E, 0);
	c->r[R_EBX].d = 0x38;
	c->r[R_EAX].d = 0x1234;
	c->eflags |= F_ZF;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x1234, "destination unchanged");
	cr_assert_eq(cpu_get_eflags(c) & F_ZF, 0);
	tm_free(m);
}

Test(prot_seg, lar_at_ring3_sees_only_dpl3_and_conforming)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	/* verr bx (ring-0 data: not visible); lar eax, si (conforming: visible);
	 * HLT is privileged at ring 3, so end with ud2 */
	tm_poke(m, TM_CODE, "0f00e3 0f02c6 0f0b");
	pu_desc(m, PU_GDT, 7, 0, 0xFFFF, 0x9E, 0);
	pu_tss_stack(m, PU_TSS, 0, PU_DS0, 0x7000);
	pu_ring3(c, 0x9000);
	c->r[R_EBX].d = PU_DS0;
	c->r[R_ESI].d = 0x3B;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_UD + 1);
	cr_assert_eq(c->r[R_EAX].d, 0x00009E00);
	tm_free(m);
}

Test(prot_seg, verr_verw)
{
	/* verw bx; setz-free check: run to hlt each time */
	struct machine *m = pu_new("0f00eb f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, 0xFFFF, 0x90, 0); /* read-only data */
	c->r[R_EBX].d = 0x38;
	c->eflags |= F_ZF;
	tm_run(m);
	cr_assert_eq(cpu_get_eflags(c) & F_ZF, 0, "VERW of read-only data");
	tm_poke(m, TM_CODE, "0f00e3 f4");
	c->eip = TM_CODE;
	c->halted = false;
	cpu_invalidate_code(c, TM_CODE, 4);
	tm_run(m);
	cr_assert(cpu_get_eflags(c) & F_ZF, "VERR of readable data");
	tm_free(m);
}

Test(prot_seg, arpl_raises_rpl)
{
	/* arpl ax, bx; hlt */
	struct machine *m = pu_new("63d8 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0xAAAA0010;
	c->r[R_EBX].d = 0x0003;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xAAAA0013);
	cr_assert(cpu_get_eflags(c) & F_ZF);
	tm_free(m);
}

Test(prot_seg, descriptor_instructions_are_ud_in_real_mode)
{
	struct machine *m = tm_new("0f00c0");
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, TM_HANDLERS + EXC_UD + 1);
	tm_free(m);
	m = tm_new("63d8");
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, TM_HANDLERS + EXC_UD + 1);
	tm_free(m);
}
