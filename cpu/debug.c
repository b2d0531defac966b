/*
 * Single-step and DR0-DR3 breakpoints (Intel SDM vol. 3, 17.2 "Debug
 * Registers", 17.3.1 "Debug Exception (#DB)"): instruction breakpoints are
 * faults taken before the instruction unless RF is set; RF is cleared at the
 * start of each instruction after that check; data breakpoints and single
 * step are traps taken after the instruction, together in one #DB whose DR6
 * has every reason set. DR6 bits are sticky: the processor never clears
 * them.
 * Deviations: I/O breakpoints (RW = 10 with CR4.DE) and the TSS T bit are
 * not modelled; MOV SS does not suppress the single-step trap of the next
 * instruction; DR7.GD is left to the MOV DRn handler.
 */
#include "cpu/debug.h"

#include <string.h>

#include "cpu/cpu.h"
#include "cpu/interrupt.h"
#include "cpu/mmu.h"

static bool bp_enabled(uint32_t dr7, unsigned n) { return (dr7 >> (2 * n)) & 3; }
static unsigned bp_rw(uint32_t dr7, unsigned n) { return (dr7 >> (16 + 4 * n)) & 3; }
static uint32_t bp_len(uint32_t dr7, unsigned n)
{
	static const uint8_t len[4] = { 1, 2, 8, 4 };
	return len[(dr7 >> (18 + 4 * n)) & 3];
}

static bool bp_data(uint32_t dr7, unsigned n)
{
	unsigned rw = bp_rw(dr7, n);
	return bp_enabled(dr7, n) && (rw == 1 || rw == 3);
}

/* Recompute whether data breakpoints changed; the TLB must forget pages
 * whose watch state may differ. */
/* DR0-DR3 and DR7 as debug_refresh last saw them: it would change nothing. */
static bool debug_regs_seen(const struct cpu *c)
{
	const uint32_t *s = c->dbg.seen;
	return ((c->dr[0] ^ s[0]) | (c->dr[1] ^ s[1]) | (c->dr[2] ^ s[2]) | (c->dr[3] ^ s[3]) |
		(c->dr[7] ^ s[4])) == 0;
}

static void debug_refresh(struct cpu *c)
{
	bool data = false;
	for (unsigned n = 0; n < 4; n++)
		data |= bp_data(c->dr[7], n);
	if (!debug_regs_seen(c) && (data || c->dbg.data))
		cpu_flush_tlb(c, false);
	uint32_t now[5] = { c->dr[0], c->dr[1], c->dr[2], c->dr[3], c->dr[7] };
	memcpy(c->dbg.seen, now, sizeof(now));
	c->dbg.data = data;
}

static void deliver_db(struct cpu *c, uint32_t dr6_bits)
{
	c->dr[6] |= dr6_bits;
	c->icount++; /* a delivery costs one instruction of virtual time */
	cpu_interrupt(c, EXC_DB, INT_EXCEPTION, EXC_NO_ERROR, c->eip);
}

void debug_after(struct cpu *c)
{
	uint32_t bits = c->dbg.hits | (c->dbg.step ? DR6_BS : 0);
	debug_cancel(c);
	if (bits)
		deliver_db(c, bits);
}

void debug_cancel(struct cpu *c)
{
	c->dbg.hits = 0;
	c->dbg.step = false;
}

static uint32_t code_hits(const struct cpu *c)
{
	uint32_t la = c->seg[S_CS].base + c->eip, hits = 0;
	for (unsigned n = 0; n < 4; n++)
		if (bp_enabled(c->dr[7], n) && bp_rw(c->dr[7], n) == 0 && c->dr[n] == la)
			hits |= 1u << n;
	return hits;
}


bool debug_before(struct cpu *c)
{
	/* Every kick (POPF, STI, an IRQ, a far transfer) comes here: the
	 * common case, no breakpoint and neither TF nor RF, is a few compares. */
	if (likely(debug_regs_seen(c) && !(c->dr[7] & 0xFF) && !(c->eflags & (F_TF | F_RF)))) {
		c->dbg.active = false;
		return false;
	}
	debug_refresh(c);
	bool bps = (c->dr[7] & 0xFF) != 0;
	c->dbg.active = bps || (c->eflags & (F_TF | F_RF));
	if (!c->dbg.active)
		return false;
	if (c->eflags & F_RF) {
		c->eflags &= ~F_RF;
	} else if (bps) {
		uint32_t hits = code_hits(c);
		if (hits)
			deliver_db(c, hits);
	}
	c->dbg.step = (c->eflags & F_TF) != 0;
	return true;
}

void debug_data_access(struct cpu *c, laddr_t la, unsigned size, unsigned acc)
{
	if (acc & ACC_EXEC)
		return;
	bool write = acc & ACC_WRITE;
	uint32_t dr7 = c->dr[7];
	for (unsigned n = 0; n < 4; n++) {
		if (!bp_data(dr7, n) || (bp_rw(dr7, n) == 1 && !write))
			continue;
		uint32_t len = bp_len(dr7, n), start = c->dr[n] & ~(len - 1);
		if (la < start + len && start < la + size)
			c->dbg.hits |= 1u << n;
	}
}

bool debug_page_watched(const struct cpu *c, laddr_t page)
{
	for (unsigned n = 0; n < 4; n++)
		if (bp_data(c->dr[7], n) && ((c->dr[n] ^ page) & ~0xFFFu) == 0)
			return true;
	return false;
}
