/*
 * Decoded-block cache. A block is a run of decoded instructions that starts
 * at a physical address, stays within one 4 KiB page and ends at a control
 * transfer or mode change (D_END) or a REP string instruction. Blocks are
 * keyed by physical address and the code segment's D bit and live in one
 * arena (flushed whole when it fills). The memory map marks code per
 * 128-byte chunk; a byte map per page (struct code_page) tells which bytes
 * blocks cover, and a write over those bytes drops the blocks, which then
 * run as no-ops for any link still leading to them.
 */
#ifndef POPEK_ICACHE_H
#define POPEK_ICACHE_H

#include "cpu/cpu.h"

#define BLOCK_MAX_INSNS 64

#define BLOCK_LINKS 4
#define BLOCK_DEAD 0xFF /* mode of a block dropped from the cache (then a no-op, icache.c) */

struct block {
	paddr_t paddr;   /* physical address of the first byte */
	uint16_t nbytes; /* bytes covered */
	uint16_t n;      /* instructions */
	uint8_t mode;    /* CS.D when decoded, BLOCK_DEAD once invalidated */
	uint8_t link_next; /* link slot to fill next */
	uint32_t ip_mask; /* 0xFFFF in a 16-bit code segment, else 0xFFFFFFFF */
	/* Blocks that ran after this one, at EIP link_eip[k]. The links hold
	 * while the TLB's link stamp is link_stamp (tlb.h): the epoch in it
	 * moves whenever translations change and whenever the arena is
	 * flushed, and its other part names the CS base, limit and D bit and
	 * the CPL, so an equal stamp means the same code segment and CPL, the
	 * same linear-to-physical mapping and a block still in the arena. A
	 * link may lead to a block invalidated since: that one runs as a no-op
	 * that sends the run loop to a fresh lookup (icache.c). */
	uint64_t link_stamp;
	uint32_t link_eip[BLOCK_LINKS];
	struct block *link[BLOCK_LINKS];
	struct block *hnext; /* chain in the lookup hash */
	struct block *pnext; /* chain in the per-page hash */
	struct insn insns[];
};

#define ICACHE_HASH_BITS 15
#define ICACHE_PAGE_HASH_BITS 12
#define ICACHE_FRONT_BITS 12

/* The hash table is large and its chains scattered; a small direct-mapped
 * table in front of it turns the common block-to-block transition into one
 * load and one compare. A front slot only ever holds a block that is also
 * in the hash, and is cleared whenever that block leaves it. */
/* Which bytes of a physical page cached blocks cover, one bit each. The
 * memory map's code marks are per 128-byte chunk, so a write to data that
 * shares a chunk with code also reaches icache_invalidate; this answers
 * "no block covers those bytes" without walking the page's blocks. */
struct code_page {
	paddr_t page;
	struct code_page *next;
	/* Bit n of byte n / 8 is page offset n; 8 spare zero bytes at the
	 * end let a 64-bit load start at any byte of the map. */
	uint8_t bits[PAGE_SIZE / 8 + 8];
};

struct icache {
	struct block *front[1u << ICACHE_FRONT_BITS];
	struct memmap *mem;
	uint8_t *arena;
	size_t used;
	struct block *hash[1u << ICACHE_HASH_BITS];
	struct block *page_hash[1u << ICACHE_PAGE_HASH_BITS];
	struct code_page *code_pages[1u << ICACHE_PAGE_HASH_BITS];
	struct code_page *last_cp; /* the map found last (writes repeat on one page) */
	struct block *scratch; /* room for one instruction */
};

struct icache *icache_new(struct memmap *mem);
void icache_free(struct icache *ic);
struct block *icache_lookup_slow(struct icache *ic, paddr_t paddr, uint8_t mode);

static inline unsigned icache_front_of(paddr_t paddr)
{
	return (paddr ^ (paddr >> ICACHE_FRONT_BITS)) & ((1u << ICACHE_FRONT_BITS) - 1);
}

static inline struct block *icache_lookup(struct icache *ic, paddr_t paddr, uint8_t mode)
{
	struct block *b = ic->front[icache_front_of(paddr)];
	if (likely(b && b->paddr == paddr && b->mode == mode))
		return b;
	return icache_lookup_slow(ic, paddr, mode);
}
/* Room for a block of up to max insns, or NULL when the arena is full
 * (the caller then flushes, which is only safe between blocks). */
struct block *icache_alloc(struct icache *ic, unsigned max);
/* Publish a filled block: shrinks the allocation to b->n and marks its bytes
 * as code. Returns true when its page held no code before (memmap_mark_code:
 * the CPU must then drop its write TLB entries for the page). */
bool icache_insert(struct icache *ic, struct block *b);
/* Drop blocks overlapping [addr, addr+len); returns how many went. */
unsigned icache_invalidate(struct icache *ic, paddr_t addr, unsigned len);
void icache_flush(struct icache *ic);
/* A one-instruction block that is never cached (page-crossing or MMIO code). */
static inline struct block *icache_scratch(struct icache *ic) { return ic->scratch; }

#endif
