/*
 * IRET in protected and virtual-8086 mode (Intel SDM vol. 2, IRET/IRETD
 * pseudo-code; vol. 3, 7.3 for the NT = 1 task return, 20.2.7 and 20.3.3
 * for virtual-8086 mode): return to the same or an outer privilege level,
 * return from a nested task, return to virtual-8086 mode from CPL 0, and the
 * IOPL-sensitive IRET inside virtual-8086 mode.
 * Deviation: CR4.VME (virtual interrupt flags) is not modelled: IRET in
 * virtual-8086 mode with IOPL < 3 always raises #GP(0).
 */
#include "cpu/desc.h"
#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "cpu/task.h"

#define EFLAGS_DEFINED 0x3F7FD5u /* every architecturally defined bit */

/* Bits a protected-mode IRET may change, decided at the old CPL. */
static uint32_t iret_writable(const struct cpu *c, bool o32)
{
	unsigned iopl = (c->eflags & F_IOPL) >> 12;
	uint32_t w = F_ARITH | F_TF | F_DF | F_NT;
	if (o32)
		w |= F_RF | F_AC | F_ID;
	if (c->cpl <= iopl)
		w |= F_IF;
	if (c->cpl == 0) {
		w |= F_IOPL;
		if (o32)
			w |= F_VIF | F_VIP;
	}
	return w;
}

/* The NT = 1 return: back to the task named by the TSS back link. */
static void iret_task(struct cpu *c)
{
	struct desc d;
	uint16_t link = lin_rd16_acc(c, c->tr.base, ACC_SYS);
	if ((link & 4) || !desc_fetch(c, link, &d))
		cpu_raise(c, EXC_TS, sel_err(link, false));
	unsigned type = desc_s(&d) ? 0 : desc_type(&d);
	if (type != DT_TSS16_BUSY && type != DT_TSS32_BUSY)
		cpu_raise(c, EXC_TS, sel_err(link, false));
	if (!desc_present(&d))
		cpu_raise(c, EXC_NP, sel_err(link, false));
	task_switch(c, link, &d, TASK_IRET, c->next_eip, false);
	if (c->eip > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, 0);
}

/* RETURN-TO-VIRTUAL-8086-MODE: the rest of the 32-bit frame holds ESP, SS,
 * ES, DS, FS and GS. */
static void iret_to_v86(struct cpu *c, struct pstack *st, uint32_t eip, uint16_t cs,
			uint32_t flags)
{
	uint32_t v[6];
	pstack_avail(c, st, sizeof(v));
	for (unsigned k = 0; k < 6; k++)
		v[k] = pstack_pop(c, st, 4);
	if (eip > 0xFFFF)
		cpu_raise(c, EXC_GP, 0);
	cpu_set_eflags(c, flags, EFLAGS_DEFINED);
	static const uint8_t order[] = { S_SS, S_ES, S_DS, S_FS, S_GS };
	for (unsigned k = 0; k < 5; k++)
		seg_load_real(c, order[k], (uint16_t)v[k + 1]);
	seg_load_real(c, S_CS, cs);
	c->r[R_ESP].d = v[0];
	cpu_set_cpl(c, 3);
	c->next_eip = eip;
	cpu_kick(c);
}

static void iret_outer(struct cpu *c, struct pstack *st, uint16_t cs, struct desc *cd,
		       uint32_t eip, uint32_t flags, bool o32)
{
	unsigned size = o32 ? 4 : 2, rpl = cs & 3u;
	struct desc sd;
	uint32_t esp = pstack_pop(c, st, size);
	uint16_t ss = (uint16_t)pstack_pop(c, st, size);
	prot_check_ss(c, ss, &sd, rpl, EXC_GP, false);
	if (eip > desc_limit(cd))
		cpu_raise(c, EXC_GP, 0);
	desc_set_accessed(c, cs, cd);
	desc_set_accessed(c, ss, &sd);
	cpu_set_eflags(c, flags, iret_writable(c, o32));
	prot_load_cs(c, cs, cd, rpl);
	prot_load_ss(c, ss, &sd);
	uint32_t m = (sd.hi & 0x400000) ? 0xFFFFFFFFu : 0xFFFFu;
	c->r[R_ESP].d = (c->r[R_ESP].d & ~m) | (esp & m);
	c->next_eip = eip;
	prot_invalidate_outer(c);
}

void iret_prot(struct cpu *c, bool o32)
{
	if (c->eflags & F_NT) {
		iret_task(c);
		return;
	}
	unsigned size = o32 ? 4 : 2;
	struct pstack st;
	struct desc cd;
	pstack_current(c, &st);
	pstack_avail(c, &st, 3 * size);
	uint32_t eip = pstack_pop(c, &st, size);
	uint16_t cs = (uint16_t)pstack_pop(c, &st, size);
	uint32_t flags = pstack_pop(c, &st, size);
	if ((flags & F_VM) && o32 && c->cpl == 0) {
		iret_to_v86(c, &st, eip, cs, flags);
		return;
	}
	prot_check_ret_cs(c, cs, &cd);
	if ((cs & 3u) != c->cpl) {
		iret_outer(c, &st, cs, &cd, eip, flags, o32);
		return;
	}
	if (eip > desc_limit(&cd))
		cpu_raise(c, EXC_GP, 0);
	desc_set_accessed(c, cs, &cd);
	cpu_set_eflags(c, flags, iret_writable(c, o32));
	prot_load_cs(c, cs, &cd, c->cpl);
	pstack_commit(c, &st);
	c->next_eip = eip;
}

void iret_v86(struct cpu *c, bool o32)
{
	if ((c->eflags & F_IOPL) != F_IOPL)
		cpu_raise(c, EXC_GP, 0);
	unsigned size = o32 ? 4 : 2;
	struct pstack st;
	pstack_current(c, &st);
	pstack_avail(c, &st, 3 * size);
	uint32_t eip = pstack_pop(c, &st, size);
	uint16_t cs = (uint16_t)pstack_pop(c, &st, size);
	uint32_t flags = pstack_pop(c, &st, size);
	if (eip > 0xFFFF)
		cpu_raise(c, EXC_GP, 0);
	uint32_t writable = F_ARITH | F_TF | F_IF | F_DF | F_NT;
	if (o32)
		writable |= F_RF | F_AC | F_ID;
	pstack_commit(c, &st);
	seg_load_real(c, S_CS, cs);
	cpu_set_eflags(c, flags, writable);
	c->next_eip = eip;
	cpu_kick(c);
}
