/*
 * MC146818A real-time clock plus CMOS RAM (Motorola MC146818A datasheet:
 * "Address map", "Time, calendar and alarm locations", "Registers A-D",
 * "Update cycle", "Interrupts"), as wired in the IBM PC AT: index port 0x70
 * (bit 7 masks NMI), data port 0x71, IRQF on ISA IRQ 8.
 *
 * The 32.768 kHz divider chain is modelled as a tick count derived from
 * virtual time: updates fall on every 32768th tick, the periodic flag on
 * every 2^(RS-1)th, and UIP is high for the last 8 ticks (244.14 us) before
 * an update. Registers are brought up to date lazily when the guest touches
 * them; a timer is armed only for the next edge that would raise IRQ 8.
 * The CMOS bytes beyond the clock follow what SeaBIOS reads (memory sizes,
 * century at 0x32, QEMU's boot-order nibbles at 0x3D/0x38).
 *
 * Deviations: the update cycle itself is instantaneous (the datasheet gives
 * 1984 us during which the time bytes are unreadable; here UIP falls and the
 * new time is visible at the update instant); daylight-saving (DSE) is
 * stored but does not move the clock; only divider setting 010 (the PC's
 * 32.768 kHz time base) runs the clock, 11x holds it in reset (the first
 * update comes 500 ms after release) and other settings stop it; the square
 * wave output is not connected on a PC and is not modelled; 128 bytes of
 * RAM as on the PC AT's compatibles rather than the original chip's 64.
 */
#include "devices/rtc.h"

#include <stdlib.h>

#include "devices/machine.h"

enum {
	REG_SEC, REG_SEC_ALARM, REG_MIN, REG_MIN_ALARM, REG_HOUR, REG_HOUR_ALARM,
	REG_DOW, REG_DOM, REG_MON, REG_YEAR, REG_A, REG_B, REG_C, REG_D,
	REG_NVRAM_FIRST
};

#define A_UIP 0x80u
#define A_DV_MASK 0x70u
#define A_DV_32K 0x20u
#define A_DV_RESET 0x60u /* 110 and 111 both hold the divider in reset */
#define A_RS_MASK 0x0Fu
#define B_SET 0x80u
#define B_PIE 0x40u
#define B_AIE 0x20u
#define B_UIE 0x10u
#define B_DM_BINARY 0x04u
#define B_24H 0x02u
#define C_IRQF 0x80u
#define C_PF 0x40u
#define C_AF 0x20u
#define C_UF 0x10u
#define C_FLAGS 0x70u
#define D_VRT 0x80u

#define RTC_HZ 32768u
#define NS_PER_S 1000000000ull
#define UIP_TICKS 8u /* 244.140625 us at 32.768 kHz */
#define SECS_PER_DAY 86400u
#define DAYS_PER_CENTURY 36525u /* the chip's leap rule is year % 4 == 0 */

#define CMOS_INDEX_MASK 0x7Fu
#define CMOS_CSUM_FIRST 0x10u
#define CMOS_CSUM_LAST 0x2Du
#define CMOS_CSUM_HI 0x2Eu
#define CMOS_CSUM_LO 0x2Fu

struct rtc {
	struct machine *m;
	struct sched *sched;
	struct irq_line irq;
	struct timer timer;
	uint8_t ram[128];      /* 0x00-0x0D clock registers (A without UIP), then NVRAM */
	uint8_t index;
	bool nmi_disabled;     /* port 0x70 bit 7; the board has no NMI source yet */
	bool irq_level;
	vtime_t base_vt;       /* divider ticks = base_ticks + ticks since base_vt */
	uint64_t base_ticks;
	uint64_t last_ticks;   /* ticks already applied to the registers */
};

/* Decoded calendar, independent of BCD/binary and 12/24-hour formats. */
struct rtc_time {
	unsigned sec, min, hour, dow, dom, mon, year;
};

/* ---- divider chain and virtual time ---- */

static uint64_t ns_to_ticks(vtime_t ns)
{
	return (ns / NS_PER_S) * RTC_HZ + (ns % NS_PER_S) * RTC_HZ / NS_PER_S;
}

static vtime_t ticks_to_ns_ceil(uint64_t t)
{
	return (t / RTC_HZ) * NS_PER_S + ((t % RTC_HZ) * NS_PER_S + RTC_HZ - 1) / RTC_HZ;
}

static bool rtc_running(const struct rtc *r)
{
	return (r->ram[REG_A] & A_DV_MASK) == A_DV_32K;
}

static uint64_t cur_ticks(const struct rtc *r, vtime_t now)
{
	return rtc_running(r) ? r->base_ticks + ns_to_ticks(now - r->base_vt) : r->base_ticks;
}

/* Periodic interrupt period in divider ticks (datasheet periodic rate table, 32.768 kHz
 * column: RS 1 and 2 repeat RS 8 and 9). */
static uint64_t periodic_ticks(const struct rtc *r)
{
	unsigned rs = r->ram[REG_A] & A_RS_MASK;
	if (rs == 0)
		return 0;
	return rs <= 2 ? 1ull << (rs + 6) : 1ull << (rs - 1);
}

/* ---- calendar ---- */

static const uint8_t month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static unsigned days_in_month(unsigned mon, unsigned year)
{
	if (mon < 1 || mon > 12)
		return 31;
	return month_days[mon - 1] + (mon == 2 && year % 4 == 0);
}

static bool time_valid(const struct rtc_time *t)
{
	return t->sec < 60 && t->min < 60 && t->hour < 24 && t->dow >= 1 && t->dow <= 7 &&
	       t->mon >= 1 && t->mon <= 12 && t->dom >= 1 && t->dom <= days_in_month(t->mon, t->year);
}

/* One update: the counters carry as the chip's do; an out-of-range value
 * falls back to its first value at its next carry. */
static void time_step(struct rtc_time *t)
{
	if (++t->sec < 60)
		return;
	t->sec = 0;
	if (++t->min < 60)
		return;
	t->min = 0;
	if (++t->hour < 24)
		return;
	t->hour = 0;
	t->dow = t->dow >= 7 ? 1 : t->dow + 1;
	if (++t->dom <= days_in_month(t->mon, t->year))
		return;
	t->dom = 1;
	if (++t->mon <= 12)
		return;
	t->mon = 1;
	t->year = t->year >= 99 ? 0 : t->year + 1;
}

static uint32_t day_number(unsigned year, unsigned mon, unsigned dom)
{
	uint32_t d = year * 365 + (year + 3) / 4;
	for (unsigned m = 1; m < mon; m++)
		d += days_in_month(m, year);
	return d + dom - 1;
}

static void from_day_number(uint32_t d, struct rtc_time *t)
{
	d %= DAYS_PER_CENTURY;
	t->year = (d / 1461) * 4;
	d %= 1461;
	if (d >= 366) {
		d -= 366;
		t->year += 1 + d / 365;
		d %= 365;
	}
	t->mon = 1;
	while (d >= days_in_month(t->mon, t->year))
		d -= days_in_month(t->mon++, t->year);
	t->dom = d + 1;
}

/* Jump a valid time forward without stepping each second. */
static void time_skip(struct rtc_time *t, uint64_t secs)
{
	uint64_t sod = t->hour * 3600u + t->min * 60u + t->sec + secs;
	uint64_t days = sod / SECS_PER_DAY;
	sod %= SECS_PER_DAY;
	t->hour = (unsigned)(sod / 3600);
	t->min = (unsigned)(sod / 60 % 60);
	t->sec = (unsigned)(sod % 60);
	t->dow = (unsigned)((t->dow - 1 + days % 7) % 7) + 1;
	from_day_number((uint32_t)((day_number(t->year % 100, t->mon, t->dom) + days) % DAYS_PER_CENTURY), t);
}

/* ---- register formats (register B: DM and 24/12) ---- */

static unsigned from_reg(const struct rtc *r, uint8_t v)
{
	return (r->ram[REG_B] & B_DM_BINARY) ? v : (v >> 4) * 10u + (v & 0x0F);
}

static uint8_t to_reg(const struct rtc *r, unsigned v)
{
	return (uint8_t)((r->ram[REG_B] & B_DM_BINARY) ? v : ((v / 10) << 4) | (v % 10));
}

static unsigned hour_from_reg(const struct rtc *r, uint8_t v)
{
	if (r->ram[REG_B] & B_24H)
		return from_reg(r, v);
	return from_reg(r, v & 0x7F) % 12 + ((v & 0x80) ? 12 : 0);
}

static uint8_t hour_to_reg(const struct rtc *r, unsigned h)
{
	if (r->ram[REG_B] & B_24H)
		return to_reg(r, h);
	unsigned h12 = h % 12 ? h % 12 : 12;
	return (uint8_t)(to_reg(r, h12) | (h >= 12 ? 0x80 : 0));
}

static void time_read(const struct rtc *r, struct rtc_time *t)
{
	t->sec = from_reg(r, r->ram[REG_SEC]);
	t->min = from_reg(r, r->ram[REG_MIN]);
	t->hour = hour_from_reg(r, r->ram[REG_HOUR]);
	t->dow = from_reg(r, r->ram[REG_DOW]);
	t->dom = from_reg(r, r->ram[REG_DOM]);
	t->mon = from_reg(r, r->ram[REG_MON]);
	t->year = from_reg(r, r->ram[REG_YEAR]);
}

static void time_write(struct rtc *r, const struct rtc_time *t)
{
	r->ram[REG_SEC] = to_reg(r, t->sec);
	r->ram[REG_MIN] = to_reg(r, t->min);
	r->ram[REG_HOUR] = hour_to_reg(r, t->hour);
	r->ram[REG_DOW] = to_reg(r, t->dow);
	r->ram[REG_DOM] = to_reg(r, t->dom);
	r->ram[REG_MON] = to_reg(r, t->mon);
	r->ram[REG_YEAR] = to_reg(r, t->year);
}

/* Alarm bytes match their time byte, or are "don't care" (11xxxxxx). */
static bool alarm_matches(const struct rtc *r)
{
	for (unsigned i = REG_SEC; i <= REG_HOUR; i += 2) {
		uint8_t alarm = r->ram[i + 1];
		if ((alarm & 0xC0) != 0xC0 && alarm != r->ram[i])
			return false;
	}
	return true;
}

/* Apply n update cycles. Any alarm pattern recurs daily, so after a skip
 * of all but the last day, stepping that day finds every alarm flag. */
static void apply_updates(struct rtc *r, uint64_t n)
{
	struct rtc_time t;
	time_read(r, &t);
	while (n > 0) {
		if (n > SECS_PER_DAY && time_valid(&t)) {
			time_skip(&t, n - SECS_PER_DAY);
			n = SECS_PER_DAY;
			continue;
		}
		time_step(&t);
		n--;
		time_write(r, &t);
		if (alarm_matches(r))
			r->ram[REG_C] |= C_AF;
	}
	r->ram[REG_C] |= C_UF;
}

/* ---- interrupts ---- */

static void update_irq(struct rtc *r)
{
	uint8_t c = r->ram[REG_C] & C_FLAGS;
	if (c & r->ram[REG_B] & C_FLAGS)
		c |= C_IRQF;
	r->ram[REG_C] = c;
	bool level = (c & C_IRQF) != 0;
	if (level != r->irq_level) {
		r->irq_level = level;
		irq_set(r->irq, level);
	}
}

/* Bring the registers and flags up to the present. */
static void rtc_sync(struct rtc *r)
{
	uint64_t t = cur_ticks(r, sched_now(r->sched));
	if (t <= r->last_ticks)
		return;
	uint64_t per = periodic_ticks(r);
	if (per && t / per != r->last_ticks / per)
		r->ram[REG_C] |= C_PF;
	uint64_t updates = t / RTC_HZ - r->last_ticks / RTC_HZ;
	if (updates && !(r->ram[REG_B] & B_SET))
		apply_updates(r, updates);
	r->last_ticks = t;
	update_irq(r);
}

/* Arm the timer for the next edge that could raise IRQ 8; none is needed
 * while IRQF is already set, since the line stays high until C is read. */
static void rtc_arm(struct rtc *r)
{
	uint8_t b = r->ram[REG_B];
	if ((r->ram[REG_C] & C_IRQF) || !rtc_running(r)) {
		timer_cancel(r->sched, &r->timer);
		return;
	}
	uint64_t t = cur_ticks(r, sched_now(r->sched));
	uint64_t next = UINT64_MAX;
	uint64_t per = periodic_ticks(r);
	if ((b & B_PIE) && per)
		next = (t / per + 1) * per;
	if ((b & (B_UIE | B_AIE)) && !(b & B_SET)) {
		uint64_t upd = (t / RTC_HZ + 1) * RTC_HZ;
		next = upd < next ? upd : next;
	}
	if (next == UINT64_MAX)
		timer_cancel(r->sched, &r->timer);
	else
		timer_arm(r->sched, &r->timer, r->base_vt + ticks_to_ns_ceil(next - r->base_ticks));
}

static void rtc_timer(void *opaque, vtime_t now)
{
	struct rtc *r = opaque;
	(void)now;
	rtc_sync(r);
	rtc_arm(r);
}

/* ---- register access ---- */

static void write_reg_a(struct rtc *r, uint8_t v)
{
	vtime_t now = sched_now(r->sched);
	bool was_running = rtc_running(r);
	uint64_t t = cur_ticks(r, now);
	r->ram[REG_A] = v & (uint8_t)~A_UIP;
	bool in_reset = (v & A_DV_RESET) == A_DV_RESET;
	if (in_reset)
		t = RTC_HZ / 2; /* released, the first update comes 500 ms later */
	if (was_running != rtc_running(r) || in_reset) {
		r->base_ticks = t;
		r->base_vt = now;
		r->last_ticks = t;
	}
}

static void write_reg(struct rtc *r, unsigned idx, uint8_t v)
{
	if (idx >= REG_NVRAM_FIRST) {
		r->ram[idx] = v;
		return;
	}
	rtc_sync(r);
	switch (idx) {
	case REG_A: write_reg_a(r, v); break;
	case REG_B:
		/* Datasheet, register B: SET going high clears UIE. */
		r->ram[REG_B] = (v & B_SET) ? v & (uint8_t)~B_UIE : v;
		update_irq(r);
		break;
	case REG_C:
	case REG_D: return; /* read-only */
	default: r->ram[idx] = v; break;
	}
	rtc_arm(r);
}

static bool uip(const struct rtc *r)
{
	if (!rtc_running(r) || (r->ram[REG_B] & B_SET))
		return false;
	return cur_ticks(r, sched_now(r->sched)) % RTC_HZ >= RTC_HZ - UIP_TICKS;
}

static uint8_t read_reg(struct rtc *r, unsigned idx)
{
	if (idx >= REG_NVRAM_FIRST || idx == REG_B)
		return r->ram[idx];
	if (idx == REG_D)
		return D_VRT; /* the battery is always good */
	rtc_sync(r);
	if (idx == REG_A)
		return (uint8_t)(r->ram[REG_A] | (uip(r) ? A_UIP : 0));
	if (idx != REG_C)
		return r->ram[idx];
	uint8_t v = r->ram[REG_C];
	r->ram[REG_C] = 0;
	update_irq(r);
	rtc_arm(r);
	return v;
}

static uint32_t rtc_port_read(void *opaque, uint32_t off, unsigned size)
{
	struct rtc *r = opaque;
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++) {
		/* The index register is write-only on the AT. */
		uint8_t byte = (off + b) == 1 ? read_reg(r, r->index) : 0xFF;
		v |= (uint32_t)byte << (8 * b);
	}
	return v;
}

static void rtc_port_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct rtc *r = opaque;
	for (unsigned b = 0; b < size; b++) {
		uint8_t byte = (uint8_t)(v >> (8 * b));
		if ((off + b) == 0) {
			r->index = byte & CMOS_INDEX_MASK;
			r->nmi_disabled = (byte & 0x80) != 0;
		} else if ((off + b) == 1) {
			write_reg(r, r->index, byte);
		}
	}
}

static const struct io_ops rtc_io = { rtc_port_read, rtc_port_write };

/* ---- CMOS contents ---- */

static void update_checksum(struct rtc *r)
{
	unsigned sum = 0;
	for (unsigned i = CMOS_CSUM_FIRST; i <= CMOS_CSUM_LAST; i++)
		sum += r->ram[i];
	r->ram[CMOS_CSUM_HI] = (uint8_t)(sum >> 8);
	r->ram[CMOS_CSUM_LO] = (uint8_t)sum;
}

void rtc_set_nvram(struct rtc *r, unsigned index, uint8_t value)
{
	index &= CMOS_INDEX_MASK;
	if (index < REG_NVRAM_FIRST)
		return;
	r->ram[index] = value;
	if (index >= CMOS_CSUM_FIRST && index <= CMOS_CSUM_LAST)
		update_checksum(r);
}

uint8_t rtc_nvram(const struct rtc *r, unsigned index)
{
	return r->ram[index & CMOS_INDEX_MASK];
}

static void set16(struct rtc *r, unsigned lo_index, uint32_t v)
{
	if (v > 0xFFFF)
		v = 0xFFFF;
	r->ram[lo_index] = (uint8_t)v;
	r->ram[lo_index + 1] = (uint8_t)(v >> 8);
}

/* Boot order as QEMU hands it to SeaBIOS: 0x3D low/high nibble = first and
 * second device, 0x38 high nibble = third (low bit 0: check the floppy
 * boot signature). 1 floppy, 2 hard disk, 3 CD-ROM. */
static void set_boot_order(struct rtc *r, const unsigned order[4])
{
	uint8_t bds[3] = { 0 };
	unsigned n = 0;
	for (unsigned i = 0; i < 4 && n < 3; i++)
		if (order[i] >= 1 && order[i] <= 3)
			bds[n++] = (uint8_t)order[i];
	if (n == 0) {
		bds[0] = 2;
		bds[1] = 3;
		bds[2] = 1;
	}
	r->ram[0x3D] = (uint8_t)(bds[1] << 4 | bds[0]);
	r->ram[0x38] = (uint8_t)(bds[2] << 4);
}

static void cmos_defaults(struct rtc *r, const struct machine_config *cfg)
{
	uint32_t ram = cfg->ram_size;
	r->ram[0x14] = 0x02; /* no floppy drives, coprocessor present, EGA/VGA display */
	set16(r, 0x15, 640);
	uint32_t ext_kib = ram > (1u << 20) ? (ram >> 10) - 1024 : 0;
	set16(r, 0x17, ext_kib);
	set16(r, 0x30, ext_kib);
	set16(r, 0x34, ram > (16u << 20) ? (ram - (16u << 20)) >> 16 : 0);
	set_boot_order(r, cfg->boot_order);
	update_checksum(r);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (civil calendar). */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static uint8_t bcd(unsigned v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static void set_start_time(struct rtc *r, int64_t epoch)
{
	if (epoch == 0)
		epoch = 946684800; /* 2000-01-01 00:00:00 UTC */
	int64_t days = (epoch >= 0 ? epoch : epoch - (SECS_PER_DAY - 1)) / SECS_PER_DAY;
	int64_t sod = epoch - days * SECS_PER_DAY;
	int64_t year;
	struct rtc_time t = { .sec = (unsigned)(sod % 60), .min = (unsigned)(sod / 60 % 60),
			      .hour = (unsigned)(sod / 3600) };
	civil_from_days(days, &year, &t.mon, &t.dom);
	t.dow = (unsigned)(((days % 7) + 11) % 7) + 1; /* 1970-01-01 was a Thursday; Sunday is 1 */
	int64_t y = year < 0 ? 0 : year % 10000;
	t.year = (unsigned)(y % 100);
	time_write(r, &t);
	r->ram[0x32] = bcd((unsigned)(y / 100));
}

/* ---- device class ---- */

static void rtc_reset(void *dev)
{
	struct rtc *r = dev;
	rtc_sync(r);
	/* The RESET pin clears the interrupt enables and flags (datasheet,
	 * "RESET"); time and RAM are kept. */
	r->ram[REG_B] &= (uint8_t)~(B_PIE | B_AIE | B_UIE | 0x08);
	r->ram[REG_C] = 0;
	update_irq(r);
	rtc_arm(r);
}

static void *rtc_create(struct machine *m)
{
	struct rtc *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->m = m;
	r->sched = machine_sched(m);
	r->irq = machine_isa_irq(m, 8);
	timer_init(&r->timer, rtc_timer, r);
	r->ram[REG_A] = A_DV_32K | 0x06;
	r->ram[REG_B] = B_24H;
	r->ram[REG_D] = D_VRT;
	set_start_time(r, machine_config(m)->rtc_start);
	cmos_defaults(r, machine_config(m));
	r->base_vt = sched_now(r->sched);
	if (ioport_register(machine_io(m), 0x70, 2, &rtc_io, r) < 0) {
		machine_error(m, "rtc: ports 0x70-0x71 already taken");
		free(r);
		return NULL;
	}
	return r;
}

static void rtc_destroy(void *dev)
{
	struct rtc *r = dev;
	timer_cancel(r->sched, &r->timer);
	free(r);
}

static void rtc_post_load(void *dev)
{
	struct rtc *r = dev;
	update_irq(r);
	/* The line's previous level is unknown after a load: drive it. */
	irq_set(r->irq, r->irq_level);
	rtc_arm(r);
}

static const struct state_field rtc_fields[] = {
	STATE_FIELD(struct rtc, ram),
	STATE_FIELD(struct rtc, index),
	STATE_FIELD(struct rtc, nmi_disabled),
	STATE_FIELD(struct rtc, base_vt),
	STATE_FIELD(struct rtc, base_ticks),
	STATE_FIELD(struct rtc, last_ticks),
	{ 0 },
};

const struct device_class rtc_class = {
	.name = "rtc",
	.create = rtc_create,
	.reset = rtc_reset,
	.destroy = rtc_destroy,
	.fields = rtc_fields,
	.post_load = rtc_post_load,
};
