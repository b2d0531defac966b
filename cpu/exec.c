/*
 * The run loop: find or decode the block at CS:EIP (through the previous
 * block's links when it can), run its instructions through their handlers
 * with EIP and icount kept lazily inside the block (cpu.h), and at
 * instruction boundaries take interrupts, exceptions (the one setjmp), HLT
 * and timer deadlines; a deadline inside a block stops it at exactly that
 * instruction. Double and triple fault classification follows SDM vol. 3,
 * table 6-5.
 */
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/icache.h"
#include "cpu/ops_fast.h"
#include "cpu/interrupt.h"
#include "cpu/mmu.h"

static void drop_write_tags(struct cpu *c, paddr_t page)
{
	for (unsigned u = 0; u < 2; u++)
		for (unsigned n = 0; n < TLB_SIZE; n++)
			if (c->tlb.e[u][n].paddr == page && c->tlb.e[u][n].tag_write != TLB_INVALID) {
				c->tlb.e[u][n].tag_code = c->tlb.e[u][n].tag_write;
				c->tlb.e[u][n].tag_write = TLB_INVALID;
			}
}

/* Slow fetch of one instruction byte by byte (page-crossing or MMIO code). */
static struct block *decode_uncached(struct cpu *c, bool d32)
{
	uint8_t buf[INSN_MAX_LEN];
	struct block *b = icache_scratch(c->icache);
	const struct seg *cs = &c->seg[S_CS];
	for (unsigned n = 0; n < INSN_MAX_LEN; n++) {
		uint32_t off = c->eip + n;
		if (!d32)
			off &= 0xFFFF;
		if (off > cs->limit) {
			/* Decodable without this byte? Otherwise the fetch faults. */
			if (decode_insn(buf, n, d32, &b->insns[0], NULL) > 0)
				break;
			cpu_raise(c, EXC_GP, 0);
		}
		buf[n] = lin_rd8_acc(c, cs->base + off, ACC_EXEC);
		if (decode_insn(buf, n + 1, d32, &b->insns[0], NULL) != DECODE_NEED_MORE)
			break;
	}
	if (decode_insn(buf, INSN_MAX_LEN, d32, &b->insns[0], NULL) == DECODE_TOO_LONG)
		cpu_raise(c, EXC_GP, 0);
	b->insns[0].idx = 0;
	b->insns[0].eoff = 0;
	b->link_stamp = UINT64_MAX; /* never linked: no stamp reaches this */
	b->n = 1;
	b->nbytes = b->insns[0].len;
	b->mode = d32;
	b->ip_mask = d32 ? 0xFFFFFFFFu : 0xFFFFu;
	return b;
}

static struct block *decode_block(struct cpu *c, paddr_t pa, const uint8_t *host, uint8_t mode)
{
	struct block *b = icache_alloc(c->icache, BLOCK_MAX_INSNS);
	if (!b) {
		icache_flush(c->icache);
		tlb_changed(&c->tlb); /* links point into the old arena */
		b = icache_alloc(c->icache, BLOCK_MAX_INSNS);
	}
	const struct seg *cs = &c->seg[S_CS];
	unsigned off = pa & (PAGE_SIZE - 1), n = 0, nbytes = 0;
	uint32_t eip = c->eip;
	while (n < BLOCK_MAX_INSNS && off < PAGE_SIZE) {
		unsigned avail = PAGE_SIZE - off;
		uint64_t left = (uint64_t)cs->limit - eip + 1;
		if (eip > cs->limit || (!mode && eip > 0xFFFF))
			break; /* 16-bit IP wraps: the next instruction is at 0 */
		if (left < avail)
			avail = (unsigned)left;
		if (avail > INSN_MAX_LEN)
			avail = INSN_MAX_LEN;
		const struct opdesc *d;
		int len = decode_insn(host + off, avail, mode, &b->insns[n], &d);
		if (len <= 0)
			break; /* runs past the page or limit, or too long: decoded alone */
		b->insns[n].fn = ops_fast_pick(&b->insns[n]);
		b->insns[n].idx = (uint8_t)n;
		b->insns[n].eoff = (uint16_t)nbytes;
		n++;
		off += (unsigned)len;
		nbytes += (unsigned)len;
		eip += (unsigned)len;
		if (d->flags & D_END || d->kind == K_UD)
			break;
		/* A repeated string instruction counts its iterations into icount
		 * itself, so it must run with icount exact: last in its block. */
		if ((d->flags & D_STR) && (b->insns[n - 1].flags & (I_REP | I_REPNE)))
			break;
	}
	if (n == 0)
		return decode_uncached(c, mode);
	b->paddr = pa;
	b->n = (uint16_t)n;
	b->nbytes = (uint16_t)nbytes;
	b->mode = mode;
	b->ip_mask = mode ? 0xFFFFFFFFu : 0xFFFFu;
	b->link_next = 0;
	b->link_stamp = c->tlb.stamp;
	for (unsigned k = 0; k < BLOCK_LINKS; k++)
		b->link[k] = NULL;
	if (icache_insert(c->icache, b))
		drop_write_tags(c, pa & PAGE_MASK);
	return b;
}

static const struct block *current_block(struct cpu *c)
{
	const struct seg *cs = &c->seg[S_CS];
	uint8_t mode = (cs->ar & AR_DB) ? 1 : 0;
	if (c->eip > cs->limit)
		cpu_raise(c, EXC_GP, 0);
	laddr_t la = cs->base + c->eip;
	struct tlb_entry *e = tlb_entry_acc(c, la, ACC_EXEC);
	if (unlikely(e->tag_read != (la & PAGE_MASK))) {
		mmu_translate(c, la, ACC_EXEC);
		if (e->tag_read != (la & PAGE_MASK))
			return decode_uncached(c, mode); /* MMIO or unmapped */
	}
	paddr_t pa = e->paddr | (la & (PAGE_SIZE - 1));
	struct block *b = icache_lookup(c->icache, pa, mode);
	if (likely(b) && likely((uint64_t)c->eip + b->nbytes - 1 <= cs->limit))
		return b;
	if (b)
		return decode_uncached(c, mode);
	return decode_block(c, pa, (const uint8_t *)(e->addend + (la & PAGE_MASK)), mode);
}

/* The block at CS:EIP after prev ran: through prev's links when the
 * link stamp is unchanged (icache.h, tlb.h) and one was made at this EIP,
 * else the full lookup, whose result becomes one of prev's links. */
static const struct block *next_block(struct cpu *c, struct block *prev)
{
	uint32_t eip = c->eip;
	if (likely(prev->link_stamp == c->tlb.stamp)) {
		for (unsigned k = 0; k < BLOCK_LINKS; k++)
			if (prev->link_eip[k] == eip && prev->link[k])
				return prev->link[k];
	}
	uint64_t stamp = c->tlb.stamp;
	const struct block *b = current_block(c);
	struct block *scratch = icache_scratch(c->icache);
	if (c->tlb.stamp != stamp || b == scratch || prev == scratch)
		return b;
	if (prev->link_stamp != stamp) {
		prev->link_stamp = stamp;
		for (unsigned k = 0; k < BLOCK_LINKS; k++)
			prev->link[k] = NULL;
	}
	unsigned k = prev->link_next;
	prev->link_next = (uint8_t)((k + 1) % BLOCK_LINKS);
	prev->link[k] = (struct block *)b;
	prev->link_eip[k] = eip;
	return b;
}

static bool contributory(int v)
{
	return v == EXC_DE || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP;
}

static bool has_error_code(int v)
{
	return v == EXC_DF || (v >= EXC_TS && v <= EXC_PF) || v == EXC_AC;
}

/* EIP and icount of the instruction that faulted, when it ran inside a
 * block with lazy EIP and icount (cpu.h). */
static void sync_faulting_insn(struct cpu *c)
{
	const struct insn *i = c->cur;
	if (!i)
		return;
	uint32_t eip = c->eip + i->eoff;
	c->eip = (c->seg[S_CS].ar & AR_DB) ? eip : eip & 0xFFFF;
	c->icount = c->blk_icount + i->idx;
	c->cur = NULL;
}

static void deliver_exception(struct cpu *c)
{
	sync_faulting_insn(c);
	int v = c->exc_vector;
	debug_cancel(c);
	int32_t err = has_error_code(v) ? c->exc_error : EXC_NO_ERROR;
	if (c->exc_nest == 2) { /* fault while delivering #DF */
		c->shutdown = true;
		c->exc_nest = 0;
		cpu_kick(c);
		return;
	}
	if (c->exc_nest == 1) {
		int first = c->exc_first;
		if ((contributory(first) && contributory(v)) ||
		    (first == EXC_PF && (contributory(v) || v == EXC_PF))) {
			v = EXC_DF;
			err = 0;
			c->exc_nest = 2;
		}
	} else {
		c->exc_nest = 1;
	}
	c->exc_first = v;
	/* A delivery costs one instruction's worth of virtual time, so that a
	 * fault loop still advances time and meets its instruction budget. */
	c->icount++;
	cpu_interrupt(c, (unsigned)v, INT_EXCEPTION, err, c->eip);
	c->exc_nest = 0;
}

static bool in_shadow(const struct cpu *c) { return c->icount <= c->shadow_icount && c->shadow_icount; }

/* Instruction-boundary events. Returns true when cpu_run must return. */
static bool attention(struct cpu *c, enum cpu_exit *why)
{
	if (c->shutdown) {
		*why = CPU_EXIT_SHUTDOWN;
		return true;
	}
	if (c->exit_request) {
		c->exit_request = false;
		*why = CPU_EXIT_REQUEST;
		return true;
	}
	if (c->icount >= c->until) {
		*why = CPU_EXIT_BUDGET;
		return true;
	}
	if (unlikely(c->dbg.step || c->dbg.hits))
		debug_after(c);
	if (c->intr && (c->eflags & F_IF) && !in_shadow(c)) {
		c->halted = false;
		uint8_t vec = c->cb.intr_ack(c->cb.opaque);
		cpu_interrupt(c, vec, INT_HARDWARE, EXC_NO_ERROR, c->eip);
	}
	if (c->halted) {
		*why = CPU_EXIT_HALT;
		return true;
	}
	c->stop_icount = c->until;
	if (in_shadow(c) && c->shadow_icount + 1 < c->stop_icount)
		c->stop_icount = c->shadow_icount + 1;
	if (debug_before(c))
		c->stop_icount = c->icount + 1;
	return false;
}

/* Run one block. EIP and icount stay at the block's start while the
 * instructions before the last run (only the last may read or move EIP,
 * cpu.h), so each of those costs a store and a call. The loop's bound,
 * run_end, is the last instruction, or the one at the next deadline (a
 * timer, the budget, the end of an interrupt shadow, a single step) when
 * that falls inside the block; cpu_kick clears it to leave after the
 * instruction running. Returns whether the
 * block ended by a transfer of its own (its links may be used next). */
static inline bool run_block(struct cpu *c, const struct block *b)
{
	const struct insn *i = b->insns, *last = i + b->n - 1;
	bool whole = c->icount + b->n <= c->stop_icount;
	c->blk_icount = c->icount;
	c->run_end = whole ? last : i + (c->stop_icount - c->icount);
	while (i < c->run_end) {
		c->cur = i;
		i->fn(c, i);
		i++;
	}
	c->cur = NULL;
	if (likely(whole && c->run_end == last)) {
		c->icount = c->blk_icount + last->idx;
		c->eip = (c->eip + last->eoff) & b->ip_mask;
		c->next_eip = (c->eip + last->len) & b->ip_mask;
		last->fn(c, last);
		c->eip = c->next_eip;
		c->icount++;
		return true;
	}
	/* Left early: i is the next instruction of the block. */
	c->icount = c->blk_icount + i->idx;
	c->eip = (c->eip + i->eoff) & b->ip_mask;
	return false;
}

/* The dispatch loop, apart from cpu_run so that its setjmp does not force
 * the loop's variables (c itself, the block pointers) out to the stack:
 * an exception longjmps back to cpu_run, which re-enters here. */
static __attribute__((noinline)) enum cpu_exit run_blocks(struct cpu *c)
{
	enum cpu_exit why;
	/* The block that just ran, when it ended by its own transfer. */
	const struct block *prev = NULL;
	for (;;) {
		if (unlikely(c->icount >= c->stop_icount)) {
			prev = NULL;
			if (attention(c, &why))
				return why;
			continue;
		}
		const struct block *b = prev ? next_block(c, (struct block *)prev) : current_block(c);
		prev = run_block(c, b) ? b : NULL;
	}
}

enum cpu_exit cpu_run(struct cpu *c, uint64_t until)
{
	c->until = until;
	c->stop_icount = 0;
	if (setjmp(c->jmp))
		deliver_exception(c);
	return run_blocks(c);
}
