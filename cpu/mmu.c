/*
 * Segmentation checks and paging (Intel SDM vol. 3, ch. 5 "Protection" and
 * ch. 4 "Paging", 32-bit two-level tables with 4 MiB pages under CR4.PSE and
 * global pages under CR4.PGE), and the software TLB fill.
 */
#include "cpu/mmu.h"

laddr_t seg_linear_slow(struct cpu *c, unsigned s, uint32_t off, unsigned size, unsigned deny)
{
	const struct seg *sg = &c->seg[s];
	int vec = s == S_SS ? EXC_SS : EXC_GP;
	if (sg->chk & deny & SEGCHK_NULL)
		cpu_raise(c, EXC_GP, 0);
	if (sg->chk & deny & (SEGCHK_NOREAD | SEGCHK_NOWRITE))
		cpu_raise(c, vec, 0);
	uint64_t last = (uint64_t)off + size - 1;
	if (sg->chk & SEGCHK_EXPDOWN) {
		uint32_t upper = (sg->ar & AR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
		if (off <= sg->limit || last > upper)
			cpu_raise(c, vec, 0);
	} else if (last > sg->limit) {
		cpu_raise(c, vec, 0);
	}
	return sg->base + off;
}

void seg_update_chk(struct cpu *c, unsigned s)
{
	struct seg *sg = &c->seg[s];
	uint8_t chk = 0;
	if (cpu_prot_mode(c)) {
		unsigned type = AR_TYPE(sg->ar);
		if (!(sg->ar & AR_P))
			chk = SEGCHK_NULL;
		else if (type & 8) /* code: never writable; readable only with R */
			chk = (uint8_t)(SEGCHK_NOWRITE | ((type & 2) ? 0 : SEGCHK_NOREAD));
		else
			chk = (uint8_t)(((type & 2) ? 0 : SEGCHK_NOWRITE) | ((type & 4) ? SEGCHK_EXPDOWN : 0));
	}
	sg->chk = chk;
	sg->rd_max = (chk & SEG_DENY_READ) ? -1 : (int64_t)sg->limit;
	sg->wr_max = (chk & SEG_DENY_WRITE) ? -1 : (int64_t)sg->limit;
	if (s == S_CS)
		mmu_cs_changed(c);
}

static bool tlb_cs_eq(const struct tlb_cs *a, const struct tlb_cs *b)
{
	return a->base == b->base && a->limit == b->limit && a->d == b->d && a->cpl == b->cpl;
}

/* Name the CS state in this epoch (tlb.h) and make it the stamp's. */
void mmu_cs_changed(struct cpu *c)
{
	struct tlb *t = &c->tlb;
	const struct seg *cs = &c->seg[S_CS];
	struct tlb_cs now = { cs->base, cs->limit, (cs->ar & AR_DB) != 0, c->cpl };
	unsigned k = t->last_cs;
	if (k >= t->n_cs || !tlb_cs_eq(&t->cs[k], &now)) {
		for (k = 0; k < t->n_cs && !tlb_cs_eq(&t->cs[k], &now); k++)
			;
		if (k == t->n_cs) {
			if (k == TLB_CS_MAX) {
				tlb_changed(t);
				k = 0;
			}
			t->cs[k] = now;
			t->n_cs = k + 1;
		}
	}
	t->last_cs = k;
	t->stamp = t->epoch << 8 | k;
}

_Noreturn static void page_fault(struct cpu *c, laddr_t la, uint32_t err)
{
	c->cr2 = la;
	cpu_raise(c, EXC_PF, (int32_t)err);
}

/* Set accessed (and dirty) bits in a paging-structure entry. */
static void set_ad(struct cpu *c, paddr_t at, uint32_t entry, uint32_t bits)
{
	if ((entry & bits) != bits)
		memmap_store(c->mem, at, entry | bits, 4);
}

/* Walk the page tables; *fast_write tells whether the TLB may take writes. */
static paddr_t page_walk(struct cpu *c, laddr_t la, unsigned acc, unsigned user,
			 bool *fast_write, bool *global)
{
	bool write = acc & ACC_WRITE;
	uint32_t err = (write ? 2u : 0u) | (user ? 4u : 0u);
	paddr_t pde_at = ((c->cr3 & PAGE_MASK) | ((la >> 20) & 0xFFC)) & c->a20_mask;
	uint32_t pde = memmap_load(c->mem, pde_at, 4);
	if (!(pde & 1))
		page_fault(c, la, err);
	bool wp = c->cr0 & CR0_WP;
	if ((pde & 0x80) && (c->cr4 & CR4_PSE)) {
		bool u = pde & 4, w = pde & 2;
		if ((user && !u) || (write && !w && (user || wp)))
			page_fault(c, la, err | 1);
		set_ad(c, pde_at, pde, write ? 0x60 : 0x20);
		*fast_write = (write || (pde & 0x40)) && (user ? w : (w || !wp));
		*global = (pde & 0x100) && (c->cr4 & CR4_PGE);
		return (pde & 0xFFC00000u) | (la & 0x3FFFFF);
	}
	paddr_t pte_at = ((pde & PAGE_MASK) | ((la >> 10) & 0xFFC)) & c->a20_mask;
	uint32_t pte = memmap_load(c->mem, pte_at, 4);
	if (!(pte & 1))
		page_fault(c, la, err);
	bool u = pde & pte & 4, w = pde & pte & 2;
	if ((user && !u) || (write && !w && (user || wp)))
		page_fault(c, la, err | 1);
	set_ad(c, pde_at, pde, 0x20);
	set_ad(c, pte_at, pte, write ? 0x60 : 0x20);
	*fast_write = (write || (pte & 0x40)) && (user ? w : (w || !wp));
	*global = (pte & 0x100) && (c->cr4 & CR4_PGE);
	return (pte & PAGE_MASK) | (la & (PAGE_SIZE - 1));
}

static void tlb_fill(struct cpu *c, laddr_t la, paddr_t pa, unsigned user, bool fast_write,
		     bool global)
{
	struct mem_page *p = memmap_page(c->mem, pa);
	struct tlb_entry *e = tlb_entry_for(c, la, user);
	uint32_t page = la & PAGE_MASK;
	/* No new link epoch: a fill only replaces an entry, and a link may
	 * outlive its page's entry as a TLB entry may (SDM vol. 3, 4.10.4.1:
	 * translations change for software only by INVLPG, CR3 or CR4 writes,
	 * task switches and mode changes, which all move the epoch). */
	bool was_live = e->tag_read != TLB_INVALID;
	e->tag_read = e->tag_write = e->tag_code = TLB_INVALID;
	if (!p->read || (unlikely(c->dbg.data) && debug_page_watched(c, page)))
		return;
	if (!was_live)
		tlb_relist(&c->tlb, user * TLB_SIZE + ((la >> PAGE_SHIFT) & (TLB_SIZE - 1)));
	e->addend = (uintptr_t)p->read - page;
	e->paddr = pa & PAGE_MASK;
	e->global = global;
	e->tag_read = page;
	if (fast_write && p->write == p->read) {
		if (p->code)
			e->tag_code = page;
		else
			e->tag_write = page;
	}
}

paddr_t mmu_translate(struct cpu *c, laddr_t la, unsigned acc)
{
	unsigned user = !(acc & ACC_SYS) && c->cpl == 3;
	bool fast_write = true, global = false;
	paddr_t pa = la;
	if (c->cr0 & CR0_PG)
		pa = page_walk(c, la, acc, user, &fast_write, &global);
	pa &= c->a20_mask;
	tlb_fill(c, la, pa, user, fast_write, global);
	return pa;
}

uint32_t mmu_read_slow(struct cpu *c, laddr_t la, unsigned size, unsigned acc)
{
	cpu_sync_icount(c); /* MMIO devices read the board's clock */
	unsigned in_page = PAGE_SIZE - (la & (PAGE_SIZE - 1));
	if (unlikely(c->dbg.data))
		debug_data_access(c, la, size, acc);
	if (size <= in_page)
		return memmap_load(c->mem, mmu_translate(c, la, acc), size);
	/* Crosses a page: translate both halves before reading either. */
	paddr_t lo = mmu_translate(c, la, acc);
	paddr_t hi = mmu_translate(c, la + in_page, acc);
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++) {
		paddr_t pa = b < in_page ? lo + b : hi + (b - in_page);
		v |= memmap_load(c->mem, pa, 1) << (8 * b);
	}
	return v;
}

/* Constant-size copies: a variable-size memcpy is a library call, and
 * every store beside code in its page comes this way. */
static void store_sized(uint8_t *p, uint32_t v, unsigned size)
{
	if (size == 4)
		host_st32(p, v);
	else if (size == 2)
		host_st16(p, (uint16_t)v);
	else if (size == 1)
		host_st8(p, (uint8_t)v);
	else
		memcpy(p, &v, size);
}

void mmu_write_slow(struct cpu *c, laddr_t la, uint32_t v, unsigned size, unsigned acc)
{
	cpu_sync_icount(c); /* MMIO devices read the board's clock */
	unsigned in_page = PAGE_SIZE - (la & (PAGE_SIZE - 1));
	if (unlikely(c->dbg.data))
		debug_data_access(c, la, size, acc);
	/* A page holding code: already translated and writable, so only the
	 * decoded blocks over the bytes written need dropping. */
	struct tlb_entry *e = tlb_entry_acc(c, la, acc);
	if (e->tag_code == tlb_tag_of(la, size)) {
		cpu_invalidate_code(c, e->paddr | (la & (PAGE_SIZE - 1)), size);
		store_sized((uint8_t *)(e->addend + la), v, size);
		return;
	}
	if (size <= in_page) {
		memmap_store(c->mem, mmu_translate(c, la, acc), v, size);
		return;
	}
	paddr_t lo = mmu_translate(c, la, acc);
	paddr_t hi = mmu_translate(c, la + in_page, acc);
	for (unsigned b = 0; b < size; b++) {
		paddr_t pa = b < in_page ? lo + b : hi + (b - in_page);
		memmap_store(c->mem, pa, (v >> (8 * b)) & 0xFF, 1);
	}
}

void mmu_probe_write(struct cpu *c, laddr_t la, unsigned len)
{
	mmu_translate(c, la, ACC_WRITE);
	if (len > 1 && ((la ^ (la + len - 1)) & PAGE_MASK))
		mmu_translate(c, la + len - 1, ACC_WRITE);
}
