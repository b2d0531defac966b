/* I/O port dispatch (see ioport.h). */
#include "devices/ioport.h"

void ioport_init(struct ioport_table *t)
{
	for (unsigned i = 0; i < 65536; i++)
		t->owner[i] = 0;
	t->nranges = 0;
}

int ioport_register(struct ioport_table *t, uint16_t base, uint32_t len,
		    const struct io_ops *ops, void *opaque)
{
	if (len == 0 || base + len > 65536)
		return -1;
	for (uint32_t p = base; p < base + len; p++)
		if (t->owner[p])
			return -1;
	/* Reuse a slot freed by ioport_unregister before growing the table. */
	unsigned slot = 0;
	while (slot < t->nranges && t->ranges[slot].len)
		slot++;
	if (slot == IOPORT_MAX_RANGES)
		return -1;
	if (slot == t->nranges)
		t->nranges++;
	t->ranges[slot] = (struct io_range){ base, len, ops, opaque };
	for (uint32_t p = base; p < base + len; p++)
		t->owner[p] = (uint16_t)(slot + 1);
	return 0;
}

int ioport_unregister(struct ioport_table *t, uint16_t base, uint32_t len)
{
	unsigned o = t->owner[base];
	if (!o || t->ranges[o - 1].base != base || t->ranges[o - 1].len != len)
		return -1;
	for (uint32_t p = base; p < base + len; p++)
		t->owner[p] = 0;
	t->ranges[o - 1] = (struct io_range){ 0 };
	return 0;
}

/* The range that holds the whole access, or NULL when it must be split. */
static struct io_range *whole_range(struct ioport_table *t, uint16_t port, unsigned size)
{
	unsigned o = t->owner[port];
	if (!o)
		return NULL;
	struct io_range *r = &t->ranges[o - 1];
	if ((uint32_t)port + size > r->base + r->len)
		return NULL;
	return r;
}

static uint32_t all_ones(unsigned size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

uint32_t ioport_read(struct ioport_table *t, uint16_t port, unsigned size)
{
	struct io_range *r = whole_range(t, port, size);
	if (r)
		return r->ops->read ? r->ops->read(r->opaque, port - r->base, size) : all_ones(size);
	if (size == 1)
		return 0xFF; /* unclaimed: the ISA bus floats high */
	/* Straddles ranges (or partly unclaimed): split into byte accesses. */
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= ioport_read(t, (uint16_t)(port + i), 1) << (8 * i);
	return v;
}

void ioport_write(struct ioport_table *t, uint16_t port, uint32_t value, unsigned size)
{
	struct io_range *r = whole_range(t, port, size);
	if (r) {
		if (r->ops->write)
			r->ops->write(r->opaque, port - r->base, value, size);
		return;
	}
	if (size == 1)
		return;
	for (unsigned i = 0; i < size; i++)
		ioport_write(t, (uint16_t)(port + i), (value >> (8 * i)) & 0xFF, 1);
}
