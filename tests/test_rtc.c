/* MC146818A RTC and CMOS RAM through ports 0x70/0x71. Expected values come
 * from the Motorola MC146818A datasheet (register formats, update cycle,
 * periodic rate table, alarm "don't care" codes), from the calendar, and
 * from the CMOS layout SeaBIOS reads. */
#include <criterion/criterion.h>

#include "devices/rtc.h"
#include "tests/devtm.h"

#define MS 1000000ull
#define S 1000000000ull

static uint8_t rd(struct devtm *t, uint8_t idx)
{
	devtm_out(t, 0x70, idx);
	return devtm_in(t, 0x71);
}

static void wr(struct devtm *t, uint8_t idx, uint8_t v)
{
	devtm_out(t, 0x70, idx);
	devtm_out(t, 0x71, v);
}

static struct devtm *rtc_at(int64_t epoch)
{
	struct machine_config cfg = { .ram_size = 32u << 20, .rtc_start = epoch };
	return devtm_new(&cfg);
}

Test(rtc, default_start_is_2000_01_01_midnight_in_bcd)
{
	struct devtm *t = rtc_at(0);
	cr_assert_eq(rd(t, 0x00), 0x00);
	cr_assert_eq(rd(t, 0x02), 0x00);
	cr_assert_eq(rd(t, 0x04), 0x00);
	cr_assert_eq(rd(t, 0x06), 0x07); /* Saturday; Sunday = 1 */
	cr_assert_eq(rd(t, 0x07), 0x01);
	cr_assert_eq(rd(t, 0x08), 0x01);
	cr_assert_eq(rd(t, 0x09), 0x00);
	cr_assert_eq(rd(t, 0x32), 0x20);
	devtm_free(t);
}

Test(rtc, start_time_from_config_in_bcd)
{
	struct devtm *t = rtc_at(1700000000); /* Tue 2023-11-14 22:13:20 UTC */
	cr_assert_eq(rd(t, 0x00), 0x20);
	cr_assert_eq(rd(t, 0x02), 0x13);
	cr_assert_eq(rd(t, 0x04), 0x22);
	cr_assert_eq(rd(t, 0x06), 0x03);
	cr_assert_eq(rd(t, 0x07), 0x14);
	cr_assert_eq(rd(t, 0x08), 0x11);
	cr_assert_eq(rd(t, 0x09), 0x23);
	cr_assert_eq(rd(t, 0x32), 0x20);
	devtm_free(t);
}

Test(rtc, registers_b_and_d_and_a_divider)
{
	struct devtm *t = rtc_at(0);
	cr_assert_eq(rd(t, 0x0D), 0x80); /* VRT */
	cr_assert_eq(rd(t, 0x0A) & 0x70, 0x20); /* 32.768 kHz time base */
	cr_assert_eq(rd(t, 0x0B) & 0x06, 0x02); /* BCD, 24-hour */
	devtm_free(t);
}

Test(rtc, binary_mode_rolls_over_a_day)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x0B, 0x86); /* SET, binary, 24-hour */
	wr(t, 0x00, 59);
	wr(t, 0x02, 59);
	wr(t, 0x04, 23);
	wr(t, 0x07, 31);
	wr(t, 0x08, 12);
	wr(t, 0x09, 99);
	wr(t, 0x06, 6);
	wr(t, 0x0B, 0x06);
	devtm_skip_to(t, 1 * S);
	cr_assert_eq(rd(t, 0x00), 0);
	cr_assert_eq(rd(t, 0x02), 0);
	cr_assert_eq(rd(t, 0x04), 0);
	cr_assert_eq(rd(t, 0x06), 7);
	cr_assert_eq(rd(t, 0x07), 1);
	cr_assert_eq(rd(t, 0x08), 1);
	cr_assert_eq(rd(t, 0x09), 0);
	devtm_free(t);
}

Test(rtc, twelve_hour_mode_pm_bit)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x0B, 0x80); /* SET, BCD, 12-hour */
	wr(t, 0x00, 0x59);
	wr(t, 0x02, 0x59);
	wr(t, 0x04, 0x11); /* 11 AM */
	wr(t, 0x0B, 0x00);
	devtm_skip_to(t, 1 * S);
	cr_assert_eq(rd(t, 0x04), 0x92); /* 12 PM: BCD 12 with bit 7 */
	wr(t, 0x0B, 0x80);
	wr(t, 0x00, 0x59);
	wr(t, 0x02, 0x59);
	wr(t, 0x04, 0x91); /* 11 PM */
	wr(t, 0x0B, 0x00);
	devtm_skip_to(t, 2 * S);
	cr_assert_eq(rd(t, 0x04), 0x12); /* 12 AM, next day */
	cr_assert_eq(rd(t, 0x07), 0x02);
	devtm_free(t);
}

Test(rtc, update_after_one_second_of_virtual_time)
{
	struct devtm *t = rtc_at(0);
	devtm_skip_to(t, 1 * S - 1);
	cr_assert_eq(rd(t, 0x00), 0x00);
	devtm_skip_to(t, 1 * S);
	cr_assert_eq(rd(t, 0x00), 0x01);
	devtm_skip_to(t, 61 * S);
	cr_assert_eq(rd(t, 0x00), 0x01);
	cr_assert_eq(rd(t, 0x02), 0x01);
	devtm_free(t);
}

Test(rtc, uip_is_set_for_244us_before_the_update)
{
	struct devtm *t = rtc_at(0);
	devtm_skip_to(t, 1 * S - 250000);
	cr_assert_eq(rd(t, 0x0A) & 0x80, 0);
	devtm_skip_to(t, 1 * S - 240000);
	cr_assert_eq(rd(t, 0x0A) & 0x80, 0x80);
	cr_assert_eq(rd(t, 0x00), 0x00);
	devtm_skip_to(t, 1 * S);
	cr_assert_eq(rd(t, 0x0A) & 0x80, 0);
	cr_assert_eq(rd(t, 0x00), 0x01);
	devtm_free(t);
}

Test(rtc, set_bit_stops_updates_and_clears_uip)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x0B, 0x82);
	devtm_skip_to(t, 2 * S - 100000);
	cr_assert_eq(rd(t, 0x0A) & 0x80, 0);
	devtm_skip_to(t, 2 * S + 1);
	cr_assert_eq(rd(t, 0x00), 0x00);
	wr(t, 0x0B, 0x02);
	devtm_skip_to(t, 3 * S);
	cr_assert_eq(rd(t, 0x00), 0x01);
	devtm_free(t);
}

Test(rtc, divider_reset_delays_first_update_by_half_a_second)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x0A, 0x70);
	devtm_skip_to(t, 5 * S);
	cr_assert_eq(rd(t, 0x00), 0x00);
	wr(t, 0x0A, 0x26);
	devtm_skip_to(t, 5 * S + 500 * MS - 1);
	cr_assert_eq(rd(t, 0x00), 0x00);
	devtm_skip_to(t, 5 * S + 500 * MS);
	cr_assert_eq(rd(t, 0x00), 0x01);
	devtm_free(t);
}

Test(rtc, periodic_interrupt_rate_6_is_976_5625us)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x0A, 0x26);
	wr(t, 0x0B, 0x42); /* PIE */
	devtm_skip_to(t, 976562);
	cr_assert_eq(t->level[8], 0);
	devtm_skip_to(t, 976563);
	cr_assert_eq(t->level[8], 1);
	cr_assert_eq(rd(t, 0x0C), 0xC0); /* IRQF | PF */
	cr_assert_eq(t->level[8], 0);
	unsigned count = 1;
	for (;;) {
		vtime_t next = sched_next_deadline(machine_sched(t->m));
		if (next > 1 * S)
			break;
		devtm_skip_to(t, next);
		if (t->level[8]) {
			count++;
			cr_assert_eq(rd(t, 0x0C) & 0xC0, 0xC0);
		}
	}
	cr_assert_eq(count, 1024); /* 1 s / 976.5625 us */
	cr_assert_eq(t->edges[8], 1024);
	devtm_free(t);
}

Test(rtc, periodic_flag_without_enable_does_not_interrupt)
{
	struct devtm *t = rtc_at(0);
	devtm_skip_to(t, 2 * MS);
	cr_assert_eq(t->edges[8], 0);
	cr_assert_eq(rd(t, 0x0C), 0x40); /* PF alone, no IRQF */
	devtm_free(t);
}

Test(rtc, alarm_interrupt_at_matching_time)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x01, 0x05);
	wr(t, 0x03, 0x00);
	wr(t, 0x05, 0x00);
	wr(t, 0x0A, 0x20); /* no periodic rate */
	wr(t, 0x0B, 0x22); /* AIE */
	devtm_skip_to(t, 5 * S - 1);
	cr_assert_eq(t->level[8], 0);
	devtm_skip_to(t, 5 * S);
	cr_assert_eq(t->level[8], 1);
	cr_assert_eq(rd(t, 0x0C), 0xB0); /* IRQF | AF | UF */
	cr_assert_eq(t->level[8], 0);
	cr_assert_eq(rd(t, 0x0C), 0x00);
	devtm_free(t);
}

Test(rtc, alarm_dont_care_bytes_match_any_value)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x01, 0x30);
	wr(t, 0x03, 0xC0);
	wr(t, 0x05, 0xFF);
	wr(t, 0x0A, 0x20);
	wr(t, 0x0B, 0x22);
	devtm_skip_to(t, 90 * S - 1); /* 00:01:29 */
	cr_assert_eq(t->edges[8], 1); /* 00:00:30 */
	rd(t, 0x0C);
	devtm_skip_to(t, 90 * S); /* 00:01:30 */
	cr_assert_eq(t->edges[8], 2);
	devtm_free(t);
}

Test(rtc, update_ended_interrupt_and_register_c_clear)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x0A, 0x20);
	wr(t, 0x0B, 0x12); /* UIE */
	devtm_skip_to(t, 1 * S);
	cr_assert_eq(t->level[8], 1);
	cr_assert_eq(rd(t, 0x0C), 0x90);
	cr_assert_eq(t->level[8], 0);
	cr_assert_eq(rd(t, 0x0C), 0x00);
	devtm_skip_to(t, 2 * S);
	cr_assert_eq(t->edges[8], 2);
	devtm_free(t);
}

Test(rtc, setting_set_clears_uie)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x0B, 0x92);
	cr_assert_eq(rd(t, 0x0B), 0x82);
	devtm_free(t);
}

Test(rtc, enabling_an_interrupt_with_its_flag_set_raises_irq)
{
	struct devtm *t = rtc_at(0);
	devtm_skip_to(t, 1 * S); /* UF (and PF) set with interrupts off */
	cr_assert_eq(t->level[8], 0);
	wr(t, 0x0B, 0x12);
	cr_assert_eq(t->level[8], 1);
	cr_assert_eq(rd(t, 0x0C) & 0x90, 0x90);
	devtm_free(t);
}

Test(rtc, long_skip_crosses_february_of_a_leap_year)
{
	struct devtm *t = rtc_at(0);
	devtm_skip_to(t, 60ull * 86400 * S + 1 * S); /* 31 + 29 days later */
	cr_assert_eq(rd(t, 0x00), 0x01);
	cr_assert_eq(rd(t, 0x07), 0x01);
	cr_assert_eq(rd(t, 0x08), 0x03);
	cr_assert_eq(rd(t, 0x06), 0x04); /* 2000-03-01 was a Wednesday */
	devtm_free(t);
}

Test(rtc, nvram_read_write_with_index_masked_to_7_bits)
{
	struct devtm *t = rtc_at(0);
	wr(t, 0x40, 0x5A);
	cr_assert_eq(rd(t, 0x40), 0x5A);
	cr_assert_eq(rd(t, 0xC0), 0x5A); /* bit 7 is the NMI mask */
	wr(t, 0xFF, 0xA5);
	cr_assert_eq(rd(t, 0x7F), 0xA5);
	devtm_free(t);
}

static unsigned stored_checksum(struct devtm *t)
{
	return (unsigned)rd(t, 0x2E) << 8 | rd(t, 0x2F);
}

static unsigned computed_checksum(struct devtm *t)
{
	unsigned sum = 0;
	for (uint8_t i = 0x10; i <= 0x2D; i++)
		sum += rd(t, i);
	return sum;
}

Test(rtc, checksum_covers_0x10_to_0x2d_and_follows_the_api)
{
	struct devtm *t = rtc_at(0);
	cr_assert_eq(stored_checksum(t), computed_checksum(t));
	struct rtc *r = machine_device(t->m, "rtc");
	cr_assert_not_null(r);
	unsigned before = stored_checksum(t);
	rtc_set_nvram(r, 0x10, 0x40); /* drive A: 1.44 MB */
	cr_assert_eq(rd(t, 0x10), 0x40);
	cr_assert_eq(stored_checksum(t), before + 0x40);
	cr_assert_eq(stored_checksum(t), computed_checksum(t));
	devtm_free(t);
}

Test(rtc, memory_size_bytes_for_32_mib)
{
	struct devtm *t = rtc_at(0);
	cr_assert_eq(rd(t, 0x15), 0x80); /* 640 KiB base memory */
	cr_assert_eq(rd(t, 0x16), 0x02);
	cr_assert_eq(rd(t, 0x17), 0x00); /* 31744 KiB above 1 MiB */
	cr_assert_eq(rd(t, 0x18), 0x7C);
	cr_assert_eq(rd(t, 0x30), 0x00);
	cr_assert_eq(rd(t, 0x31), 0x7C);
	cr_assert_eq(rd(t, 0x34), 0x00); /* 256 x 64 KiB above 16 MiB */
	cr_assert_eq(rd(t, 0x35), 0x01);
	cr_assert_eq(rd(t, 0x5B), 0x00);
	cr_assert_eq(rd(t, 0x5C), 0x00);
	cr_assert_eq(rd(t, 0x5D), 0x00);
	cr_assert_eq(rd(t, 0x5F), 0x00); /* one CPU */
	devtm_free(t);
}

Test(rtc, memory_size_bytes_for_128_mib)
{
	struct machine_config cfg = { .ram_size = 128u << 20 };
	struct devtm *t = devtm_new(&cfg);
	cr_assert_eq(rd(t, 0x17), 0xFF); /* 130048 KiB capped at 0xFFFF */
	cr_assert_eq(rd(t, 0x18), 0xFF);
	cr_assert_eq(rd(t, 0x30), 0xFF);
	cr_assert_eq(rd(t, 0x31), 0xFF);
	cr_assert_eq(rd(t, 0x34), 0x00); /* 112 MiB = 1792 x 64 KiB */
	cr_assert_eq(rd(t, 0x35), 0x07);
	devtm_free(t);
}

Test(rtc, boot_order_bytes)
{
	struct devtm *t = rtc_at(0);
	cr_assert_eq(rd(t, 0x3D), 0x32); /* hard disk, then CD-ROM */
	cr_assert_eq(rd(t, 0x38) & 0xF0, 0x10); /* then floppy */
	devtm_free(t);
	struct machine_config cfg = { .ram_size = 32u << 20, .boot_order = { 3, 1 } };
	t = devtm_new(&cfg);
	cr_assert_eq(rd(t, 0x3D), 0x13);
	cr_assert_eq(rd(t, 0x38) & 0xF0, 0x00);
	devtm_free(t);
}

Test(rtc, index_port_is_write_only)
{
	struct devtm *t = rtc_at(0);
	devtm_out(t, 0x70, 0x0D);
	cr_assert_eq(devtm_in(t, 0x70), 0xFF);
	devtm_free(t);
}
