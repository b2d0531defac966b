/* Device test machine (see devtm.h). */
#include "tests/devtm.h"

#include <stdlib.h>

static void stub_set_irq(void *opaque, unsigned irq, int level)
{
	struct devtm *t = opaque;
	irq &= 15;
	if (level && !t->level[irq])
		t->edges[irq]++;
	t->level[irq] = level != 0;
}

static uint8_t stub_ack(void *opaque)
{
	(void)opaque;
	return 0xFF;
}

static const struct intc_ops stub_intc = { stub_set_irq, stub_ack };

struct devtm *devtm_new(const struct machine_config *cfg)
{
	struct machine_config c = { .ram_size = 32u << 20 };
	if (cfg)
		c = *cfg;
	struct devtm *t = calloc(1, sizeof(*t));
	char err[256];
	if (!t)
		abort();
	t->m = machine_new(&c, err, sizeof(err));
	if (!t->m)
		abort();
	machine_set_intc(t->m, &stub_intc, t);
	return t;
}

void devtm_free(struct devtm *t)
{
	machine_free(t->m);
	free(t);
}

uint8_t devtm_in(struct devtm *t, uint16_t port)
{
	return (uint8_t)ioport_read(machine_io(t->m), port, 1);
}

void devtm_out(struct devtm *t, uint16_t port, uint8_t v)
{
	ioport_write(machine_io(t->m), port, v, 1);
}

void devtm_skip_to(struct devtm *t, vtime_t when)
{
	sched_skip_to(machine_sched(t->m), when);
}

vtime_t devtm_now(struct devtm *t)
{
	return sched_now(machine_sched(t->m));
}
