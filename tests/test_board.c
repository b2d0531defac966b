/*
 * Board run loop and the virtual-time scheduler together: a timer a device
 * arms while the CPU runs must fire at its deadline, not when the CPU's
 * current run ends, so that runs do not depend on how the caller slices
 * machine_run (SeaBIOS's floppy boot hung when run in one slice).
 */
#include <criterion/criterion.h>

#include "tests/tm.h"

#define ARM_PORT 0x99
#define DELAY_NS 1000

struct arming_dev {
	struct machine *m;
	struct timer timer;
	vtime_t deadline;
	vtime_t fired_at;
	unsigned fired;
};

static void arming_fire(void *opaque, vtime_t now)
{
	struct arming_dev *d = opaque;
	d->fired_at = now;
	d->fired++;
}

static void arming_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct arming_dev *d = opaque;
	(void)off;
	(void)v;
	(void)size;
	d->deadline = sched_now(machine_sched(d->m)) + DELAY_NS;
	timer_arm(machine_sched(d->m), &d->timer, d->deadline);
}

static const struct io_ops arming_io = { NULL, arming_write };

Test(board, timer_armed_during_a_run_fires_at_its_deadline)
{
	/* out 0x99, al; mov cx, 0xFFFF; loop $; hlt: about 650 us of work */
	struct machine *m = tm_new("e699 b9ffff e2fe f4");
	struct arming_dev d = { .m = m };
	timer_init(&d.timer, arming_fire, &d);
	cr_assert_eq(ioport_register(machine_io(m), ARM_PORT, 1, &arming_io, &d), 0);
	tm_run(m);
	cr_assert_eq(d.fired, 1);
	cr_assert_geq(d.fired_at, d.deadline);
	cr_assert_lt(d.fired_at, d.deadline + machine_config(m)->ns_per_insn,
		     "fired at %llu ns, deadline %llu ns", (unsigned long long)d.fired_at,
		     (unsigned long long)d.deadline);
	tm_free(m);
}
