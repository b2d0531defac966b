/*
 * System control port A at 0x92, as on the IBM PS/2 and every chipset since
 * (IBM PS/2 Hardware Interface Technical Reference, "System Control Port A"):
 * bit 0 pulses a CPU reset on a 0->1 transition, bit 1 gates A20, bit 3 is
 * the CMOS security lock, bits 6-7 drive the disk activity light.
 *
 * Deviations: bit 1 reads back the board's A20 gate, which the 8042 output
 * port also drives (last writer wins, where hardware ORs the two); the
 * security lock and the activity light only latch their bits. The latch is
 * cleared by a board reset, as the chipset's reset clears it.
 */
#include "devices/port92.h"

#include <stdlib.h>

#include "devices/machine.h"

#define P92_RESET 0x01u
#define P92_A20 0x02u

struct port92 {
	struct machine *m;
	uint8_t value;
};

static uint32_t port92_read(void *opaque, uint32_t off, unsigned size)
{
	struct port92 *p = opaque;
	(void)off;
	(void)size;
	uint8_t v = (uint8_t)(p->value & ~P92_A20);
	return machine_a20(p->m) ? v | P92_A20 : v;
}

static void port92_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct port92 *p = opaque;
	(void)off;
	(void)size;
	uint8_t old = p->value;
	p->value = (uint8_t)v;
	machine_set_a20(p->m, (v & P92_A20) != 0);
	if ((v & P92_RESET) && !(old & P92_RESET))
		machine_request_reset(p->m);
}

static const struct io_ops port92_io = { port92_read, port92_write };

static void port92_reset(void *dev)
{
	struct port92 *p = dev;
	p->value = 0;
}

static void *port92_create(struct machine *m)
{
	struct port92 *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->m = m;
	if (ioport_register(machine_io(m), 0x92, 1, &port92_io, p) < 0) {
		machine_error(m, "port92: port 0x92 already taken");
		free(p);
		return NULL;
	}
	return p;
}

static const struct state_field port92_fields[] = {
	STATE_FIELD(struct port92, value),
	{ 0 },
};

const struct device_class port92_class = {
	.name = "port92",
	.create = port92_create,
	.reset = port92_reset,
	.destroy = free,
	.fields = port92_fields,
};
