/*
 * Hardware task switching (Intel SDM vol. 3, 7.3 "Task Switching" and
 * table 7-1 "Exception Conditions Checked During a Task Switch"; vol. 2 JMP,
 * CALL, IRET and INT pseudo-code for the task paths): 16- and 32-bit TSSs,
 * busy bits, NT and the back link, CR3 and LDTR loads, segment loads with
 * #TS/#NP/#SS raised in the context of the new task, virtual-8086 tasks.
 * Everything read from the new TSS and every write to the old one happens
 * before any register changes (the commit point of step 12 in 7.3).
 * Deviations: the TSS T bit (debug trap on switch) is not modelled; loading
 * a 16-bit TSS leaves the upper halves of the general registers unchanged.
 */
#include "cpu/task.h"

#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "cpu/seg.h"

struct tss_state {
	uint32_t cr3, eip, eflags, r[8];
	uint16_t seg[6], ldt;
};

static bool tss32(unsigned type) { return (type & 8) != 0; }

static void read_tss(struct cpu *c, laddr_t b, bool t32, struct tss_state *t)
{
	if (t32) {
		t->cr3 = lin_rd32_acc(c, b + 0x1C, ACC_SYS);
		t->eip = lin_rd32_acc(c, b + 0x20, ACC_SYS);
		t->eflags = lin_rd32_acc(c, b + 0x24, ACC_SYS);
		for (unsigned n = 0; n < 8; n++)
			t->r[n] = lin_rd32_acc(c, b + 0x28 + 4 * n, ACC_SYS);
		for (unsigned s = 0; s < 6; s++)
			t->seg[s] = lin_rd16_acc(c, b + 0x48 + 4 * s, ACC_SYS);
		t->ldt = lin_rd16_acc(c, b + 0x60, ACC_SYS);
		return;
	}
	t->eip = lin_rd16_acc(c, b + 0x0E, ACC_SYS);
	t->eflags = lin_rd16_acc(c, b + 0x10, ACC_SYS);
	for (unsigned n = 0; n < 8; n++)
		t->r[n] = (c->r[n].d & 0xFFFF0000u) | lin_rd16_acc(c, b + 0x12 + 2 * n, ACC_SYS);
	for (unsigned s = 0; s < 4; s++)
		t->seg[s] = lin_rd16_acc(c, b + 0x22 + 2 * s, ACC_SYS);
	t->seg[S_FS] = t->seg[S_GS] = 0;
	t->ldt = lin_rd16_acc(c, b + 0x2A, ACC_SYS);
}

/* Save the dynamic fields of the outgoing task. */
static void save_tss(struct cpu *c, uint32_t eip, uint32_t eflags)
{
	laddr_t b = c->tr.base;
	unsigned w = ACC_SYS | ACC_WRITE;
	if (tss32(AR_TYPE(c->tr.ar))) {
		mmu_probe_write(c, b + 0x20, 0x60 - 0x20);
		lin_wr32_acc(c, b + 0x20, eip, w);
		lin_wr32_acc(c, b + 0x24, eflags, w);
		for (unsigned n = 0; n < 8; n++)
			lin_wr32_acc(c, b + 0x28 + 4 * n, c->r[n].d, w);
		for (unsigned s = 0; s < 6; s++)
			lin_wr16_acc(c, b + 0x48 + 4 * s, c->seg[s].sel, w);
		return;
	}
	mmu_probe_write(c, b + 0x0E, 0x2A - 0x0E);
	lin_wr16_acc(c, b + 0x0E, (uint16_t)eip, w);
	lin_wr16_acc(c, b + 0x10, (uint16_t)eflags, w);
	for (unsigned n = 0; n < 8; n++)
		lin_wr16_acc(c, b + 0x12 + 2 * n, c->r[n].w, w);
	for (unsigned s = 0; s < 4; s++)
		lin_wr16_acc(c, b + 0x22 + 2 * s, c->seg[s].sel, w);
}

static void load_ldt(struct cpu *c, uint16_t sel, bool ext)
{
	struct desc d;
	if (sel_null(sel)) {
		c->ldtr = (struct seg){ .sel = sel };
		return;
	}
	if ((sel & 4) || !desc_fetch(c, sel, &d) || desc_s(&d) || desc_type(&d) != DT_LDT ||
	    !desc_present(&d))
		cpu_raise(c, EXC_TS, sel_err(sel, ext));
	desc_to_seg(&d, sel, &c->ldtr);
}

static void load_cs(struct cpu *c, uint16_t sel, bool ext)
{
	struct desc d;
	int32_t err = sel_err(sel, ext);
	if (sel_null(sel) || !desc_fetch(c, sel, &d) || !desc_code(&d))
		cpu_raise(c, EXC_TS, err);
	unsigned dpl = desc_dpl(&d), rpl = sel & 3u;
	if (desc_conforming(&d) ? dpl > rpl : dpl != rpl)
		cpu_raise(c, EXC_TS, err);
	if (!desc_present(&d))
		cpu_raise(c, EXC_NP, err);
	desc_set_accessed(c, sel, &d);
	prot_load_cs(c, sel, &d, rpl);
}

/* Step 12 of SDM 7.3 after the commit point: descriptors of the new task;
 * faults here are delivered in the new task's context. */
static void load_segments(struct cpu *c, const struct tss_state *t, bool ext)
{
	for (unsigned s = 0; s < 6; s++)
		c->seg[s] = (struct seg){ .sel = t->seg[s] };
	load_ldt(c, t->ldt, ext);
	if (cpu_v86_mode(c)) {
		for (unsigned s = 0; s < 6; s++)
			seg_load_real(c, s, t->seg[s]);
		cpu_set_cpl(c, 3);
		return;
	}
	cpu_set_cpl(c, t->seg[S_CS] & 3u);
	cpu_refresh_segs(c);
	load_cs(c, t->seg[S_CS], ext);
	prot_seg_load(c, S_SS, t->seg[S_SS], c->cpl, EXC_TS, ext);
	static const uint8_t data[] = { S_DS, S_ES, S_FS, S_GS };
	for (unsigned k = 0; k < sizeof(data); k++)
		prot_seg_load(c, data[k], t->seg[data[k]], c->cpl, EXC_TS, ext);
}

void task_switch(struct cpu *c, uint16_t sel, struct desc *d, enum task_reason why,
		 uint32_t save_eip, bool ext)
{
	bool t32 = tss32(desc_type(d));
	struct seg nt;
	struct tss_state t = { .cr3 = c->cr3 };
	if (!desc_present(d))
		cpu_raise(c, EXC_NP, sel_err(sel, ext));
	desc_to_seg(d, sel, &nt);
	if (nt.limit < (t32 ? 0x67u : 0x2Bu))
		cpu_raise(c, EXC_TS, sel_err(sel, ext));
	read_tss(c, nt.base, t32, &t);
	uint32_t old_flags = cpu_get_eflags(c);
	if (why == TASK_IRET)
		old_flags &= ~F_NT;
	save_tss(c, save_eip, old_flags);
	if ((why == TASK_JMP || why == TASK_IRET) && !sel_null(c->tr.sel))
		desc_set_busy(c, c->tr.sel, false);
	if (why == TASK_CALL || why == TASK_INT) {
		lin_wr16_acc(c, nt.base, c->tr.sel, ACC_SYS | ACC_WRITE);
		t.eflags |= F_NT;
	}
	if (why != TASK_IRET)
		desc_set_busy(c, sel, true);
	c->tr = nt;
	c->tr.ar |= 2; /* busy */
	c->cr0 |= CR0_TS;
	if (t32) {
		if ((c->cr0 & CR0_PG) && t.cr3 != c->cr3)
			cpu_flush_tlb(c, true);
		c->cr3 = t.cr3;
	}
	for (unsigned n = 0; n < 8; n++)
		c->r[n].d = t.r[n];
	cpu_set_eflags(c, t.eflags, t32 ? 0xFFFFFFFFu : 0xFFFFu);
	c->eip = c->next_eip = t32 ? t.eip : t.eip & 0xFFFF;
	load_segments(c, &t, ext);
}

void task_far(struct cpu *c, uint16_t sel, struct desc *d, enum task_reason why)
{
	if (desc_dpl(d) < c->cpl || (sel & 3u) > desc_dpl(d))
		cpu_raise(c, EXC_GP, sel_err(sel, false));
	if (desc_type(d) == DT_TASK) {
		if (!desc_present(d))
			cpu_raise(c, EXC_NP, sel_err(sel, false));
		sel = gate_sel(d);
		if ((sel & 4) || !desc_fetch(c, sel, d))
			cpu_raise(c, EXC_GP, sel_err(sel, false));
		if (desc_s(d) || (desc_type(d) != DT_TSS16 && desc_type(d) != DT_TSS32))
			cpu_raise(c, EXC_GP, sel_err(sel, false));
	} else if (desc_type(d) == DT_TSS16_BUSY || desc_type(d) == DT_TSS32_BUSY) {
		cpu_raise(c, EXC_GP, sel_err(sel, false));
	}
	task_switch(c, sel, d, why, c->next_eip, false);
	if (c->eip > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, 0);
}
