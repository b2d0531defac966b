/* The 8254 and port 0x61 through their ports, with virtual time advanced
 * by the scheduler. Expected values follow the Intel 8254 datasheet: a
 * count is loaded on the first clock after it is written; mode 0 raises
 * OUT N+1 clocks after the write; modes 2 and 3 repeat every N clocks;
 * mode 3 is high for ceil(N/2) and low for floor(N/2) clocks; the status
 * byte is OUT, NULL COUNT, then control word bits 5-0. The clock is
 * 1.193182 MHz (838.095 ns). IRQ 0 goes to a recording interrupt
 * controller, so these tests do not depend on the PIC. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "devices/pic.h"
#include "devices/pit.h"
#include "tests/tm.h"

#define MAX_RISES 256

struct rig {
	struct machine *m;
	void *pit;
	struct ioport_table *io;
	struct sched *s;
	int level;
	unsigned rises;
	vtime_t rise_at[MAX_RISES];
};

static void rec_set_irq(void *opaque, unsigned irq, int level)
{
	struct rig *r = opaque;
	if (irq != 0)
		return;
	if (level && !r->level && r->rises < MAX_RISES)
		r->rise_at[r->rises++] = sched_now(r->s);
	r->level = level;
}

static uint8_t rec_ack(void *opaque)
{
	(void)opaque;
	return 0;
}

static const struct intc_ops rec_ops = { rec_set_irq, rec_ack };

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	cr_assert_not_null(r);
	r->m = tm_new("f4");
	r->io = machine_io(r->m);
	r->s = machine_sched(r->m);
	machine_set_intc(r->m, &rec_ops, r);
	r->pit = pit_device_class.create(r->m);
	cr_assert_not_null(r->pit);
	r->rises = 0;
	return r;
}

static void rig_free(struct rig *r)
{
	pit_device_class.destroy(r->pit);
	tm_free(r->m);
	free(r);
}

static void out(struct rig *r, uint16_t port, uint8_t v) { ioport_write(r->io, port, v, 1); }
static uint8_t in(struct rig *r, uint16_t port) { return (uint8_t)ioport_read(r->io, port, 1); }

/* Advance as the run loop does: every timer fires at its own deadline. */
static void advance_to(struct rig *r, vtime_t t)
{
	while (sched_next_deadline(r->s) <= t)
		sched_skip_to(r->s, sched_next_deadline(r->s));
	sched_skip_to(r->s, t);
}

static vtime_t now(struct rig *r) { return sched_now(r->s); }

/* Nanoseconds of n clocks, rounded down. */
static vtime_t clocks_ns(uint64_t n) { return n * 1000000000ull / PIT_HZ; }

static void program(struct rig *r, unsigned ch, uint8_t ctrl, uint16_t count)
{
	out(r, 0x43, ctrl);
	out(r, (uint16_t)(0x40 + ch), (uint8_t)count);
	out(r, (uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

/* Two successive byte reads: low byte first. */
static uint16_t in16(struct rig *r, uint16_t port)
{
	uint8_t lo = in(r, port);
	return (uint16_t)(lo | in(r, port) << 8);
}

static uint16_t read_latched(struct rig *r, unsigned ch)
{
	out(r, 0x43, (uint8_t)(ch << 6));
	return in16(r, (uint16_t)(0x40 + ch));
}

static uint8_t read_status(struct rig *r, unsigned ch)
{
	out(r, 0x43, (uint8_t)(0xE0 | 2u << ch));
	return in(r, (uint16_t)(0x40 + ch));
}

static void assert_period(struct rig *r, unsigned from, unsigned to, uint64_t n)
{
	for (unsigned i = from; i < to; i++) {
		vtime_t d = r->rise_at[i + 1] - r->rise_at[i];
		cr_assert(d >= clocks_ns(n) && d <= clocks_ns(n) + 1,
			  "rise %u to %u: %llu ns", i, i + 1, (unsigned long long)d);
	}
}

Test(pit, mode2_rate_generator_period)
{
	struct rig *r = rig_new();
	program(r, 0, 0x34, 1000);
	advance_to(r, clocks_ns(1000 * 20 + 10));
	cr_assert_eq(r->rises, 20);
	/* First rise: one clock to load, then N clocks. */
	cr_assert(r->rise_at[0] >= clocks_ns(1000) && r->rise_at[0] <= clocks_ns(1001) + 1);
	assert_period(r, 0, 19, 1000);
	rig_free(r);
}

Test(pit, mode2_out_low_for_one_clock_before_reload)
{
	struct rig *r = rig_new();
	program(r, 0, 0x34, 100);
	/* Loaded at clock 1; count 1 (OUT low) during clock 100. */
	advance_to(r, clocks_ns(100) + 400);
	cr_assert_eq(read_status(r, 0) & 0x80, 0);
	cr_assert_eq(read_latched(r, 0), 1);
	advance_to(r, clocks_ns(101) + 400);
	cr_assert_eq(read_status(r, 0) & 0x80, 0x80);
	cr_assert_eq(read_latched(r, 0), 100);
	rig_free(r);
}

Test(pit, mode3_square_wave_period_and_duty)
{
	struct rig *r = rig_new();
	program(r, 0, 0x36, 1000);
	advance_to(r, clocks_ns(1000 * 10 + 10));
	cr_assert_eq(r->rises, 10);
	assert_period(r, 0, 9, 1000);
	/* High for the first 500 clocks of a period, low for the rest. */
	advance_to(r, r->rise_at[9] + clocks_ns(250));
	cr_assert_eq(read_status(r, 0) & 0x80, 0x80);
	advance_to(r, r->rise_at[9] + clocks_ns(750));
	cr_assert_eq(read_status(r, 0) & 0x80, 0);
	rig_free(r);
}

Test(pit, mode3_counts_down_by_two)
{
	struct rig *r = rig_new();
	program(r, 0, 0x36, 1000);
	/* Clock 1 loads 1000; ten clocks later the count is 1000 - 20. */
	advance_to(r, clocks_ns(11) + 400);
	cr_assert_eq(read_latched(r, 0), 980);
	rig_free(r);
}

Test(pit, mode3_odd_count_high_half_is_longer)
{
	struct rig *r = rig_new();
	program(r, 2, 0xB6, 5);
	out(r, 0x61, 0x01);
	/* The gate rose after the count: the counter reloads on the next clock
	 * edge; then 3 clocks high, 2 low. */
	vtime_t t0 = now(r);
	unsigned high = 0;
	for (unsigned k = 0; k < 50; k++) {
		advance_to(r, t0 + clocks_ns(k + 2) + 400);
		high += (in(r, 0x61) >> 5) & 1;
	}
	cr_assert_eq(high, 30);
	rig_free(r);
}

Test(pit, mode3_odd_count_reads_even_values_below_n)
{
	struct rig *r = rig_new();
	program(r, 0, 0x36, 5);
	/* The initial count minus one is loaded, then decremented by two. */
	for (unsigned k = 1; k < 30; k++) {
		advance_to(r, clocks_ns(k) + 400);
		uint16_t v = read_latched(r, 0);
		cr_assert(v == 2 || v == 4, "clock %u: %u", k, v);
	}
	rig_free(r);
}

Test(pit, mode0_one_shot)
{
	struct rig *r = rig_new();
	program(r, 0, 0x30, 5000);
	cr_assert_eq(r->level, 0);
	cr_assert_eq(read_status(r, 0) & 0x80, 0);
	advance_to(r, clocks_ns(5000));
	cr_assert_eq(r->rises, 0);
	cr_assert_eq(read_status(r, 0) & 0x80, 0);
	advance_to(r, clocks_ns(5001) + 1);
	cr_assert_eq(r->rises, 1);
	cr_assert_eq(read_status(r, 0) & 0x80, 0x80);
	/* Terminal count: OUT stays high, no more edges. */
	advance_to(r, clocks_ns(200000));
	cr_assert_eq(r->rises, 1);
	cr_assert_eq(r->level, 1);
	rig_free(r);
}

Test(pit, mode0_keeps_counting_after_terminal_count)
{
	struct rig *r = rig_new();
	program(r, 0, 0x30, 10);
	/* Loaded at clock 1, zero at clock 11, 0xFFFF - 4 at clock 16. */
	advance_to(r, clocks_ns(16) + 400);
	cr_assert_eq(read_latched(r, 0), 0xFFFB);
	rig_free(r);
}

Test(pit, mode0_new_count_restarts_and_lowers_out)
{
	struct rig *r = rig_new();
	program(r, 0, 0x30, 100);
	advance_to(r, clocks_ns(200));
	cr_assert_eq(r->rises, 1);
	vtime_t t0 = now(r);
	out(r, 0x40, 50);
	/* The first byte of a two-byte count lowers OUT at once. */
	cr_assert_eq(r->level, 0);
	out(r, 0x40, 0);
	advance_to(r, t0 + clocks_ns(49));
	cr_assert_eq(r->rises, 1);
	advance_to(r, t0 + clocks_ns(52));
	cr_assert_eq(r->rises, 2);
	rig_free(r);
}

Test(pit, mode4_software_strobe)
{
	struct rig *r = rig_new();
	program(r, 0, 0x38, 100);
	/* OUT low during clock 101 (count 0), high again at clock 102. */
	advance_to(r, clocks_ns(101) + 400);
	cr_assert_eq(read_status(r, 0) & 0x80, 0);
	advance_to(r, clocks_ns(102) + 400);
	cr_assert_eq(read_status(r, 0) & 0x80, 0x80);
	cr_assert_eq(r->rises, 1);
	advance_to(r, clocks_ns(100000));
	cr_assert_eq(r->rises, 1);
	rig_free(r);
}

Test(pit, latch_command_freezes_the_count)
{
	struct rig *r = rig_new();
	program(r, 0, 0x34, 0); /* 0 means 65536 */
	advance_to(r, 10000000); /* 11931 clocks: loaded at 1, 11930 counted */
	out(r, 0x43, 0x00);
	advance_to(r, 20000000);
	cr_assert_eq(in16(r, 0x40), 65536 - 11930);
	/* Without a latch the counter has moved on (23863 clocks). */
	cr_assert_eq(in16(r, 0x40), 65536 - 23862);
	rig_free(r);
}

Test(pit, second_latch_before_reading_is_ignored)
{
	struct rig *r = rig_new();
	program(r, 0, 0x34, 0);
	advance_to(r, clocks_ns(101) + 400);
	out(r, 0x43, 0x00);
	advance_to(r, clocks_ns(301) + 400);
	out(r, 0x43, 0x00);
	cr_assert_eq(in16(r, 0x40), 65536 - 100);
	rig_free(r);
}

Test(pit, lobyte_hibyte_order)
{
	struct rig *r = rig_new();
	program(r, 1, 0x74, 0x1234); /* channel 1, lo then hi, mode 2 */
	advance_to(r, clocks_ns(1) + 400);
	out(r, 0x43, 0x40);
	cr_assert_eq(in(r, 0x41), 0x34);
	cr_assert_eq(in(r, 0x41), 0x12);
	rig_free(r);
}

Test(pit, lobyte_only_and_hibyte_only_access)
{
	struct rig *r = rig_new();
	out(r, 0x43, 0x54); /* channel 1, LSB only, mode 2 */
	out(r, 0x41, 0x34);
	advance_to(r, clocks_ns(1) + 400);
	cr_assert_eq(in(r, 0x41), 0x34);
	cr_assert_eq(in(r, 0x41), 0x34);
	out(r, 0x43, 0x64); /* MSB only: count 0x1200 */
	vtime_t t0 = now(r);
	out(r, 0x41, 0x12);
	advance_to(r, t0 + clocks_ns(1) + 400);
	cr_assert_eq(in(r, 0x41), 0x12);
	out(r, 0x43, 0x40);
	cr_assert_eq(in(r, 0x41), 0x12);
	rig_free(r);
}

Test(pit, read_back_status_byte_and_null_count)
{
	struct rig *r = rig_new();
	out(r, 0x43, 0x34);
	/* Mode 2: OUT high; no count written yet: null count. */
	cr_assert_eq(read_status(r, 0), 0xF4);
	out(r, 0x40, 0x00);
	out(r, 0x40, 0x10);
	cr_assert_eq(read_status(r, 0), 0xF4);
	advance_to(r, clocks_ns(1) + 400);
	cr_assert_eq(read_status(r, 0), 0xB4);
	out(r, 0x43, 0xB1); /* channel 2, lohi, mode 0, BCD */
	cr_assert_eq(read_status(r, 2), 0x71);
	rig_free(r);
}

Test(pit, read_back_status_then_count)
{
	struct rig *r = rig_new();
	program(r, 0, 0x34, 0x1000);
	advance_to(r, clocks_ns(17) + 400);
	out(r, 0x43, 0xC2); /* latch count and status of channel 0 */
	advance_to(r, clocks_ns(100));
	cr_assert_eq(in(r, 0x40), 0xB4);
	cr_assert_eq(in16(r, 0x40), 0x1000 - 16);
	rig_free(r);
}

Test(pit, read_back_can_latch_several_counters)
{
	struct rig *r = rig_new();
	program(r, 0, 0x34, 1000);
	program(r, 1, 0x74, 2000);
	advance_to(r, clocks_ns(11) + 400);
	out(r, 0x43, 0xD6); /* count only, channels 0 and 1 */
	advance_to(r, clocks_ns(50));
	cr_assert_eq(in16(r, 0x40), 990);
	cr_assert_eq(in16(r, 0x41), 1990);
	rig_free(r);
}

Test(pit, bcd_counting)
{
	struct rig *r = rig_new();
	program(r, 0, 0x35, 0x1000); /* BCD 1000, mode 2 */
	advance_to(r, clocks_ns(2) + 400);
	cr_assert_eq(read_latched(r, 0), 0x0999);
	advance_to(r, clocks_ns(1000 * 3 + 10));
	cr_assert_eq(r->rises, 3);
	assert_period(r, 0, 2, 1000);
	rig_free(r);
}

Test(pit, bcd_zero_is_ten_thousand)
{
	struct rig *r = rig_new();
	program(r, 0, 0x31, 0x0000); /* BCD, mode 0 */
	advance_to(r, clocks_ns(2) + 400);
	cr_assert_eq(read_latched(r, 0), 0x9999);
	advance_to(r, clocks_ns(10000));
	cr_assert_eq(r->rises, 0);
	advance_to(r, clocks_ns(10001) + 1);
	cr_assert_eq(r->rises, 1);
	rig_free(r);
}

Test(pit, count_written_while_counting_waits_for_the_period_end)
{
	struct rig *r = rig_new();
	program(r, 0, 0x34, 1000);
	advance_to(r, clocks_ns(500));
	out(r, 0x40, 0xF4);
	out(r, 0x40, 0x01); /* 500 */
	advance_to(r, clocks_ns(1000 + 500 * 4 + 10));
	cr_assert_eq(r->rises, 5);
	cr_assert(r->rise_at[0] >= clocks_ns(1000) && r->rise_at[0] <= clocks_ns(1001) + 1);
	assert_period(r, 0, 4, 500);
	rig_free(r);
}

/* The firmware and Linux calibration loop: gate on, speaker off, channel 2
 * mode 0, then spin until port 0x61 bit 5 (OUT2) rises. */
Test(pit, channel2_calibration_loop)
{
	struct rig *r = rig_new();
	out(r, 0x61, (in(r, 0x61) & ~0x02) | 0x01);
	out(r, 0x43, 0xB0);
	out(r, 0x42, 11932 & 0xFF);
	out(r, 0x42, 11932 >> 8);
	vtime_t t0 = now(r);
	cr_assert_eq(in(r, 0x61) & 0x20, 0);
	while (!(in(r, 0x61) & 0x20))
		advance_to(r, now(r) + 100);
	vtime_t took = now(r) - t0;
	cr_assert(took >= clocks_ns(11932) && took <= clocks_ns(11933) + 100,
		  "%llu ns", (unsigned long long)took);
	/* Channel 2 does not drive IRQ 0. */
	cr_assert_eq(r->rises, 0);
	rig_free(r);
}

Test(pit, channel2_gate_low_holds_mode0_count)
{
	struct rig *r = rig_new();
	out(r, 0x61, 0x00);
	program(r, 2, 0xB0, 1000);
	advance_to(r, clocks_ns(5000));
	cr_assert_eq(in(r, 0x61) & 0x20, 0);
	cr_assert_eq(read_latched(r, 2), 1000);
	vtime_t t0 = now(r);
	out(r, 0x61, 0x01);
	advance_to(r, t0 + clocks_ns(990));
	cr_assert_eq(in(r, 0x61) & 0x20, 0);
	advance_to(r, t0 + clocks_ns(1002));
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	rig_free(r);
}

Test(pit, channel2_gate_low_forces_mode2_out_high_and_restarts)
{
	struct rig *r = rig_new();
	out(r, 0x61, 0x01);
	program(r, 2, 0xB4, 100);
	advance_to(r, clocks_ns(100) + 400); /* count 1: OUT low */
	cr_assert_eq(in(r, 0x61) & 0x20, 0);
	out(r, 0x61, 0x00);
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	vtime_t t0 = now(r);
	out(r, 0x61, 0x01);
	/* Reloaded with the full count on the next clock. */
	advance_to(r, t0 + clocks_ns(11) + 1);
	cr_assert_eq(read_latched(r, 2), 90);
	rig_free(r);
}

Test(pit, channel2_mode1_is_triggered_by_the_gate)
{
	struct rig *r = rig_new();
	out(r, 0x61, 0x00);
	program(r, 2, 0xB2, 100);
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	advance_to(r, clocks_ns(1000));
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	vtime_t t0 = now(r);
	out(r, 0x61, 0x01);
	advance_to(r, t0 + clocks_ns(2) + 1);
	cr_assert_eq(in(r, 0x61) & 0x20, 0);
	advance_to(r, t0 + clocks_ns(99));
	cr_assert_eq(in(r, 0x61) & 0x20, 0);
	advance_to(r, t0 + clocks_ns(102));
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	rig_free(r);
}

Test(pit, channel2_mode5_strobe_after_trigger)
{
	struct rig *r = rig_new();
	program(r, 2, 0xBA, 10);
	advance_to(r, clocks_ns(20) + 400);
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	vtime_t t0 = now(r); /* in clock 20 */
	out(r, 0x61, 0x01);
	/* Trigger, load at clock 21, count 0 (OUT low) during clock 31. */
	advance_to(r, t0 + clocks_ns(10));
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	advance_to(r, t0 + clocks_ns(11));
	cr_assert_eq(in(r, 0x61) & 0x20, 0);
	advance_to(r, t0 + clocks_ns(12));
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	advance_to(r, t0 + clocks_ns(1000));
	cr_assert_eq(in(r, 0x61) & 0x20, 0x20);
	rig_free(r);
}

Test(pit, port61_writable_bits_read_back)
{
	struct rig *r = rig_new();
	out(r, 0x61, 0xFF);
	cr_assert_eq(in(r, 0x61) & 0xCF, 0x0F);
	out(r, 0x61, 0x02);
	cr_assert_eq(in(r, 0x61) & 0xCF, 0x02);
	rig_free(r);
}

Test(pit, port61_refresh_bit_toggles_every_15085_ns)
{
	struct rig *r = rig_new();
	cr_assert_eq(in(r, 0x61) & 0x10, 0);
	advance_to(r, 15084);
	cr_assert_eq(in(r, 0x61) & 0x10, 0);
	advance_to(r, 15085);
	cr_assert_eq(in(r, 0x61) & 0x10, 0x10);
	advance_to(r, 30169);
	cr_assert_eq(in(r, 0x61) & 0x10, 0x10);
	advance_to(r, 30170);
	cr_assert_eq(in(r, 0x61) & 0x10, 0);
	unsigned toggles = 0;
	uint8_t last = in(r, 0x61) & 0x10;
	for (vtime_t t = 30170; t < 30170 + 1000000; t += 1000) {
		advance_to(r, t);
		uint8_t b = in(r, 0x61) & 0x10;
		toggles += b != last;
		last = b;
	}
	/* 1 ms is 66.3 periods of 15.085 us. */
	cr_assert(toggles == 66 || toggles == 67, "%u toggles", toggles);
	rig_free(r);
}

Test(pit, control_word_register_reads_as_open_bus)
{
	struct rig *r = rig_new();
	cr_assert_eq(in(r, 0x43), 0xFF);
	rig_free(r);
}

Test(pit, timer_interrupt_wakes_a_halted_cpu_through_the_pic)
{
	struct machine *m = tm_new("f4");
	void *pic = pic_device_class.create(m);
	void *pit = pit_device_class.create(m);
	struct ioport_table *io = machine_io(m);
	static const uint8_t init[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0x21, 0xFE }, { 0x43, 0x36 }, { 0x40, 0x00 }, { 0x40, 0x00 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(init); i++)
		ioport_write(io, init[i][0], init[i][1], 1);
	machine_cpu(m)->eflags |= F_IF;
	/* A budget of 100 ms: time halted counts against it (machine_run). */
	cr_assert_eq(machine_run(m, 10000000), MACHINE_HALTED);
	cr_assert_eq(machine_cpu(m)->eip, TM_HANDLERS + 0x08 + 1);
	/* 65536 clocks: 54.925 ms (the 18.2 Hz BIOS tick). */
	vtime_t t = sched_now(machine_sched(m));
	cr_assert(t >= clocks_ns(65536) && t <= clocks_ns(65537) + 50, "%llu", (unsigned long long)t);
	pit_device_class.destroy(pit);
	tm_free(m);
	pic_device_class.destroy(pic);
}

Test(pit, full_pc_machine_has_the_pit)
{
	struct machine_config cfg = { .ram_size = 1u << 20 };
	char err[256];
	struct machine *m = machine_new(&cfg, err, sizeof(err));
	cr_assert_not_null(m, "%s", err);
	cr_assert_not_null(machine_device(m, "pit"));
	ioport_write(machine_io(m), 0x43, 0x74, 1);
	ioport_write(machine_io(m), 0x41, 0x34, 1);
	ioport_write(machine_io(m), 0x41, 0x12, 1);
	ioport_write(machine_io(m), 0x43, 0xE4, 1);
	cr_assert_eq(ioport_read(machine_io(m), 0x41, 1), 0xF4);
	machine_free(m);
}
