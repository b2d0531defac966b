/* System control port A (0x92): bit 1 gates A20, bit 0 resets on a 0->1
 * transition (IBM PS/2 Hardware Interface Technical Reference). */
#include <criterion/criterion.h>

#include "devices/machine.h"
#include "tests/devtm.h"

/* Let the board act on a pending reset request without running code. */
static void settle(struct devtm *t)
{
	machine_run(t->m, machine_cpu(t->m)->icount);
}

Test(port92, a20_gate_follows_bit_1_and_reads_back)
{
	struct devtm *t = devtm_new(NULL);
	cr_assert(machine_a20(t->m));
	cr_assert_eq(devtm_in(t, 0x92) & 0x02, 0x02);
	devtm_out(t, 0x92, 0x00);
	cr_assert_not(machine_a20(t->m));
	cr_assert_eq(machine_cpu(t->m)->a20_mask, ~(1u << 20));
	cr_assert_eq(devtm_in(t, 0x92) & 0x02, 0x00);
	devtm_out(t, 0x92, 0x02);
	cr_assert(machine_a20(t->m));
	cr_assert_eq(devtm_in(t, 0x92) & 0x02, 0x02);
	devtm_free(t);
}

Test(port92, bit_0_rising_edge_resets_the_machine)
{
	struct devtm *t = devtm_new(NULL);
	struct cpu *c = machine_cpu(t->m);
	c->eip = 0x1234;
	devtm_out(t, 0x92, 0x02);
	settle(t);
	cr_assert_eq(c->eip, 0x1234);
	devtm_out(t, 0x92, 0x03);
	settle(t);
	cr_assert_eq(c->eip, 0xFFF0);
	cr_assert_eq(c->seg[S_CS].sel, 0xF000);
	cr_assert_eq(devtm_in(t, 0x92) & 0x01, 0x00); /* the reset clears the latch */
	devtm_free(t);
}

Test(port92, other_bits_latch)
{
	struct devtm *t = devtm_new(NULL);
	devtm_out(t, 0x92, 0xC2);
	cr_assert_eq(devtm_in(t, 0x92), 0xC2);
	devtm_free(t);
}
