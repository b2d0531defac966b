/* The 8259A pair through its ports, its IRQ inputs and the INTA cycle.
 * Expected values follow the Intel 8259A datasheet (command words, priority
 * rules, poll word) and the PIIX3 datasheet (ELCR). Each test builds a bare
 * machine and creates the PIC alone, so no other device is involved. */
#include <criterion/criterion.h>

#include "devices/pic.h"
#include "tests/tm.h"

struct rig {
	struct machine *m;
	struct pic *pic;
	struct ioport_table *io;
};

static struct rig rig_new(void)
{
	struct rig r;
	r.m = tm_new("f4");
	r.pic = pic_device_class.create(r.m);
	cr_assert_not_null(r.pic);
	r.io = machine_io(r.m);
	return r;
}

static void rig_free(struct rig *r)
{
	tm_free(r->m);
	pic_device_class.destroy(r->pic);
}

static void out(struct rig *r, uint16_t port, uint8_t v) { ioport_write(r->io, port, v, 1); }
static uint8_t in(struct rig *r, uint16_t port) { return (uint8_t)ioport_read(r->io, port, 1); }

static void irq(struct rig *r, unsigned n, int level) { irq_set(machine_isa_irq(r->m, n), level); }

static bool intr(struct rig *r) { return machine_cpu(r->m)->intr; }

/* The sequence PC BIOSes use: edge, cascade, ICW4; vectors 08h and 70h. */
static void bios_init(struct rig *r)
{
	out(r, 0x20, 0x11);
	out(r, 0x21, 0x08);
	out(r, 0x21, 0x04);
	out(r, 0x21, 0x01);
	out(r, 0xA0, 0x11);
	out(r, 0xA1, 0x70);
	out(r, 0xA1, 0x02);
	out(r, 0xA1, 0x01);
}

static uint8_t read_isr(struct rig *r, uint16_t base)
{
	out(r, base, 0x0B); /* OCW3: read ISR */
	return in(r, base);
}

static uint8_t read_irr(struct rig *r, uint16_t base)
{
	out(r, base, 0x0A); /* OCW3: read IRR */
	return in(r, base);
}

Test(pic, bios_init_leaves_everything_unmasked_and_idle)
{
	struct rig r = rig_new();
	out(&r, 0x21, 0x5A);
	bios_init(&r);
	/* ICW1 clears the IMR. */
	cr_assert_eq(in(&r, 0x21), 0x00);
	cr_assert_eq(in(&r, 0xA1), 0x00);
	cr_assert_eq(read_irr(&r, 0x20), 0);
	cr_assert_eq(read_isr(&r, 0x20), 0);
	cr_assert_not(intr(&r));
	rig_free(&r);
}

Test(pic, ocw1_masks_and_reads_back)
{
	struct rig r = rig_new();
	bios_init(&r);
	out(&r, 0x21, 0xB8);
	out(&r, 0xA1, 0x3F);
	cr_assert_eq(in(&r, 0x21), 0xB8);
	cr_assert_eq(in(&r, 0xA1), 0x3F);
	rig_free(&r);
}

Test(pic, edge_request_is_acknowledged_and_ended)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 0, 1);
	/* After ICW1 the read register is the IRR. */
	cr_assert_eq(in(&r, 0x20), 0x01);
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x08);
	cr_assert_eq(read_irr(&r, 0x20), 0x00);
	cr_assert_eq(read_isr(&r, 0x20), 0x01);
	cr_assert_not(intr(&r));
	out(&r, 0x20, 0x20); /* non-specific EOI */
	cr_assert_eq(read_isr(&r, 0x20), 0x00);
	/* The line is still high: no new edge, no new request. */
	cr_assert_not(intr(&r));
	rig_free(&r);
}

Test(pic, ocw3_read_register_selection_persists)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 1, 1);
	irq(&r, 3, 1);
	pic_intack(r.pic);
	out(&r, 0x20, 0x0B);
	cr_assert_eq(in(&r, 0x20), 0x02);
	cr_assert_eq(in(&r, 0x20), 0x02);
	out(&r, 0x20, 0x0A);
	cr_assert_eq(in(&r, 0x20), 0x08);
	/* OCW3 with RR = 0 leaves the selection alone. */
	out(&r, 0x20, 0x08);
	cr_assert_eq(in(&r, 0x20), 0x08);
	rig_free(&r);
}

Test(pic, masked_request_waits_in_irr)
{
	struct rig r = rig_new();
	bios_init(&r);
	out(&r, 0x21, 0x01);
	irq(&r, 0, 1);
	cr_assert_eq(read_irr(&r, 0x20), 0x01);
	cr_assert_not(intr(&r));
	out(&r, 0x21, 0x00);
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x08);
	rig_free(&r);
}

Test(pic, fully_nested_priority_order)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 5, 1);
	irq(&r, 3, 1);
	cr_assert_eq(pic_intack(r.pic), 0x0B);
	/* IR5 is lower than IR3, which is in service. */
	cr_assert_not(intr(&r));
	/* IR1 is higher: it nests. */
	irq(&r, 1, 1);
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x09);
	cr_assert_eq(read_isr(&r, 0x20), 0x0A);
	out(&r, 0x20, 0x20); /* ends IR1, the highest in service */
	cr_assert_eq(read_isr(&r, 0x20), 0x08);
	cr_assert_not(intr(&r));
	out(&r, 0x20, 0x20);
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x0D);
	rig_free(&r);
}

Test(pic, specific_eoi_clears_the_named_level)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 3, 1);
	pic_intack(r.pic);
	irq(&r, 1, 1);
	pic_intack(r.pic);
	cr_assert_eq(read_isr(&r, 0x20), 0x0A);
	out(&r, 0x20, 0x63); /* specific EOI, level 3 */
	cr_assert_eq(read_isr(&r, 0x20), 0x02);
	rig_free(&r);
}

Test(pic, cascade_irq9_gives_the_slave_vector)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 9, 1);
	cr_assert_eq(read_irr(&r, 0xA0), 0x02);
	cr_assert_eq(read_irr(&r, 0x20), 0x04);
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x71);
	cr_assert_eq(read_isr(&r, 0xA0), 0x02);
	cr_assert_eq(read_isr(&r, 0x20), 0x04);
	out(&r, 0xA0, 0x20);
	out(&r, 0x20, 0x20);
	cr_assert_eq(read_isr(&r, 0xA0), 0x00);
	cr_assert_eq(read_isr(&r, 0x20), 0x00);
	rig_free(&r);
}

Test(pic, slave_in_auto_eoi_mode_loses_no_request)
{
	struct rig r = rig_new();
	bios_init(&r);
	out(&r, 0xA0, 0x11);
	out(&r, 0xA1, 0x70);
	out(&r, 0xA1, 0x02);
	out(&r, 0xA1, 0x03); /* slave: AEOI */
	irq(&r, 9, 1);
	irq(&r, 12, 1);
	cr_assert_eq(pic_intack(r.pic), 0x71);
	/* IR12 still requests on the slave; the master holds it off until
	 * its own EOI. */
	cr_assert_not(intr(&r));
	out(&r, 0x20, 0x20);
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x74);
	rig_free(&r);
}

Test(pic, isa_irq2_is_wired_to_irq9)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 2, 1);
	cr_assert_eq(pic_intack(r.pic), 0x71);
	rig_free(&r);
}

Test(pic, second_slave_request_follows_after_slave_eoi)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 9, 1);
	irq(&r, 12, 1);
	cr_assert_eq(pic_intack(r.pic), 0x71);
	out(&r, 0xA0, 0x20);
	out(&r, 0x20, 0x20);
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x74);
	rig_free(&r);
}

Test(pic, cpu_takes_the_slave_vector_through_the_ivt)
{
	struct rig r = rig_new();
	bios_init(&r);
	machine_cpu(r.m)->eflags |= F_IF;
	irq(&r, 14, 1);
	cr_assert_eq(tm_run(r.m), MACHINE_HALTED);
	cr_assert_eq(machine_cpu(r.m)->seg[S_CS].sel, 0);
	cr_assert_eq(machine_cpu(r.m)->eip, TM_HANDLERS + 0x76 + 1);
	rig_free(&r);
}

Test(pic, auto_eoi_leaves_isr_clear)
{
	struct rig r = rig_new();
	out(&r, 0x20, 0x11);
	out(&r, 0x21, 0x08);
	out(&r, 0x21, 0x04);
	out(&r, 0x21, 0x03); /* ICW4: 8086 mode, AEOI */
	irq(&r, 3, 1);
	irq(&r, 6, 1);
	cr_assert_eq(pic_intack(r.pic), 0x0B);
	cr_assert_eq(read_isr(&r, 0x20), 0x00);
	/* Nothing in service holds IR6 off. */
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x0E);
	rig_free(&r);
}

Test(pic, rotate_on_nonspecific_eoi_makes_the_level_lowest)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 0, 1);
	cr_assert_eq(pic_intack(r.pic), 0x08);
	out(&r, 0x20, 0xA0); /* rotate on non-specific EOI: IR0 lowest */
	cr_assert_eq(read_isr(&r, 0x20), 0x00);
	irq(&r, 0, 0);
	irq(&r, 0, 1);
	irq(&r, 7, 1);
	/* Order is now 1, 2, ... 7, 0: IR7 beats IR0. */
	cr_assert_eq(pic_intack(r.pic), 0x0F);
	rig_free(&r);
}

Test(pic, set_priority_command)
{
	struct rig r = rig_new();
	bios_init(&r);
	out(&r, 0x20, 0xC4); /* IR4 lowest, IR5 highest */
	irq(&r, 3, 1);
	irq(&r, 6, 1);
	cr_assert_eq(pic_intack(r.pic), 0x0E);
	/* IR3 now ranks below IR6, which is in service. */
	cr_assert_not(intr(&r));
	rig_free(&r);
}

Test(pic, rotate_on_specific_eoi)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 3, 1);
	pic_intack(r.pic);
	out(&r, 0x20, 0xE3); /* end IR3, IR3 lowest: order 4..7,0..3 */
	cr_assert_eq(read_isr(&r, 0x20), 0x00);
	irq(&r, 1, 1);
	irq(&r, 4, 1);
	cr_assert_eq(pic_intack(r.pic), 0x0C);
	rig_free(&r);
}

Test(pic, rotate_in_auto_eoi_mode)
{
	struct rig r = rig_new();
	out(&r, 0x20, 0x11);
	out(&r, 0x21, 0x08);
	out(&r, 0x21, 0x04);
	out(&r, 0x21, 0x03);
	out(&r, 0x20, 0x80); /* set rotate in AEOI */
	irq(&r, 1, 1);
	irq(&r, 0, 1);
	cr_assert_eq(pic_intack(r.pic), 0x08);
	/* IR0 became lowest: IR1 is next, then IR0 again after a new edge. */
	irq(&r, 0, 0);
	irq(&r, 0, 1);
	cr_assert_eq(pic_intack(r.pic), 0x09);
	cr_assert_eq(pic_intack(r.pic), 0x08);
	rig_free(&r);
}

Test(pic, poll_command_returns_the_level_and_services_it)
{
	struct rig r = rig_new();
	bios_init(&r);
	out(&r, 0x21, 0xFF); /* polled systems keep INT from the CPU */
	out(&r, 0x21, 0x00);
	irq(&r, 6, 1);
	irq(&r, 3, 1);
	out(&r, 0x20, 0x0C); /* OCW3: poll */
	cr_assert_eq(in(&r, 0x20), 0x83);
	cr_assert_eq(read_isr(&r, 0x20), 0x08);
	cr_assert_eq(read_irr(&r, 0x20), 0x40);
	/* Poll is good for one read only. */
	cr_assert_eq(read_irr(&r, 0x20), 0x40);
	out(&r, 0x20, 0x20);
	out(&r, 0x20, 0x0C);
	cr_assert_eq(in(&r, 0x20), 0x86);
	out(&r, 0x20, 0x20);
	out(&r, 0x20, 0x0C);
	cr_assert_eq(in(&r, 0x20) & 0x80, 0);
	rig_free(&r);
}

Test(pic, special_mask_mode_lets_lower_levels_in)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 3, 1);
	pic_intack(r.pic);
	out(&r, 0x21, 0x08);
	irq(&r, 5, 1);
	cr_assert_not(intr(&r));
	out(&r, 0x20, 0x68); /* OCW3: set special mask mode */
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x0D);
	out(&r, 0x20, 0x65); /* specific EOI IR5 */
	out(&r, 0x20, 0x48); /* reset special mask mode */
	irq(&r, 6, 1);
	cr_assert_not(intr(&r));
	rig_free(&r);
}

Test(pic, elcr_fixed_edge_bits_read_zero)
{
	struct rig r = rig_new();
	out(&r, 0x4D0, 0xFF);
	out(&r, 0x4D1, 0xFF);
	cr_assert_eq(in(&r, 0x4D0), 0xF8);
	cr_assert_eq(in(&r, 0x4D1), 0xDE);
	rig_free(&r);
}

Test(pic, level_triggered_request_repeats_while_high)
{
	struct rig r = rig_new();
	bios_init(&r);
	out(&r, 0x4D1, 0x04); /* IRQ 10 level-triggered */
	irq(&r, 10, 1);
	cr_assert_eq(pic_intack(r.pic), 0x72);
	out(&r, 0xA0, 0x20);
	out(&r, 0x20, 0x20);
	/* Still high: requests again. */
	cr_assert(intr(&r));
	cr_assert_eq(pic_intack(r.pic), 0x72);
	out(&r, 0xA0, 0x20);
	out(&r, 0x20, 0x20);
	irq(&r, 10, 0);
	cr_assert_not(intr(&r));
	cr_assert_eq(read_irr(&r, 0xA0), 0x00);
	rig_free(&r);
}

Test(pic, edge_triggered_request_does_not_repeat)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 10, 1);
	cr_assert_eq(pic_intack(r.pic), 0x72);
	out(&r, 0xA0, 0x20);
	out(&r, 0x20, 0x20);
	cr_assert_not(intr(&r));
	cr_assert_eq(read_irr(&r, 0xA0), 0x00);
	rig_free(&r);
}

Test(pic, level_input_high_before_elcr_write_requests)
{
	struct rig r = rig_new();
	bios_init(&r);
	out(&r, 0x21, 0x08);
	irq(&r, 3, 1);
	irq(&r, 3, 0);
	irq(&r, 3, 1);
	out(&r, 0x20, 0x11); /* ICW1 resets the edge sense: IRR3 drops */
	out(&r, 0x21, 0x08);
	out(&r, 0x21, 0x04);
	out(&r, 0x21, 0x01);
	cr_assert_eq(read_irr(&r, 0x20), 0x00);
	out(&r, 0x4D0, 0x08);
	cr_assert_eq(read_irr(&r, 0x20), 0x08);
	rig_free(&r);
}

Test(pic, withdrawn_request_gives_spurious_irq7)
{
	struct rig r = rig_new();
	bios_init(&r);
	irq(&r, 4, 1);
	cr_assert(intr(&r));
	irq(&r, 4, 0);
	cr_assert_eq(pic_intack(r.pic), 0x0F);
	/* A spurious IR7 does not set the ISR. */
	cr_assert_eq(read_isr(&r, 0x20), 0x00);
	rig_free(&r);
}

Test(pic, single_mode_skips_icw3)
{
	struct rig r = rig_new();
	out(&r, 0x20, 0x13); /* single, ICW4 */
	out(&r, 0x21, 0x20);
	out(&r, 0x21, 0x01); /* ICW4, not ICW3 */
	out(&r, 0x21, 0xFB); /* OCW1 */
	cr_assert_eq(in(&r, 0x21), 0xFB);
	irq(&r, 1, 1);
	cr_assert_not(intr(&r));
	out(&r, 0x21, 0x00);
	cr_assert_eq(pic_intack(r.pic), 0x21);
	rig_free(&r);
}

Test(pic, word_access_reaches_both_ports)
{
	struct rig r = rig_new();
	bios_init(&r);
	out(&r, 0x21, 0x5A);
	cr_assert_eq(ioport_read(r.io, 0x20, 2), 0x5A00);
	rig_free(&r);
}

Test(pic, full_pc_machine_has_the_pic)
{
	struct machine_config cfg = { .ram_size = 1u << 20 };
	char err[256];
	struct machine *m = machine_new(&cfg, err, sizeof(err));
	cr_assert_not_null(m, "%s", err);
	cr_assert_not_null(machine_device(m, "pic"));
	ioport_write(machine_io(m), 0x21, 0xA5, 1);
	cr_assert_eq(ioport_read(machine_io(m), 0x21, 1), 0xA5);
	machine_free(m);
}
