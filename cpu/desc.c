/*
 * Segment descriptors (Intel SDM vol. 3, 3.4.5 "Segment Descriptors", 3.5
 * "System Descriptor Types", 5.3 "Limit Checking"), stack access before a
 * new stack is loaded, and the inner-level stack pointers of the TSS (7.2.1).
 * Descriptor-table and TSS accesses are supervisor accesses whatever the CPL
 * (ACC_SYS), as on hardware.
 * Deviation: a null selector loaded into DS/ES/FS/GS keeps only the
 * selector; its cached base and limit read as 0.
 */
#include "cpu/desc.h"

#include "cpu/mmu.h"

/* Linear address of the descriptor sel names, or false if out of limits. */
static bool desc_addr(const struct cpu *c, uint16_t sel, laddr_t *at)
{
	uint32_t base = c->gdtr.base, limit = c->gdtr.limit;
	if (sel & 4) {
		if (sel_null(c->ldtr.sel) || !(c->ldtr.ar & AR_P))
			return false;
		base = c->ldtr.base;
		limit = c->ldtr.limit;
	}
	uint32_t idx = sel & 0xFFF8u;
	if ((uint64_t)idx + 7 > limit)
		return false;
	*at = base + idx;
	return true;
}

bool desc_fetch(struct cpu *c, uint16_t sel, struct desc *d)
{
	laddr_t at;
	if (!desc_addr(c, sel, &at))
		return false;
	d->lo = lin_rd32_acc(c, at, ACC_SYS);
	d->hi = lin_rd32_acc(c, at + 4, ACC_SYS);
	return true;
}

void desc_fetch_or_raise(struct cpu *c, uint16_t sel, struct desc *d, int vector, bool ext)
{
	if (!desc_fetch(c, sel, d))
		cpu_raise(c, vector, sel_err(sel, ext));
}

void desc_to_seg(const struct desc *d, uint16_t sel, struct seg *s)
{
	s->sel = sel;
	s->base = (d->lo >> 16) | ((d->hi & 0xFF) << 16) | (d->hi & 0xFF000000u);
	s->limit = desc_limit(d);
	s->ar = (uint16_t)((d->hi >> 8) & 0xF0FF);
}

void desc_set_accessed(struct cpu *c, uint16_t sel, struct desc *d)
{
	laddr_t at;
	if (!desc_s(d) || (d->hi & 0x100) || !desc_addr(c, sel, &at))
		return;
	d->hi |= 0x100;
	lin_wr32_acc(c, at + 4, d->hi, ACC_SYS | ACC_WRITE);
}

void desc_set_busy(struct cpu *c, uint16_t sel, bool busy)
{
	laddr_t at;
	if (!desc_addr(c, sel & ~4u, &at))
		return;
	uint32_t hi = lin_rd32_acc(c, at + 4, ACC_SYS);
	hi = busy ? hi | 0x200 : hi & ~0x200u;
	lin_wr32_acc(c, at + 4, hi, ACC_SYS | ACC_WRITE);
}

void prot_load_cs(struct cpu *c, uint16_t sel, struct desc *d, unsigned cpl)
{
	desc_to_seg(d, (uint16_t)((sel & ~3u) | cpl), &c->seg[S_CS]);
	cpu_set_cpl(c, cpl);
	seg_update_chk(c, S_CS);
}

void prot_load_ss(struct cpu *c, uint16_t sel, struct desc *d)
{
	desc_to_seg(d, sel, &c->seg[S_SS]);
	seg_update_chk(c, S_SS);
}

void prot_load_null(struct cpu *c, unsigned s, uint16_t sel)
{
	c->seg[s] = (struct seg){ .sel = sel };
	seg_update_chk(c, s);
}

void prot_invalidate_outer(struct cpu *c)
{
	static const uint8_t regs[] = { S_ES, S_DS, S_FS, S_GS };
	for (unsigned n = 0; n < sizeof(regs); n++) {
		const struct seg *sg = &c->seg[regs[n]];
		unsigned type = AR_TYPE(sg->ar);
		bool data_or_nc = !(type & 8) || !(type & 4);
		if ((sg->ar & AR_P) && (sg->ar & AR_S) && data_or_nc && AR_DPL(sg->ar) < c->cpl)
			prot_load_null(c, regs[n], 0);
	}
}

void pstack_init(struct pstack *st, const struct seg *seg, uint32_t esp, int vector, int32_t err,
		 unsigned acc)
{
	st->seg = *seg;
	st->mask = (seg->ar & AR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
	st->top = esp & ~st->mask;
	st->sp = esp & st->mask;
	st->vector = vector;
	st->err = err;
	st->acc = acc;
}

void pstack_current(struct cpu *c, struct pstack *st)
{
	pstack_init(st, &c->seg[S_SS], c->r[R_ESP].d, EXC_SS, 0, 0);
}

/* Limit check of [off, off + n) against the stack segment (SDM 5.3). */
static void pstack_check(struct cpu *c, const struct pstack *st, uint32_t off, unsigned n)
{
	const struct seg *s = &st->seg;
	uint64_t last = (uint64_t)off + n - 1;
	bool bad;
	if (!(s->ar & AR_P))
		bad = true;
	else if ((s->ar & (AR_S | 0xC)) == (AR_S | 4)) /* expand-down data */
		bad = off <= s->limit || last > st->mask;
	else
		bad = last > s->limit;
	if (bad)
		cpu_raise(c, st->vector, st->err);
}

void pstack_push(struct cpu *c, struct pstack *st, uint32_t v, unsigned size)
{
	uint32_t sp = (st->sp - size) & st->mask;
	pstack_check(c, st, sp, size);
	if (size == 4)
		lin_wr32_acc(c, st->seg.base + sp, v, ACC_WRITE | st->acc);
	else
		lin_wr16_acc(c, st->seg.base + sp, (uint16_t)v, ACC_WRITE | st->acc);
	st->sp = sp;
}

uint32_t pstack_pop(struct cpu *c, struct pstack *st, unsigned size)
{
	pstack_check(c, st, st->sp, size);
	laddr_t la = st->seg.base + st->sp;
	uint32_t v = size == 4 ? lin_rd32_acc(c, la, st->acc) : lin_rd16_acc(c, la, st->acc);
	st->sp = (st->sp + size) & st->mask;
	return v;
}

void pstack_room(struct cpu *c, const struct pstack *st, unsigned n)
{
	pstack_check(c, st, (st->sp - n) & st->mask, n);
}

void pstack_avail(struct cpu *c, const struct pstack *st, unsigned n)
{
	pstack_check(c, st, st->sp, n);
}

void pstack_commit(struct cpu *c, const struct pstack *st)
{
	c->r[R_ESP].d = st->top | st->sp;
}

void tss_inner_stack(struct cpu *c, unsigned dpl, bool ext, uint16_t *ss, uint32_t *esp)
{
	bool t32 = AR_TYPE(c->tr.ar) & 8;
	uint32_t off = t32 ? dpl * 8 + 4 : dpl * 4 + 2;
	uint32_t last = off + (t32 ? 7 : 3);
	if (last > c->tr.limit)
		cpu_raise(c, EXC_TS, sel_err(c->tr.sel, ext));
	laddr_t at = c->tr.base + off;
	if (t32) {
		*esp = lin_rd32_acc(c, at, ACC_SYS);
		*ss = lin_rd16_acc(c, at + 4, ACC_SYS);
	} else {
		*esp = lin_rd16_acc(c, at, ACC_SYS);
		*ss = lin_rd16_acc(c, at + 2, ACC_SYS);
	}
}

void prot_check_inner_ss(struct cpu *c, uint16_t ss, unsigned dpl, bool ext, struct desc *d)
{
	if (sel_null(ss))
		cpu_raise(c, EXC_TS, ext);
	if ((ss & 3) != dpl || !desc_fetch(c, ss, d))
		cpu_raise(c, EXC_TS, sel_err(ss, ext));
	if (desc_dpl(d) != dpl || !desc_writable_data(d))
		cpu_raise(c, EXC_TS, sel_err(ss, ext));
	if (!desc_present(d))
		cpu_raise(c, EXC_SS, sel_err(ss, ext));
}
