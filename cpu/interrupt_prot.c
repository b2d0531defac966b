/*
 * Protected-mode and virtual-8086-mode interrupt and exception delivery
 * through the IDT (Intel SDM vol. 2, INT n pseudo-code; vol. 3, 6.10-6.14
 * and 20.3.1 "Handling an Interrupt or Exception Through a Protected-Mode
 * Trap or Interrupt Gate"): interrupt, trap and task gates, the gate DPL
 * check for software interrupts only, the inner-stack switch from the TSS,
 * 16- and 32-bit frames with error codes, and the exit from virtual-8086
 * mode. Error codes carry EXT for exceptions and hardware interrupts.
 * The EFLAGS image of a fault has RF set (SDM vol. 3, 17.3.1.1).
 * Deviation: the IOPL check of INT n in virtual-8086 mode is the INT
 * handler's (INT3 and INTO reach this function with the same kind).
 */
#include "cpu/desc.h"
#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "cpu/task.h"

struct idt_entry {
	struct desc gate, code;
	uint16_t cs;
	bool ext;
	int32_t error;
	uint32_t eflags; /* image to push */
	uint32_t return_eip;
};

static bool is_fault(unsigned vector)
{
	return vector == EXC_DE || vector == EXC_BR || vector == EXC_UD || vector == EXC_NM ||
	       (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_MF || vector == EXC_AC;
}

static void read_gate(struct cpu *c, unsigned vector, enum int_kind kind, struct idt_entry *e)
{
	int32_t err = (int32_t)(vector * 8 + 2) | e->ext;
	if (vector * 8 + 7 > c->idtr.limit)
		cpu_raise(c, EXC_GP, err);
	laddr_t at = c->idtr.base + vector * 8;
	e->gate.lo = lin_rd32_acc(c, at, ACC_SYS);
	e->gate.hi = lin_rd32_acc(c, at + 4, ACC_SYS);
	unsigned type = desc_type(&e->gate);
	bool gate = type == DT_TASK || type == DT_INT16 || type == DT_TRAP16 || type == DT_INT32 ||
		    type == DT_TRAP32;
	if (desc_s(&e->gate) || !gate)
		cpu_raise(c, EXC_GP, err);
	if (kind == INT_SOFTWARE && desc_dpl(&e->gate) < c->cpl)
		cpu_raise(c, EXC_GP, err);
	if (!desc_present(&e->gate))
		cpu_raise(c, EXC_NP, err);
}

static void read_code(struct cpu *c, struct idt_entry *e)
{
	e->cs = gate_sel(&e->gate);
	if (sel_null(e->cs))
		cpu_raise(c, EXC_GP, e->ext);
	desc_fetch_or_raise(c, e->cs, &e->code, EXC_GP, e->ext);
	if (!desc_code(&e->code) || desc_dpl(&e->code) > c->cpl)
		cpu_raise(c, EXC_GP, sel_err(e->cs, e->ext));
	if (!desc_present(&e->code))
		cpu_raise(c, EXC_NP, sel_err(e->cs, e->ext));
}

static void push_frame(struct cpu *c, struct pstack *st, const struct idt_entry *e, unsigned size)
{
	pstack_push(c, st, e->eflags, size);
	pstack_push(c, st, c->seg[S_CS].sel, size);
	pstack_push(c, st, e->return_eip, size);
	if (e->error >= 0)
		pstack_push(c, st, (uint32_t)e->error, size);
}

/* Flags the gate clears, then the new CS at cpl and the handler's EIP. */
static void enter_handler(struct cpu *c, struct idt_entry *e, unsigned cpl)
{
	uint32_t clear = F_TF | F_NT | F_RF | F_VM;
	if (!(desc_type(&e->gate) & 1))
		clear |= F_IF;
	desc_set_accessed(c, e->cs, &e->code);
	c->eflags = (cpu_get_eflags(c) & ~clear);
	c->lf.kind = LF_NONE;
	prot_load_cs(c, e->cs, &e->code, cpl);
	c->eip = c->next_eip = gate_off(&e->gate);
}

static void deliver_inner(struct cpu *c, struct idt_entry *e, bool from_v86)
{
	unsigned dpl = desc_dpl(&e->code), size = (desc_type(&e->gate) & 8) ? 4 : 2;
	unsigned n = (from_v86 ? 9 : 5) + (e->error >= 0);
	uint16_t nss;
	uint32_t nesp;
	struct desc sd;
	struct seg ssc;
	struct pstack ns;
	tss_inner_stack(c, dpl, e->ext, &nss, &nesp);
	prot_check_inner_ss(c, nss, dpl, e->ext, &sd);
	desc_to_seg(&sd, nss, &ssc);
	pstack_init(&ns, &ssc, nesp, EXC_SS, sel_err(nss, e->ext), ACC_SYS);
	pstack_room(c, &ns, n * size);
	if (gate_off(&e->gate) > desc_limit(&e->code))
		cpu_raise(c, EXC_GP, e->ext);
	if (from_v86) {
		pstack_push(c, &ns, c->seg[S_GS].sel, size);
		pstack_push(c, &ns, c->seg[S_FS].sel, size);
		pstack_push(c, &ns, c->seg[S_DS].sel, size);
		pstack_push(c, &ns, c->seg[S_ES].sel, size);
	}
	pstack_push(c, &ns, c->seg[S_SS].sel, size);
	pstack_push(c, &ns, c->r[R_ESP].d, size);
	push_frame(c, &ns, e, size);
	desc_set_accessed(c, nss, &sd);
	enter_handler(c, e, dpl);
	prot_load_ss(c, nss, &sd);
	pstack_commit(c, &ns);
	if (from_v86) {
		static const uint8_t regs[] = { S_GS, S_FS, S_DS, S_ES };
		for (unsigned k = 0; k < sizeof(regs); k++)
			prot_load_null(c, regs[k], 0);
	}
}

static void deliver_same(struct cpu *c, struct idt_entry *e)
{
	unsigned size = (desc_type(&e->gate) & 8) ? 4 : 2;
	struct pstack st;
	pstack_init(&st, &c->seg[S_SS], c->r[R_ESP].d, EXC_SS, e->ext, 0);
	pstack_room(c, &st, (3u + (e->error >= 0)) * size);
	if (gate_off(&e->gate) > desc_limit(&e->code))
		cpu_raise(c, EXC_GP, e->ext);
	push_frame(c, &st, e, size);
	enter_handler(c, e, c->cpl);
	pstack_commit(c, &st);
}

/* Task gate: switch tasks, then push the error code on the new stack. */
static void deliver_task(struct cpu *c, struct idt_entry *e)
{
	uint16_t tss = gate_sel(&e->gate);
	struct desc d;
	if ((tss & 4) || !desc_fetch(c, tss, &d))
		cpu_raise(c, EXC_GP, sel_err(tss, e->ext));
	unsigned type = desc_s(&d) ? 0 : desc_type(&d);
	if (type != DT_TSS16 && type != DT_TSS32)
		cpu_raise(c, EXC_GP, sel_err(tss, e->ext));
	if (!desc_present(&d))
		cpu_raise(c, EXC_NP, sel_err(tss, e->ext));
	task_switch(c, tss, &d, TASK_INT, e->return_eip, e->ext);
	if (e->error >= 0) {
		struct pstack st;
		pstack_init(&st, &c->seg[S_SS], c->r[R_ESP].d, EXC_SS, e->ext, 0);
		pstack_push(c, &st, (uint32_t)e->error, (type == DT_TSS32) ? 4 : 2);
		pstack_commit(c, &st);
	}
	if (c->eip > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, e->ext);
}

void cpu_interrupt_prot(struct cpu *c, unsigned vector, enum int_kind kind, int32_t error,
			uint32_t return_eip)
{
	struct idt_entry e = { .ext = kind != INT_SOFTWARE, .error = error,
			       .return_eip = return_eip };
	vector &= 0xFF;
	read_gate(c, vector, kind, &e);
	e.eflags = cpu_get_eflags(c);
	if (kind == INT_EXCEPTION && is_fault(vector))
		e.eflags |= F_RF;
	if (desc_type(&e.gate) == DT_TASK) {
		deliver_task(c, &e);
		return;
	}
	read_code(c, &e);
	bool v86 = cpu_v86_mode(c);
	if (!desc_conforming(&e.code) && desc_dpl(&e.code) < c->cpl) {
		if (v86 && desc_dpl(&e.code) != 0)
			cpu_raise(c, EXC_GP, sel_err(e.cs, e.ext));
		deliver_inner(c, &e, v86);
	} else if (v86) {
		cpu_raise(c, EXC_GP, sel_err(e.cs, e.ext));
	} else {
		deliver_same(c, &e);
	}
}
