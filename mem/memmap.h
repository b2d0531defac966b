/*
 * The guest physical address space: 2^20 pages of 4 KiB, each backed by a
 * host pointer for reads and one for writes (RAM: both; ROM: read only, writes
 * dropped; shadow RAM under the i440FX PAM registers: either), or by an MMIO
 * region. Each page also carries a "holds decoded code" mask (one bit per
 * 128-byte chunk) so the CPU's icache can be invalidated when code is written;
 * the CPU never gets a direct write pointer into a page with code.
 *
 * DMA and devices use memmap_read/memmap_write, which honour MMIO and code
 * invalidation. The A20 gate is applied by the CPU, not here: on a PC the gate
 * sits between CPU and memory, so bus masters are not affected.
 */
#ifndef POPEK_MEMMAP_H
#define POPEK_MEMMAP_H

#include "devices/ioport.h"
#include "mem/types.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096u
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define NPAGES (1u << 20)
#define CODE_CHUNK_SHIFT 7 /* 128-byte chunks: 32 per page */
#define MEMMAP_MAX_MMIO 64

struct mmio_region {
	paddr_t base;
	uint32_t len;
	const struct io_ops *ops;
	void *opaque;
};

struct mem_page {
	uint8_t *read;  /* host address of the page's first byte, or NULL */
	uint8_t *write; /* host address for writes, or NULL (ROM or MMIO) */
	uint16_t mmio;  /* 1-based index into regions, or 0 */
	uint32_t code;  /* bit n: chunk n holds decoded instructions */
};

struct memmap {
	uint8_t *ram;
	uint32_t ram_size;
	struct mem_page *pages; /* NPAGES entries */
	struct mmio_region regions[MEMMAP_MAX_MMIO];
	unsigned nregions;
	/* Called when a write hits a chunk that holds code (paddr of the write). */
	void (*code_written)(void *opaque, paddr_t addr, unsigned len);
	/* Called when any page's mapping changes (the CPU flushes its TLB). */
	void (*map_changed)(void *opaque);
	void *cb_opaque;
};

/* Allocates ram_size bytes of RAM (a multiple of 4 KiB) mapped from 0, with
 * the PC hole: 0xA0000-0xFFFFF unmapped until devices and firmware claim it. */
int memmap_init(struct memmap *m, uint32_t ram_size);
void memmap_destroy(struct memmap *m);

/* Map len bytes (page multiples) at paddr; read/write host pointers may be NULL. */
void memmap_map(struct memmap *m, paddr_t paddr, uint32_t len, uint8_t *read, uint8_t *write);
void memmap_map_ram(struct memmap *m, paddr_t paddr, uint32_t len);
void memmap_map_rom(struct memmap *m, paddr_t paddr, uint32_t len, const uint8_t *data);
/* Returns 0, or -1 when the table is full. MMIO pages have no host pointer. */
int memmap_map_mmio(struct memmap *m, paddr_t paddr, uint32_t len,
		    const struct io_ops *ops, void *opaque);
void memmap_unmap(struct memmap *m, paddr_t paddr, uint32_t len);

static inline struct mem_page *memmap_page(struct memmap *m, paddr_t paddr)
{
	return &m->pages[paddr >> PAGE_SHIFT];
}

/* Slow generic access for the CPU (size 1, 2 or 4, within one page). */
uint32_t memmap_load(struct memmap *m, paddr_t paddr, unsigned size);
void memmap_store(struct memmap *m, paddr_t paddr, uint32_t value, unsigned size);
/* Bulk access for DMA and loaders: any length, any alignment. */
void memmap_read(struct memmap *m, paddr_t paddr, void *buf, uint32_t len);
void memmap_write(struct memmap *m, paddr_t paddr, const void *buf, uint32_t len);

/* Mark [paddr, paddr+len) as holding decoded code. Returns true when the page
 * had no code before (the CPU must then drop its write TLB entries for it). */
bool memmap_mark_code(struct memmap *m, paddr_t paddr, uint32_t len);

#endif
