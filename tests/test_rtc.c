/* MC146818A RTC and CMOS RAM through ports 0x70/0x71. Expected values come
 * from the Motorola MC146818A datasheet (register formats, update cycle,
 * periodic rate table, alarm "don't care" codes), from the calendar, and
 * from the CMOS layout SeaBIOS reads. Most cases are scripts of register
 * accesses, time skips and IRQ 8 checks, rows of one table; each row keeps
 * the name it had as a test of its own. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "devices/rtc.h"
#include "tests/devtm.h"
#include "tests/script.h"

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

/* A case is a script (tests/script.h) run on a machine whose RTC starts at
 * the row's epoch (and 32 MiB of RAM); numbers are written as in C. Words:
 *   wr I V, rd I V     CMOS register I: write V / reads V (index, then data)
 *   rdm I MASK V       register I reads V under MASK
 *   read I             read register I (for its side effect)
 *   skip T             skip virtual time to T: terms in d, s, ms, us or ns
 *                      (no unit), joined by + and -, as in 5s+500ms-1
 *   irq8 L, edges8 N   IRQ 8's level / count of rising edges
 * Scripts are held in arrays, not pointed to: Criterion copies each row
 * into the test's own process, where a pointer into this one means nothing. */
struct rtc_case {
	char name[64];
	int64_t epoch;
	char script[320];
};

static const struct rtc_case scripts[] = {
	{ "default_start_is_2000_01_01_midnight_in_bcd", 0,
	  "rd 0x00 0x00; rd 0x02 0x00; rd 0x04 0x00; "
	  "rd 0x06 0x07 # Saturday, Sunday = 1; rd 0x07 0x01; rd 0x08 0x01; "
	  "rd 0x09 0x00; rd 0x32 0x20" },
	/* Tue 2023-11-14 22:13:20 UTC */
	{ "start_time_from_config_in_bcd", 1700000000,
	  "rd 0x00 0x20; rd 0x02 0x13; rd 0x04 0x22; rd 0x06 0x03; rd 0x07 0x14; "
	  "rd 0x08 0x11; rd 0x09 0x23; rd 0x32 0x20" },
	{ "registers_b_and_d_and_a_divider", 0,
	  "rd 0x0d 0x80 # VRT; rdm 0x0a 0x70 0x20 # 32.768 kHz time base; "
	  "rdm 0x0b 0x06 0x02 # BCD, 24-hour" },
	{ "binary_mode_rolls_over_a_day", 0,
	  "wr 0x0b 0x86 # SET, binary, 24-hour; wr 0x00 59; wr 0x02 59; wr 0x04 23; "
	  "wr 0x07 31; wr 0x08 12; wr 0x09 99; wr 0x06 6; wr 0x0b 0x06; skip 1s; "
	  "rd 0x00 0; rd 0x02 0; rd 0x04 0; rd 0x06 7; rd 0x07 1; rd 0x08 1; rd 0x09 0" },
	{ "twelve_hour_mode_pm_bit", 0,
	  "wr 0x0b 0x80 # SET, BCD, 12-hour; wr 0x00 0x59; wr 0x02 0x59; "
	  "wr 0x04 0x11 # 11 AM; wr 0x0b 0x00; skip 1s; "
	  "rd 0x04 0x92 # 12 PM: BCD 12 with bit 7; wr 0x0b 0x80; wr 0x00 0x59; "
	  "wr 0x02 0x59; wr 0x04 0x91 # 11 PM; wr 0x0b 0x00; skip 2s; "
	  "rd 0x04 0x12 # 12 AM, next day; rd 0x07 0x02" },
	{ "update_after_one_second_of_virtual_time", 0,
	  "skip 1s-1; rd 0x00 0x00; skip 1s; rd 0x00 0x01; skip 61s; rd 0x00 0x01; "
	  "rd 0x02 0x01" },
	{ "uip_is_set_for_244us_before_the_update", 0,
	  "skip 1s-250000; rdm 0x0a 0x80 0; skip 1s-240000; rdm 0x0a 0x80 0x80; "
	  "rd 0x00 0x00; skip 1s; rdm 0x0a 0x80 0; rd 0x00 0x01" },
	{ "set_bit_stops_updates_and_clears_uip", 0,
	  "wr 0x0b 0x82; skip 2s-100000; rdm 0x0a 0x80 0; skip 2s+1; rd 0x00 0x00; "
	  "wr 0x0b 0x02; skip 3s; rd 0x00 0x01" },
	{ "divider_reset_delays_first_update_by_half_a_second", 0,
	  "wr 0x0a 0x70; skip 5s; rd 0x00 0x00; wr 0x0a 0x26; skip 5s+500ms-1; "
	  "rd 0x00 0x00; skip 5s+500ms; rd 0x00 0x01" },
	{ "periodic_flag_without_enable_does_not_interrupt", 0,
	  "skip 2ms; edges8 0; rd 0x0c 0x40 # PF alone, no IRQF" },
	{ "alarm_interrupt_at_matching_time", 0,
	  "wr 0x01 0x05; wr 0x03 0x00; wr 0x05 0x00; wr 0x0a 0x20 # no periodic rate; "
	  "wr 0x0b 0x22 # AIE; skip 5s-1; irq8 0; skip 5s; irq8 1; "
	  "rd 0x0c 0xb0 # IRQF, AF, UF; irq8 0; rd 0x0c 0x00" },
	{ "alarm_dont_care_bytes_match_any_value", 0,
	  "wr 0x01 0x30; wr 0x03 0xc0; wr 0x05 0xff; wr 0x0a 0x20; wr 0x0b 0x22; "
	  "skip 90s-1 # 00:01:29; edges8 1 # 00:00:30; read 0x0c; skip 90s # 00:01:30; "
	  "edges8 2" },
	{ "update_ended_interrupt_and_register_c_clear", 0,
	  "wr 0x0a 0x20; wr 0x0b 0x12 # UIE; skip 1s; irq8 1; rd 0x0c 0x90; irq8 0; "
	  "rd 0x0c 0x00; skip 2s; edges8 2" },
	{ "setting_set_clears_uie", 0,
	  "wr 0x0b 0x92; rd 0x0b 0x82" },
	{ "enabling_an_interrupt_with_its_flag_set_raises_irq", 0,
	  "skip 1s # UF (and PF) set with interrupts off; irq8 0; wr 0x0b 0x12; irq8 1; "
	  "rdm 0x0c 0x90 0x90" },
	{ "long_skip_crosses_february_of_a_leap_year", 0,
	  "skip 60d+1s # 31 + 29 days later; rd 0x00 0x01; rd 0x07 0x01; rd 0x08 0x03; "
	  "rd 0x06 0x04 # 2000-03-01 was a Wednesday" },
	{ "nvram_read_write_with_index_masked_to_7_bits", 0,
	  "wr 0x40 0x5a; rd 0x40 0x5a; rd 0xc0 0x5a # bit 7 is the NMI mask; "
	  "wr 0xff 0xa5; rd 0x7f 0xa5" },
	{ "memory_size_bytes_for_32_mib", 0,
	  "rd 0x15 0x80 # 640 KiB base memory; rd 0x16 0x02; "
	  "rd 0x17 0x00 # 31744 KiB above 1 MiB; rd 0x18 0x7c; rd 0x30 0x00; "
	  "rd 0x31 0x7c; rd 0x34 0x00 # 256 x 64 KiB above 16 MiB; rd 0x35 0x01; "
	  "rd 0x5b 0x00; rd 0x5c 0x00; rd 0x5d 0x00; rd 0x5f 0x00 # one CPU" },
};

/* A time such as 5s+500ms-1, in ns. */
static vtime_t when(struct script *s)
{
	const char *w = script_word(s);
	cr_assert_not_null(w, SCRIPT_FMT "a time is missing", SCRIPT_ARGS(s));
	vtime_t t = 0;
	int sign = 1;
	const char *p = w;
	for (;;) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		cr_assert(end != p, SCRIPT_FMT "bad time \"%s\"", SCRIPT_ARGS(s), w);
		unsigned long long unit = 1;
		if (strncmp(end, "ms", 2) == 0)
			unit = MS, end += 2;
		else if (strncmp(end, "us", 2) == 0)
			unit = 1000, end += 2;
		else if (*end == 's')
			unit = S, end++;
		else if (*end == 'd')
			unit = 86400 * S, end++;
		t = sign > 0 ? t + v * unit : t - v * unit;
		if (*end == '\0')
			return t;
		cr_assert(*end == '+' || *end == '-', SCRIPT_FMT "bad time \"%s\"", SCRIPT_ARGS(s),
			  w);
		sign = *end == '+' ? 1 : -1;
		p = end + 1;
	}
}

static uint8_t arg(struct script *s) { return (uint8_t)script_num(s, 0); }

static void run_step(struct script *s, const char *w, void *ctx)
{
	struct devtm *t = ctx;
	if (strcmp(w, "wr") == 0) {
		uint8_t idx = arg(s);
		wr(t, idx, arg(s));
	} else if (strcmp(w, "rd") == 0 || strcmp(w, "rdm") == 0) {
		uint8_t idx = arg(s);
		uint8_t mask = w[2] ? arg(s) : 0xFF;
		uint8_t want = arg(s);
		uint8_t got = rd(t, idx) & mask;
		cr_assert_eq(got, want, SCRIPT_FMT "%#x", SCRIPT_ARGS(s), got);
	} else if (strcmp(w, "read") == 0) {
		rd(t, arg(s));
	} else if (strcmp(w, "skip") == 0) {
		devtm_skip_to(t, when(s));
	} else if (strcmp(w, "irq8") == 0 || strcmp(w, "edges8") == 0) {
		long want = script_num(s, 10);
		long got = w[0] == 'i' ? t->level[8] : (long)t->edges[8];
		cr_assert_eq(got, want, SCRIPT_FMT "%ld", SCRIPT_ARGS(s), got);
	} else {
		cr_assert_fail(SCRIPT_FMT "unknown word \"%s\"", SCRIPT_ARGS(s), w);
	}
}

ParameterizedTestParameters(rtc, scripts)
{
	return cr_make_param_array(struct rtc_case, scripts, sizeof(scripts) / sizeof(scripts[0]));
}

ParameterizedTest(const struct rtc_case *k, rtc, scripts)
{
	struct devtm *t = rtc_at(k->epoch);
	script_run(k->name, k->script, run_step, t);
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
