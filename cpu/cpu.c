/*
 * CPU lifecycle and state helpers: reset state (SDM vol. 3, 9.1.1 "Processor
 * State After Reset"), EFLAGS assembly from the lazy flags, the A20 gate,
 * TLB and decoded-code invalidation.
 */
#include "cpu/cpu.h"

#include <string.h>

#include "cpu/icache.h"
#include "cpu/mmu.h"

static void code_written(void *opaque, paddr_t addr, unsigned len)
{
	cpu_invalidate_code(opaque, addr, len);
}

static void map_changed(void *opaque)
{
	cpu_flush_tlb(opaque, false);
}

int cpu_init(struct cpu *c, struct memmap *mem, const struct cpu_callbacks *cb)
{
	memset(c, 0, sizeof(*c));
	c->tlb.n_live = TLB_LIVE_MAX + 1; /* zeroed tags are not invalid ones: clear all */
	tlb_changed(&c->tlb);              /* a stamp no CS state has */
	c->mem = mem;
	c->cb = *cb;
	c->icache = icache_new(mem);
	if (!c->icache)
		return -1;
	mem->code_written = code_written;
	mem->map_changed = map_changed;
	mem->cb_opaque = c;
	cpu_reset(c);
	return 0;
}

void cpu_destroy(struct cpu *c)
{
	icache_free(c->icache);
	c->icache = NULL;
}

static void seg_reset(struct seg *s, uint16_t sel, uint32_t base, uint16_t ar)
{
	*s = (struct seg){ .base = base, .limit = 0xFFFF, .sel = sel, .ar = ar };
}

void cpu_reset(struct cpu *c)
{
	for (unsigned r = 0; r < 9; r++)
		c->r[r].d = 0;
	c->r[R_EDX].d = 0x0633; /* family 6, model 3, stepping 3: matches CPUID leaf 1 */
	c->eip = 0xFFF0;
	c->next_eip = c->eip;
	c->eflags = 0x2;
	c->lf.kind = LF_NONE;
	seg_reset(&c->seg[S_CS], 0xF000, 0xFFFF0000u, 0x9B);
	for (unsigned s = 0; s < 6; s++)
		if (s != S_CS)
			seg_reset(&c->seg[s], 0, 0, 0x93);
	c->gdtr = (struct dtr){ 0, 0xFFFF };
	c->idtr = (struct dtr){ 0, 0x3FF };
	seg_reset(&c->ldtr, 0, 0, 0x82);
	seg_reset(&c->tr, 0, 0, 0x8B);
	c->cr0 = CR0_ET | CR0_CD | CR0_NW;
	c->cr2 = c->cr3 = c->cr4 = 0;
	memset(c->dr, 0, sizeof(c->dr));
	c->dbg = (struct cpu_debug){ 0 };
	c->dr[6] = 0xFFFF0FF0u;
	c->dr[7] = 0x400;
	cpu_set_cpl(c, 0);
	c->halted = c->shutdown = c->nmi_pending = false;
	c->shadow_icount = 0;
	c->a20_mask = 0xFFFFFFFFu;
	c->exc_nest = 0;
	c->apic_base = 0;
	for (unsigned s = 0; s < 6; s++)
		seg_update_chk(c, s);
	cpu_flush_tlb(c, false);
	icache_flush(c->icache);
	cpu_kick(c);
}

uint32_t cpu_get_eflags(struct cpu *c)
{
	return (c->eflags & ~F_ARITH) | lf_arith(&c->lf, c->eflags) | 0x2;
}

void cpu_set_eflags(struct cpu *c, uint32_t value, uint32_t writable)
{
	uint32_t cur = cpu_get_eflags(c);
	c->eflags = ((cur & ~writable) | (value & writable) | 0x2) & ~0x8028u;
	c->lf.kind = LF_NONE;
	cpu_kick(c); /* IF or TF may have changed */
}

void cpu_set_intr(struct cpu *c, bool level)
{
	c->intr = level;
	if (level)
		cpu_kick(c);
}

void cpu_request_exit(struct cpu *c)
{
	c->exit_request = true;
	cpu_kick(c);
}

void cpu_set_a20(struct cpu *c, bool enabled)
{
	uint32_t mask = enabled ? 0xFFFFFFFFu : ~(1u << 20);
	if (mask != c->a20_mask) {
		c->a20_mask = mask;
		cpu_flush_tlb(c, false);
		cpu_kick(c);
	}
}

static bool tlb_keeps(const struct tlb_entry *e, bool keep_global)
{
	return keep_global && e->global && e->tag_read != TLB_INVALID;
}

void cpu_flush_tlb(struct cpu *c, bool keep_global)
{
	struct tlb *t = &c->tlb;
	tlb_changed(t);
	bool listed = t->n_live <= TLB_LIVE_MAX;
	unsigned n = t->n_live;
	t->n_live = 0;
	if (listed) {
		for (unsigned k = 0; k < n; k++) {
			unsigned idx = t->live[k];
			struct tlb_entry *e = &t->e[idx / TLB_SIZE][idx % TLB_SIZE];
			if (tlb_keeps(e, keep_global))
				tlb_relist(t, idx);
			else
				tlb_drop(e);
		}
		return;
	}
	for (unsigned idx = 0; idx < 2 * TLB_SIZE; idx++) {
		struct tlb_entry *e = &t->e[idx / TLB_SIZE][idx % TLB_SIZE];
		if (tlb_keeps(e, keep_global))
			tlb_relist(t, idx);
		else
			tlb_drop(e);
	}
}

void cpu_invlpg(struct cpu *c, laddr_t la)
{
	tlb_changed(&c->tlb);
	/* Both privilege halves, global or not. The write and code tags are
	 * only ever set together with the read tag. */
	for (unsigned u = 0; u < 2; u++) {
		struct tlb_entry *e = &c->tlb.e[u][(la >> PAGE_SHIFT) & (TLB_SIZE - 1)];
		if (e->tag_read == (la & PAGE_MASK))
			tlb_drop(e);
	}
}

void cpu_invalidate_code(struct cpu *c, paddr_t addr, unsigned len)
{
	/* Links to the dropped blocks stay: they run as no-ops (icache.c). */
	if (icache_invalidate(c->icache, addr, len))
		cpu_kick(c); /* the running block may be among them */
}

_Noreturn void cpu_raise(struct cpu *c, int vector, int32_t error)
{
	c->exc_vector = vector;
	c->exc_error = error;
	longjmp(c->jmp, 1);
}
