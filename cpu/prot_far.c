/*
 * Protected-mode far JMP, CALL and RET (Intel SDM vol. 2, JMP, CALL and RET
 * pseudo-code; vol. 3, 5.8 "Privilege Level Checking When Transferring
 * Program Control Between Code Segments"): direct transfers to code
 * segments, call gates with the inner-stack switch and parameter copying,
 * returns to an outer level, and TSS / task-gate targets (task.c).
 * Every check and every stack write happens before CS, SS or ESP change.
 * Deviation: CS pushed by a 32-bit CALL is zero-extended to a dword.
 */
#include "cpu/desc.h"
#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "cpu/task.h"

/* JMP/CALL straight to a code segment (SDM: CONFORMING- and NONCONFORMING-
 * CODE-SEGMENT). */
static void check_direct_code(struct cpu *c, uint16_t sel, const struct desc *d)
{
	unsigned dpl = desc_dpl(d);
	bool bad = desc_conforming(d) ? dpl > c->cpl : ((sel & 3u) > c->cpl || dpl != c->cpl);
	if (bad)
		cpu_raise(c, EXC_GP, sel_err(sel, false));
	if (!desc_present(d))
		cpu_raise(c, EXC_NP, sel_err(sel, false));
}

static void check_gate(struct cpu *c, uint16_t sel, const struct desc *g)
{
	if (desc_dpl(g) < c->cpl || (sel & 3u) > desc_dpl(g))
		cpu_raise(c, EXC_GP, sel_err(sel, false));
	if (!desc_present(g))
		cpu_raise(c, EXC_NP, sel_err(sel, false));
}

/* The code segment a call gate names; jmp applies JMP's stricter DPL rule. */
static uint16_t gate_code(struct cpu *c, const struct desc *g, struct desc *cd, bool jmp)
{
	uint16_t cs = gate_sel(g);
	if (sel_null(cs))
		cpu_raise(c, EXC_GP, 0);
	desc_fetch_or_raise(c, cs, cd, EXC_GP, false);
	unsigned dpl = desc_dpl(cd);
	bool bad = !desc_code(cd) || dpl > c->cpl;
	if (jmp && !desc_conforming(cd) && dpl != c->cpl)
		bad = true;
	if (bad)
		cpu_raise(c, EXC_GP, sel_err(cs, false));
	if (!desc_present(cd))
		cpu_raise(c, EXC_NP, sel_err(cs, false));
	return cs;
}

static void jump_to(struct cpu *c, uint16_t sel, struct desc *d, uint32_t off, unsigned cpl)
{
	if (off > desc_limit(d))
		cpu_raise(c, EXC_GP, 0);
	desc_set_accessed(c, sel, d);
	prot_load_cs(c, sel, d, cpl);
	c->next_eip = off;
}

void far_jmp_prot(struct cpu *c, uint16_t sel, uint32_t off)
{
	struct desc d, cd;
	if (sel_null(sel))
		cpu_raise(c, EXC_GP, 0);
	desc_fetch_or_raise(c, sel, &d, EXC_GP, false);
	if (desc_code(&d)) {
		check_direct_code(c, sel, &d);
		jump_to(c, sel, &d, off, c->cpl);
		return;
	}
	switch (desc_s(&d) ? 0 : desc_type(&d)) {
	case DT_CALL16:
	case DT_CALL32: {
		check_gate(c, sel, &d);
		uint16_t cs = gate_code(c, &d, &cd, true);
		jump_to(c, cs, &cd, gate_off(&d), c->cpl);
		return;
	}
	case DT_TASK:
	case DT_TSS16:
	case DT_TSS32:
	case DT_TSS16_BUSY:
	case DT_TSS32_BUSY:
		task_far(c, sel, &d, TASK_JMP);
		return;
	default:
		cpu_raise(c, EXC_GP, sel_err(sel, false));
	}
}

/* Push the return address on the current stack and enter cs:off at cpl. */
static void call_same(struct cpu *c, uint16_t cs, struct desc *cd, uint32_t off, unsigned size)
{
	struct pstack st;
	pstack_current(c, &st);
	pstack_room(c, &st, 2 * size);
	if (off > desc_limit(cd))
		cpu_raise(c, EXC_GP, 0);
	pstack_push(c, &st, c->seg[S_CS].sel, size);
	pstack_push(c, &st, c->next_eip, size);
	desc_set_accessed(c, cs, cd);
	prot_load_cs(c, cs, cd, c->cpl);
	pstack_commit(c, &st);
	c->next_eip = off;
}

/* Call gate to a more privileged non-conforming segment (SDM CALL:
 * MORE-PRIVILEGE): new stack from the TSS, old SS:ESP, parameters, CS:EIP. */
static void call_inner(struct cpu *c, const struct desc *g, uint16_t cs, struct desc *cd)
{
	unsigned dpl = desc_dpl(cd), size = (desc_type(g) & 8) ? 4 : 2;
	unsigned nparm = gate_params(g);
	uint16_t nss;
	uint32_t nesp;
	struct desc sd;
	struct seg ssc;
	struct pstack ns, os;
	tss_inner_stack(c, dpl, false, &nss, &nesp);
	prot_check_inner_ss(c, nss, dpl, false, &sd);
	desc_to_seg(&sd, nss, &ssc);
	pstack_init(&ns, &ssc, nesp, EXC_SS, sel_err(nss, false), ACC_SYS);
	pstack_room(c, &ns, size * (4 + nparm));
	uint32_t off = gate_off(g);
	if (off > desc_limit(cd))
		cpu_raise(c, EXC_GP, 0);
	pstack_current(c, &os);
	if (nparm)
		pstack_avail(c, &os, size * nparm);
	pstack_push(c, &ns, c->seg[S_SS].sel, size);
	pstack_push(c, &ns, c->r[R_ESP].d, size);
	for (unsigned k = nparm; k-- > 0;) {
		struct pstack at = os;
		at.sp = (os.sp + k * size) & os.mask;
		pstack_push(c, &ns, pstack_pop(c, &at, size), size);
	}
	pstack_push(c, &ns, c->seg[S_CS].sel, size);
	pstack_push(c, &ns, c->next_eip, size);
	desc_set_accessed(c, nss, &sd);
	desc_set_accessed(c, cs, cd);
	prot_load_ss(c, nss, &sd);
	prot_load_cs(c, cs, cd, dpl);
	pstack_commit(c, &ns);
	c->next_eip = off;
}

void far_call_prot(struct cpu *c, uint16_t sel, uint32_t off, bool o32)
{
	struct desc d, cd;
	if (sel_null(sel))
		cpu_raise(c, EXC_GP, 0);
	desc_fetch_or_raise(c, sel, &d, EXC_GP, false);
	if (desc_code(&d)) {
		check_direct_code(c, sel, &d);
		call_same(c, sel, &d, off, o32 ? 4 : 2);
		return;
	}
	switch (desc_s(&d) ? 0 : desc_type(&d)) {
	case DT_CALL16:
	case DT_CALL32: {
		check_gate(c, sel, &d);
		uint16_t cs = gate_code(c, &d, &cd, false);
		if (!desc_conforming(&cd) && desc_dpl(&cd) < c->cpl)
			call_inner(c, &d, cs, &cd);
		else
			call_same(c, cs, &cd, gate_off(&d), (desc_type(&d) & 8) ? 4 : 2);
		return;
	}
	case DT_TASK:
	case DT_TSS16:
	case DT_TSS32:
	case DT_TSS16_BUSY:
	case DT_TSS32_BUSY:
		task_far(c, sel, &d, TASK_CALL);
		return;
	default:
		cpu_raise(c, EXC_GP, sel_err(sel, false));
	}
}

void prot_check_ret_cs(struct cpu *c, uint16_t cs, struct desc *d)
{
	if (sel_null(cs))
		cpu_raise(c, EXC_GP, 0);
	desc_fetch_or_raise(c, cs, d, EXC_GP, false);
	unsigned rpl = cs & 3u, dpl = desc_dpl(d);
	if (!desc_code(d) || rpl < c->cpl)
		cpu_raise(c, EXC_GP, sel_err(cs, false));
	if (desc_conforming(d) ? dpl > rpl : dpl != rpl)
		cpu_raise(c, EXC_GP, sel_err(cs, false));
	if (!desc_present(d))
		cpu_raise(c, EXC_NP, sel_err(cs, false));
}

void far_ret_prot(struct cpu *c, bool o32, uint16_t pop_bytes)
{
	unsigned size = o32 ? 4 : 2;
	struct pstack st;
	struct desc cd, sd;
	pstack_current(c, &st);
	pstack_avail(c, &st, 2 * size);
	uint32_t off = pstack_pop(c, &st, size);
	uint16_t cs = (uint16_t)pstack_pop(c, &st, size);
	prot_check_ret_cs(c, cs, &cd);
	unsigned rpl = cs & 3u;
	st.sp = (st.sp + pop_bytes) & st.mask;
	if (rpl == c->cpl) {
		jump_to(c, cs, &cd, off, rpl);
		pstack_commit(c, &st);
		return;
	}
	uint32_t esp = pstack_pop(c, &st, size);
	uint16_t ss = (uint16_t)pstack_pop(c, &st, size);
	prot_check_ss(c, ss, &sd, rpl, EXC_GP, false);
	if (off > desc_limit(&cd))
		cpu_raise(c, EXC_GP, 0);
	desc_set_accessed(c, cs, &cd);
	desc_set_accessed(c, ss, &sd);
	prot_load_cs(c, cs, &cd, rpl);
	prot_load_ss(c, ss, &sd);
	uint32_t m = (sd.hi & 0x400000) ? 0xFFFFFFFFu : 0xFFFFu;
	c->r[R_ESP].d = (c->r[R_ESP].d & ~m) | ((esp + pop_bytes) & m);
	c->next_eip = off;
	prot_invalidate_outer(c);
}
