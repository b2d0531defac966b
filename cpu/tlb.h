/*
 * Software TLB: linear page -> host pointer. One table per privilege class
 * (supervisor, user), so a hit needs only a tag compare: permissions were
 * checked when the entry was filled. A tag of 1 never matches a page address.
 * Pages that hold decoded code or are MMIO get no write tag, so ordinary
 * writes need no self-modifying-code check.
 */
#ifndef POPEK_TLB_H
#define POPEK_TLB_H

#include "mem/types.h"

#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID 1u
#define TLB_LIVE_MAX 256
#define TLB_CS_MAX 32        /* CS states named per epoch */
#define TLB_CS_UNNAMED 0xFFu /* the CS state current when the epoch moved */

/* What a block link relies on besides the translations: the code
 * segment's base, limit and D bit, and the CPL (which TLB half checks
 * the fetch). */
struct tlb_cs {
	uint32_t base, limit;
	uint8_t d, cpl;
};

/* 32 bytes, so that an entry's address is a shift and an add. */
struct tlb_entry {
	uint32_t tag_read;  /* linear page address, or TLB_INVALID */
	uint32_t tag_write;
	uintptr_t addend;   /* host = addend + linear */
	paddr_t paddr;      /* physical page (code marking drops write tags by it) */
	/* Writable, but the page holds decoded code: writes check the block
	 * cache's byte map and store without a page walk (mmu_write_slow). */
	uint32_t tag_code;
	bool global;
	uint8_t pad[7];
};
_Static_assert(sizeof(struct tlb_entry) == 32, "TLB entry is not 32 bytes");

struct tlb {
	struct tlb_entry e[2][TLB_SIZE]; /* [0] supervisor (CPL 0-2), [1] user (CPL 3) */
	/* Changes whenever a translation may have changed, more CS states
	 * were seen than cs[] names, or the block arena was flushed: block
	 * links (exec.c, icache.h) made under another epoch are not used. */
	uint64_t epoch;
	/* Block links are made and used under stamp: the epoch and which CS
	 * state (cs[], named on its first load in the epoch) is current. Code
	 * that goes back and forth between a few code segments (real-mode far
	 * calls, BIOS calls from protected mode through real mode) finds its
	 * links again each time it returns to one. epoch < 2^56, so the stamp
	 * is exact. */
	uint64_t stamp;
	unsigned n_cs, last_cs;
	struct tlb_cs cs[TLB_CS_MAX];
	/* Entries filled since the last flush (index user * TLB_SIZE + slot),
	 * so that a flush clears those only: code that switches between real
	 * and protected mode flushes often with few entries in use. n_live
	 * above TLB_LIVE_MAX means the list overflowed: clear them all. */
	unsigned n_live;
	uint16_t live[TLB_LIVE_MAX];
};

static inline void tlb_drop(struct tlb_entry *e)
{
	e->tag_read = e->tag_write = e->tag_code = TLB_INVALID;
	e->global = false;
}

/* Note entry idx (user * TLB_SIZE + slot) as live (overflowing the list
 * when it is full). */
static inline void tlb_relist(struct tlb *t, unsigned idx)
{
	if (t->n_live < TLB_LIVE_MAX)
		t->live[t->n_live] = (uint16_t)idx;
	if (t->n_live <= TLB_LIVE_MAX)
		t->n_live++;
}

static inline void tlb_changed(struct tlb *t)
{
	t->epoch++;
	t->n_cs = 0;
	t->stamp = t->epoch << 8 | TLB_CS_UNNAMED;
}

#endif
