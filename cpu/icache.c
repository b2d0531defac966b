/* Decoded-block cache (see icache.h). */
#include "cpu/icache.h"

#include <stdlib.h>

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

void icache_free(struct icache *ic)
{
	if (ic) {
		free(ic->arena);
		free(ic->scratch);
	}
	free(ic);
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

void icache_insert(struct icache *ic, struct block *b)
{
	ic->used += block_size(b->n);
	unsigned h = hash_of(b->paddr, b->mode);
	b->hnext = ic->hash[h];
	ic->hash[h] = b;
	unsigned p = page_hash_of(b->paddr);
	b->pnext = ic->page_hash[p];
	ic->page_hash[p] = b;
	memmap_mark_code(ic->mem, b->paddr, b->nbytes);
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

unsigned icache_invalidate(struct icache *ic, paddr_t addr, unsigned len)
{
	paddr_t page = addr & PAGE_MASK;
	unsigned dropped = 0;
	uint32_t remaining = 0; /* code chunks of the blocks that stay */
	struct block **p = &ic->page_hash[page_hash_of(addr)];
	while (*p) {
		struct block *b = *p;
		bool same_page = (b->paddr & PAGE_MASK) == page;
		if (same_page && b->paddr < addr + len && addr < b->paddr + b->nbytes) {
			*p = b->pnext;
			unhash(ic, b);
			b->mode = BLOCK_DEAD; /* the caller moves the link epoch */
			dropped++;
			continue;
		}
		if (same_page) {
			uint32_t first = (b->paddr & (PAGE_SIZE - 1)) >> CODE_CHUNK_SHIFT;
			uint32_t last = ((b->paddr & (PAGE_SIZE - 1)) + b->nbytes - 1) >> CODE_CHUNK_SHIFT;
			remaining |= ((2u << last) - 1) & ~((1u << first) - 1);
		}
		p = &b->pnext;
	}
	memmap_page(ic->mem, addr)->code = remaining;
	return dropped;
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
	/* Code marks stay: a stale mark only sends a write down the slow path,
	 * where icache_invalidate finds no block and clears it. */
}

