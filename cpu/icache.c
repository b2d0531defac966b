/* Decoded-block cache (see icache.h). */
#include "cpu/icache.h"

#include <stdlib.h>
#include <string.h>

#define ICACHE_ARENA (16u << 20)
#define HASH_BITS ICACHE_HASH_BITS
#define PAGE_HASH_BITS ICACHE_PAGE_HASH_BITS

static unsigned hash_of(paddr_t paddr, uint8_t mode)
{
	return ((paddr * 0x9E3779B1u) >> (32 - HASH_BITS)) ^ mode;
}
static unsigned page_hash_of(paddr_t paddr)
{
	return (paddr >> PAGE_SHIFT) & ((1u << PAGE_HASH_BITS) - 1);
}

struct icache *icache_new(struct memmap *mem)
{
	struct icache *ic = calloc(1, sizeof(*ic));
	if (!ic)
		return NULL;
	ic->arena = malloc(ICACHE_ARENA);
	ic->scratch = malloc(sizeof(struct block) + sizeof(struct insn));
	if (!ic->arena || !ic->scratch) {
		free(ic->arena);
		free(ic->scratch);
		free(ic);
		return NULL;
	}
	ic->mem = mem;
	return ic;
}

static void free_code_pages(struct icache *ic)
{
	for (unsigned h = 0; h < ARRAY_SIZE(ic->code_pages); h++) {
		while (ic->code_pages[h]) {
			struct code_page *cp = ic->code_pages[h];
			ic->code_pages[h] = cp->next;
			free(cp);
		}
	}
	ic->last_cp = NULL;
}

void icache_free(struct icache *ic)
{
	if (ic) {
		free_code_pages(ic);
		free(ic->arena);
		free(ic->scratch);
	}
	free(ic);
}

static struct code_page *code_page_of(struct icache *ic, paddr_t page)
{
	if (ic->last_cp && ic->last_cp->page == page)
		return ic->last_cp;
	for (struct code_page *cp = ic->code_pages[page_hash_of(page)]; cp; cp = cp->next)
		if (cp->page == page)
			return ic->last_cp = cp;
	return NULL;
}

/* Whole bytes of the map at once where the range covers them: the map is
 * rebuilt block by block after every invalidation on its page. */
static void set_code_bits(struct code_page *cp, unsigned off, unsigned len)
{
	unsigned end = off + len < PAGE_SIZE ? off + len : PAGE_SIZE;
	for (; off < end && (off & 7); off++)
		cp->bits[off >> 3] |= (uint8_t)(1u << (off & 7));
	for (; off + 8 <= end; off += 8)
		cp->bits[off >> 3] = 0xFF;
	for (; off < end; off++)
		cp->bits[off >> 3] |= (uint8_t)(1u << (off & 7));
}

/* Whether any of len (1 to 57) bits from off are set: one unaligned
 * little-endian load of the 8 map bytes from off's. Bits past the page's
 * end read the map's spare bytes, which are zero. */
static bool code_bits57(const struct code_page *cp, unsigned off, unsigned len)
{
	uint64_t w;
	memcpy(&w, cp->bits + (off >> 3), sizeof(w));
	return (w >> (off & 7)) & ((UINT64_C(1) << len) - 1);
}

static bool any_code_bits(const struct code_page *cp, unsigned off, unsigned len)
{
	if (len > PAGE_SIZE - off)
		len = PAGE_SIZE - off;
	for (; len > 57; off += 57, len -= 57)
		if (code_bits57(cp, off, 57))
			return true;
	return len && code_bits57(cp, off, len);
}

/* Note b's bytes in its page's byte map (created on first use). Without
 * memory for one the page simply has none, and invalidation walks its
 * blocks as it would without the map. */
static void note_block_bytes(struct icache *ic, const struct block *b)
{
	paddr_t page = b->paddr & PAGE_MASK;
	struct code_page *cp = code_page_of(ic, page);
	if (!cp) {
		cp = calloc(1, sizeof(*cp));
		if (!cp)
			return;
		cp->page = page;
		cp->next = ic->code_pages[page_hash_of(page)];
		ic->code_pages[page_hash_of(page)] = cp;
	}
	set_code_bits(cp, b->paddr & (PAGE_SIZE - 1), b->nbytes);
}

struct block *icache_lookup_slow(struct icache *ic, paddr_t paddr, uint8_t mode)
{
	for (struct block *b = ic->hash[hash_of(paddr, mode)]; b; b = b->hnext) {
		if (b->paddr == paddr && b->mode == mode) {
			ic->front[icache_front_of(paddr)] = b;
			return b;
		}
	}
	return NULL;
}

static size_t block_size(unsigned n)
{
	size_t s = sizeof(struct block) + n * sizeof(struct insn);
	return (s + 15) & ~(size_t)15;
}

struct block *icache_alloc(struct icache *ic, unsigned max)
{
	if (ic->used + block_size(max) > ICACHE_ARENA)
		return NULL;
	return (struct block *)(ic->arena + ic->used);
}

bool icache_insert(struct icache *ic, struct block *b)
{
	ic->used += block_size(b->n);
	unsigned h = hash_of(b->paddr, b->mode);
	b->hnext = ic->hash[h];
	ic->hash[h] = b;
	unsigned p = page_hash_of(b->paddr);
	b->pnext = ic->page_hash[p];
	ic->page_hash[p] = b;
	bool first_code = memmap_mark_code(ic->mem, b->paddr, b->nbytes);
	note_block_bytes(ic, b);
	return first_code;
}

static void unhash(struct icache *ic, struct block *b)
{
	if (ic->front[icache_front_of(b->paddr)] == b)
		ic->front[icache_front_of(b->paddr)] = NULL;
	for (struct block **p = &ic->hash[hash_of(b->paddr, b->mode)]; *p; p = &(*p)->hnext) {
		if (*p == b) {
			*p = b->hnext;
			return;
		}
	}
}

static void clear_code_bits(struct code_page *cp, unsigned off, unsigned end)
{
	for (unsigned n = off; n < end && n < PAGE_SIZE; n++)
		cp->bits[n >> 3] &= (uint8_t)~(1u << (n & 7));
}

/* The memory map's per-chunk code mask, read off the byte map. */
static uint32_t chunks_of(const struct code_page *cp)
{
	uint32_t mask = 0;
	for (unsigned chunk = 0; chunk < PAGE_SIZE >> CODE_CHUNK_SHIFT; chunk++) {
		uint64_t any = 0, w;
		for (unsigned k = 0; k < (1u << CODE_CHUNK_SHIFT) / 64; k++) {
			memcpy(&w, cp->bits + (chunk << CODE_CHUNK_SHIFT) / 8 + 8 * k, 8);
			any |= w;
		}
		if (any)
			mask |= 1u << chunk;
	}
	return mask;
}

/* The only instruction of a dropped block. Links made before the drop
 * may still lead to the block (dropping blocks does not move the link
 * epoch, which would throw away every link in the cache), so it becomes
 * a block that retires nothing and leaves EIP alone: the run loop then
 * looks the address up afresh. The kick keeps it from linking onward (a
 * chain of dropped blocks would grow with every rewrite of the code). */
static void op_dead_block(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->next_eip = c->eip;
	c->icount--; /* the run loop counts the block's last instruction */
	cpu_kick(c);
}

/* A block that may be running: only its header and first instruction
 * change (the loop has its end already, and reads a later instruction's
 * idx and eoff when it leaves early). */
static void kill_block(struct block *b)
{
	b->mode = BLOCK_DEAD;
	b->n = 1;
	b->insns[0].fn = op_dead_block;
}

/* Unlink the blocks of addr's page that overlap [addr, addr+len); *lo and
 * *hi get the page offsets their bytes spanned. Returns how many went. */
static unsigned drop_overlapping(struct icache *ic, paddr_t addr, unsigned len, unsigned *lo,
				 unsigned *hi)
{
	paddr_t page = addr & PAGE_MASK;
	unsigned dropped = 0;
	*lo = PAGE_SIZE;
	*hi = 0;
	for (struct block **p = &ic->page_hash[page_hash_of(addr)]; *p;) {
		struct block *b = *p;
		if ((b->paddr & PAGE_MASK) == page && b->paddr < addr + len &&
		    addr < b->paddr + b->nbytes) {
			unsigned start = b->paddr & (PAGE_SIZE - 1);
			*lo = start < *lo ? start : *lo;
			*hi = start + b->nbytes > *hi ? start + b->nbytes : *hi;
			*p = b->pnext;
			unhash(ic, b);
			kill_block(b);
			dropped++;
			continue;
		}
		p = &b->pnext;
	}
	return dropped;
}

/* Code chunks of the blocks left on page, walking them (no byte map). */
static uint32_t chunks_by_walk(struct icache *ic, paddr_t page)
{
	uint32_t mask = 0;
	for (struct block *b = ic->page_hash[page_hash_of(page)]; b; b = b->pnext) {
		if ((b->paddr & PAGE_MASK) != page)
			continue;
		uint32_t first = (b->paddr & (PAGE_SIZE - 1)) >> CODE_CHUNK_SHIFT;
		uint32_t last = ((b->paddr & (PAGE_SIZE - 1)) + b->nbytes - 1) >> CODE_CHUNK_SHIFT;
		mask |= ((2u << last) - 1) & ~((1u << first) - 1);
	}
	return mask;
}

/* After blocks spanning page offsets [lo, hi) went: clear those bytes of
 * the map and set again the bytes of the blocks that stay and overlap
 * them (blocks may overlap when code jumps into an instruction's middle). */
static void rebuild_code_bits(struct icache *ic, struct code_page *cp, unsigned lo, unsigned hi)
{
	clear_code_bits(cp, lo, hi);
	for (struct block *b = ic->page_hash[page_hash_of(cp->page)]; b; b = b->pnext) {
		unsigned start = b->paddr & (PAGE_SIZE - 1);
		if ((b->paddr & PAGE_MASK) == cp->page && start < hi && lo < start + b->nbytes)
			set_code_bits(cp, start, b->nbytes);
	}
}

/* Apart, so that the common case (icache_invalidate) needs no stack frame. */
static __attribute__((noinline)) unsigned invalidate_blocks(struct icache *ic, paddr_t addr,
							    unsigned len, struct code_page *cp)
{
	paddr_t page = addr & PAGE_MASK;
	if (cp && !any_code_bits(cp, addr & (PAGE_SIZE - 1), len))
		return 0; /* data beside code in the same chunk */
	unsigned lo, hi;
	unsigned dropped = drop_overlapping(ic, addr, len, &lo, &hi);
	if (cp && dropped)
		rebuild_code_bits(ic, cp, lo, hi);
	memmap_page(ic->mem, addr)->code = cp ? chunks_of(cp) : chunks_by_walk(ic, page);
	return dropped;
}

unsigned icache_invalidate(struct icache *ic, paddr_t addr, unsigned len)
{
	/* A CPU store: data beside code in the same chunk, most likely. */
	struct code_page *cp = code_page_of(ic, addr & PAGE_MASK);
	if (cp && len <= 57 && !code_bits57(cp, addr & (PAGE_SIZE - 1), len))
		return 0;
	return invalidate_blocks(ic, addr, len, cp);
}

void icache_flush(struct icache *ic)
{
	for (unsigned h = 0; h < ARRAY_SIZE(ic->hash); h++)
		ic->hash[h] = NULL;
	for (unsigned h = 0; h < ARRAY_SIZE(ic->page_hash); h++)
		ic->page_hash[h] = NULL;
	for (unsigned h = 0; h < ARRAY_SIZE(ic->front); h++)
		ic->front[h] = NULL;
	ic->used = 0;
	free_code_pages(ic);
	/* Code marks stay: a stale mark only sends a write down the slow path,
	 * where icache_invalidate finds no block and clears it. */
}

