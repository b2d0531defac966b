/* Guest physical memory map (see memmap.h). */
#include "mem/memmap.h"

#include <stdlib.h>
#include <string.h>

int memmap_init(struct memmap *m, uint32_t ram_size)
{
	memset(m, 0, sizeof(*m));
	if (ram_size < (1u << 20) || ram_size % PAGE_SIZE || ram_size > 0xE0000000u)
		return -1;
	m->pages = calloc(NPAGES, sizeof(*m->pages));
	m->ram = calloc(1, ram_size);
	if (!m->pages || !m->ram) {
		memmap_destroy(m);
		return -1;
	}
	m->ram_size = ram_size;
	memmap_map_ram(m, 0, 0xA0000);
	memmap_map_ram(m, 0x100000, ram_size - 0x100000);
	return 0;
}

void memmap_destroy(struct memmap *m)
{
	free(m->pages);
	free(m->ram);
	m->pages = NULL;
	m->ram = NULL;
}

static void changed(struct memmap *m)
{
	if (m->map_changed)
		m->map_changed(m->cb_opaque);
}

void memmap_map(struct memmap *m, paddr_t paddr, uint32_t len, uint8_t *read, uint8_t *write)
{
	for (uint32_t off = 0; off < len; off += PAGE_SIZE) {
		struct mem_page *p = memmap_page(m, paddr + off);
		p->read = read ? read + off : NULL;
		p->write = write ? write + off : NULL;
		p->mmio = 0;
	}
	changed(m);
}

void memmap_map_ram(struct memmap *m, paddr_t paddr, uint32_t len)
{
	memmap_map(m, paddr, len, m->ram + paddr, m->ram + paddr);
}

void memmap_map_rom(struct memmap *m, paddr_t paddr, uint32_t len, const uint8_t *data)
{
	/* ROM is never written through this mapping: the cast only lets one
	 * pointer type serve both directions. */
	memmap_map(m, paddr, len, (uint8_t *)(uintptr_t)data, NULL);
}

int memmap_map_mmio(struct memmap *m, paddr_t paddr, uint32_t len,
		    const struct io_ops *ops, void *opaque)
{
	if (m->nregions >= MEMMAP_MAX_MMIO)
		return -1;
	m->regions[m->nregions] = (struct mmio_region){ paddr, len, ops, opaque };
	m->nregions++;
	for (uint32_t off = 0; off < len; off += PAGE_SIZE) {
		struct mem_page *p = memmap_page(m, paddr + off);
		p->read = p->write = NULL;
		p->mmio = (uint16_t)m->nregions;
	}
	changed(m);
	return 0;
}

void memmap_unmap(struct memmap *m, paddr_t paddr, uint32_t len)
{
	memmap_map(m, paddr, len, NULL, NULL);
}

static uint32_t ones(unsigned size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static void note_code_write(struct memmap *m, struct mem_page *p, paddr_t paddr, unsigned len)
{
	uint32_t first = (paddr & (PAGE_SIZE - 1)) >> CODE_CHUNK_SHIFT;
	uint32_t last = ((paddr + len - 1) & (PAGE_SIZE - 1)) >> CODE_CHUNK_SHIFT;
	uint32_t span = ((2u << last) - 1) & ~((1u << first) - 1);
	if (last < first)
		span = p->code; /* wrapped past the page: be conservative */
	if ((p->code & span) && m->code_written)
		m->code_written(m->cb_opaque, paddr, len);
}

uint32_t memmap_load(struct memmap *m, paddr_t paddr, unsigned size)
{
	struct mem_page *p = memmap_page(m, paddr);
	uint32_t off = paddr & (PAGE_SIZE - 1);
	if (p->read) {
		uint32_t v = 0;
		memcpy(&v, p->read + off, size);
		return v;
	}
	if (p->mmio) {
		struct mmio_region *r = &m->regions[p->mmio - 1];
		return r->ops->read(r->opaque, paddr - r->base, size);
	}
	return ones(size);
}

void memmap_store(struct memmap *m, paddr_t paddr, uint32_t value, unsigned size)
{
	struct mem_page *p = memmap_page(m, paddr);
	uint32_t off = paddr & (PAGE_SIZE - 1);
	if (p->write) {
		if (unlikely(p->code))
			note_code_write(m, p, paddr, size);
		memcpy(p->write + off, &value, size);
		return;
	}
	if (p->mmio) {
		struct mmio_region *r = &m->regions[p->mmio - 1];
		r->ops->write(r->opaque, paddr - r->base, value, size);
	}
}

void memmap_read(struct memmap *m, paddr_t paddr, void *buf, uint32_t len)
{
	uint8_t *out = buf;
	while (len) {
		uint32_t off = paddr & (PAGE_SIZE - 1);
		uint32_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		struct mem_page *p = memmap_page(m, paddr);
		if (p->read)
			memcpy(out, p->read + off, n);
		else
			for (uint32_t i = 0; i < n; i++)
				out[i] = (uint8_t)memmap_load(m, paddr + i, 1);
		out += n;
		paddr += n;
		len -= n;
	}
}

void memmap_write(struct memmap *m, paddr_t paddr, const void *buf, uint32_t len)
{
	const uint8_t *in = buf;
	while (len) {
		uint32_t off = paddr & (PAGE_SIZE - 1);
		uint32_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		struct mem_page *p = memmap_page(m, paddr);
		if (p->write) {
			if (unlikely(p->code))
				note_code_write(m, p, paddr, n);
			memcpy(p->write + off, in, n);
		} else {
			for (uint32_t i = 0; i < n; i++)
				memmap_store(m, paddr + i, in[i], 1);
		}
		in += n;
		paddr += n;
		len -= n;
	}
}

bool memmap_mark_code(struct memmap *m, paddr_t paddr, uint32_t len)
{
	struct mem_page *p = memmap_page(m, paddr);
	bool was_clean = p->code == 0;
	uint32_t first = (paddr & (PAGE_SIZE - 1)) >> CODE_CHUNK_SHIFT;
	uint32_t last = ((paddr & (PAGE_SIZE - 1)) + len - 1) >> CODE_CHUNK_SHIFT;
	if (last > 31)
		last = 31;
	p->code |= ((2u << last) - 1) & ~((1u << first) - 1);
	return was_clean;
}
