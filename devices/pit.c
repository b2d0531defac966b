/*
 * The 8254 programmable interval timer (Intel 8254 datasheet, order
 * 231164: "Control Word Format", "Read Operations" (counter latch and
 * read-back commands, status byte), "Mode Definitions" (modes 0-5),
 * "Operations Common to All Modes" (gate, null count)) and system control
 * port B at 0x61 as the PIIX3 implements it (82371SB datasheet, NMI status
 * and control register NMISC).
 *
 * Ports 0x40-0x42 are the counters, 0x43 the control word. The input clock
 * is 1.193182 MHz. Nothing ticks: each counter remembers the clock edge at
 * which its counting element was loaded and computes its count and OUT
 * from the virtual time when read. Channel 0 drives IRQ 0; a timer is
 * armed only for the next rising edge of its OUT. Channels 0 and 1 have
 * their gate tied high, channel 2's gate is port 0x61 bit 0.
 *
 * Known deviations:
 * - The IRQ 0 line is modelled at the rising edges of OUT only: in modes
 *   2-5 it pulses low-high at each rising edge and otherwise stays high,
 *   so the PIC never sees mode 3's low half or mode 2's one-clock low.
 *   Status reads and port 0x61 still show the exact OUT level.
 * - In mode 3 a count written while counting takes effect at the end of
 *   the current period rather than of the current half-period. An odd
 *   count reads N-1 for the first two clocks of the high half.
 * - A count read before its first load clock returns the counting
 *   element's previous value. Invalid BCD digits count as their binary
 *   nibble value.
 * - Port 0x61 bit 4 toggles every 15.085 us of virtual time whatever
 *   channel 1 is programmed to, as firmware delay loops expect. Bits 6-7
 *   (IOCHK and SERR status) read 0; the speaker makes no sound.
 * - Reset (the chip's power-on state is undefined) leaves each counter in
 *   mode 3, lobyte/hibyte, binary, waiting for a count, OUT high.
 */
#include "devices/pit.h"

#include <stdlib.h>

#include "devices/irq.h"

#define NS_PER_S 1000000000u
#define PIT_NEVER UINT64_MAX
#define REFRESH_NS 15085u

enum pit_rw { RW_LATCH = 0, RW_LO = 1, RW_HI = 2, RW_LOHI = 3 };

enum pit_state {
	PIT_IDLE,      /* control word written, no count yet */
	PIT_WAIT_GATE, /* modes 1 and 5: count written, no trigger yet */
	PIT_RUN,       /* counting from the edge in start */
	PIT_PAUSED,    /* the gate holds the count (hold) */
};

struct pit_channel {
	uint64_t start;      /* clock edge at which the counting element loaded */
	uint64_t frozen;     /* clocks counted when the gate stopped counting */
	uint64_t next_start; /* modes 2, 3: edge where next_count takes over */
	uint64_t null_until; /* edge where the last written count loads */
	uint32_t count;      /* initial count in the counting element, binary */
	uint32_t cr_count;   /* last count written, binary (1-65536, BCD 1-10000) */
	uint32_t next_count;
	uint32_t hold;       /* count shown while not running, binary */
	uint16_t latch;      /* latched count as read (BCD-encoded in BCD mode) */
	uint8_t ctrl;        /* control word bits 5-0: RW1 RW0 M2 M1 M0 BCD */
	uint8_t mode;
	uint8_t state;
	uint8_t status;      /* latched status byte */
	uint8_t write_lsb;
	uint8_t latch_left;  /* latched count bytes not yet read */
	bool write_hi_next;
	bool read_hi_next;
	bool status_latched;
	bool pending;        /* next_count waits for next_start */
	bool gate;
};

struct pit {
	struct pit_channel ch[3];
	uint8_t port61;      /* writable bits 0-3 of port 0x61 */
	bool irq_level;      /* the IRQ 0 line as driven */
	struct timer irq_timer;
	struct irq_line irq0;
	struct sched *sched;
};

/* ---- time ---- */

/* Clock edges in [0, ns]; split so that nothing overflows 64 bits. */
static uint64_t pit_ticks(vtime_t ns)
{
	return (ns / NS_PER_S) * PIT_HZ + (ns % NS_PER_S) * PIT_HZ / NS_PER_S;
}

/* The first nanosecond at which clock edge tick has happened. */
static vtime_t pit_tick_time(uint64_t tick)
{
	uint64_t q = tick / PIT_HZ, r = tick % PIT_HZ;
	return q * NS_PER_S + (r * NS_PER_S + PIT_HZ - 1) / PIT_HZ;
}

static uint64_t pit_now(const struct pit *p) { return pit_ticks(sched_now(p->sched)); }

/* ---- counting element ---- */

static bool ch_bcd(const struct pit_channel *c) { return c->ctrl & 1; }
static unsigned ch_rw(const struct pit_channel *c) { return (c->ctrl >> 4) & 3; }
static uint32_t ch_modulus(const struct pit_channel *c) { return ch_bcd(c) ? 10000 : 65536; }

static uint32_t bcd_to_bin(uint16_t v)
{
	return (v >> 12) * 1000u + ((v >> 8) & 15) * 100u + ((v >> 4) & 15) * 10u + (v & 15);
}

static uint16_t bin_to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* A written count as the number of clocks it stands for: 0 is the
 * maximum count. */
static uint32_t count_from_raw(const struct pit_channel *c, uint16_t raw)
{
	uint32_t n = ch_bcd(c) ? bcd_to_bin(raw) : raw;
	return n ? n : ch_modulus(c);
}

/* A pending mode 2/3 count takes over at the end of the period. */
static void ch_catch_up(struct pit_channel *c, uint64_t t)
{
	if (c->pending && t >= c->next_start) {
		c->count = c->next_count;
		c->start = c->next_start;
		c->pending = false;
	}
}

/* Mode 3 counts down by two through each half; the high half is the
 * longer one for odd counts. */
static uint32_t square_value(uint32_t n, uint64_t k)
{
	uint32_t p = (uint32_t)(k % n), high = (n + 1) / 2;
	if (p >= high)
		return 2 * (n - p);
	uint32_t v = 2 * (high - p);
	return v < (n & ~1u) ? v : (n & ~1u);
}

/* Counting element after k clocks of counting, binary, below the modulus. */
static uint32_t value_after(const struct pit_channel *c, uint64_t k)
{
	uint32_t m = ch_modulus(c), n = c->count;
	switch (c->mode) {
	case 2:
		return (uint32_t)((n - k % n) % m);
	case 3:
		return square_value(n, k) % m;
	default:
		return (uint32_t)((n % m + m - k % m) % m);
	}
}

static bool out_after(const struct pit_channel *c, uint64_t k)
{
	uint32_t n = c->count;
	switch (c->mode) {
	case 0:
	case 1:
		return k >= n;
	case 2:
		return k % n != n - 1;
	case 3:
		return k % n < (n + 1) / 2;
	default:
		return k != n;
	}
}

static bool ch_loaded(const struct pit_channel *c, uint64_t t)
{
	return c->state == PIT_RUN && t >= c->start;
}

static uint32_t ch_value(struct pit_channel *c, uint64_t t)
{
	ch_catch_up(c, t);
	return ch_loaded(c, t) ? value_after(c, t - c->start) : c->hold % ch_modulus(c);
}

static bool ch_out(struct pit_channel *c, uint64_t t)
{
	ch_catch_up(c, t);
	if (ch_loaded(c, t))
		return out_after(c, t - c->start);
	if (c->state == PIT_PAUSED && (c->mode == 0 || c->mode == 4))
		return out_after(c, c->frozen);
	return c->mode != 0;
}

static uint16_t ch_read_value(struct pit_channel *c, uint64_t t)
{
	uint32_t v = ch_value(c, t);
	return ch_bcd(c) ? bin_to_bcd(v) : (uint16_t)v;
}

/* The first clock edge after t at which OUT rises, or PIT_NEVER. */
static uint64_t ch_next_rise(struct pit_channel *c, uint64_t t)
{
	if (c->state != PIT_RUN)
		return PIT_NEVER;
	if (c->pending && c->next_start > t)
		return c->next_start;
	uint64_t n = c->count, e;
	switch (c->mode) {
	case 0:
	case 1:
		e = c->start + n;
		break;
	case 2:
	case 3:
		if (n < 2)
			return PIT_NEVER;
		e = t < c->start ? c->start + n : c->start + ((t - c->start) / n + 1) * n;
		break;
	default:
		e = c->start + n + 1;
		break;
	}
	return e > t ? e : PIT_NEVER;
}

/* ---- IRQ 0 ---- */

static void pit_drive_irq(struct pit *p, bool level)
{
	p->irq_level = level;
	irq_set(p->irq0, level);
}

static void pit_rearm(struct pit *p, uint64_t t)
{
	uint64_t e = ch_next_rise(&p->ch[0], t);
	if (e == PIT_NEVER)
		timer_cancel(p->sched, &p->irq_timer);
	else
		timer_arm(p->sched, &p->irq_timer, pit_tick_time(e));
}

static void pit_irq_fire(void *opaque, vtime_t now)
{
	struct pit *p = opaque;
	struct pit_channel *c = &p->ch[0];
	uint64_t t = pit_ticks(now);
	ch_catch_up(c, t);
	if (c->mode >= 2)
		pit_drive_irq(p, false);
	pit_drive_irq(p, c->mode >= 2 || ch_out(c, t));
	pit_rearm(p, t);
}

/* Channel 0's OUT or count changed from the outside. */
static void pit_ch0_changed(struct pit *p, uint64_t t)
{
	struct pit_channel *c = &p->ch[0];
	bool level = c->mode >= 2 || ch_out(c, t);
	if (level != p->irq_level)
		pit_drive_irq(p, level);
	pit_rearm(p, t);
}

static void pit_changed(struct pit *p, unsigned n, uint64_t t)
{
	if (n == 0)
		pit_ch0_changed(p, t);
}

/* ---- loading counts and the gate ---- */

static void ch_start(struct pit_channel *c, uint64_t t)
{
	c->start = t + 1;
	c->null_until = t + 1;
	c->pending = false;
	c->count = c->cr_count;
	c->state = PIT_RUN;
}

static void ch_start_paused(struct pit_channel *c, uint64_t t)
{
	c->count = c->cr_count;
	c->hold = c->count;
	c->frozen = 0;
	c->null_until = t + 1;
	c->pending = false;
	c->state = PIT_PAUSED;
}

/* Modes 2 and 3 finish the current period with the old count. */
static void ch_defer_count(struct pit_channel *c, uint64_t t)
{
	uint64_t n = c->count;
	uint64_t boundary = c->start + ((t - c->start) / n + 1) * n;
	if (c->pending)
		boundary = c->next_start;
	c->next_count = c->cr_count;
	c->next_start = boundary;
	c->null_until = boundary;
	c->pending = true;
}

static void ch_load(struct pit_channel *c, uint16_t raw, uint64_t t)
{
	ch_catch_up(c, t);
	c->cr_count = count_from_raw(c, raw);
	switch (c->mode) {
	case 1:
	case 5:
		if (c->state == PIT_IDLE)
			c->state = PIT_WAIT_GATE;
		c->null_until = PIT_NEVER;
		break;
	case 2:
	case 3:
		if (ch_loaded(c, t))
			ch_defer_count(c, t);
		else if (c->gate)
			ch_start(c, t);
		else
			ch_start_paused(c, t);
		break;
	default:
		if (c->gate)
			ch_start(c, t);
		else
			ch_start_paused(c, t);
		break;
	}
}

static void ch_gate_rise(struct pit_channel *c, uint64_t t)
{
	switch (c->mode) {
	case 0:
	case 4:
		if (c->state == PIT_PAUSED) {
			c->start = t - c->frozen;
			c->state = PIT_RUN;
		}
		break;
	default:
		/* A trigger (re)loads the latest count on the next clock. */
		if (c->state != PIT_IDLE)
			ch_start(c, t);
		break;
	}
}

static void ch_gate_fall(struct pit_channel *c, uint64_t t)
{
	if (c->state != PIT_RUN || c->mode == 1 || c->mode == 5)
		return;
	c->hold = t >= c->start ? ch_value(c, t) : c->count;
	c->frozen = t >= c->start ? t - c->start : 0;
	c->state = PIT_PAUSED;
}

static void pit_set_gate(struct pit *p, unsigned n, bool level)
{
	struct pit_channel *c = &p->ch[n];
	if (level == c->gate)
		return;
	uint64_t t = pit_now(p);
	c->gate = level;
	if (level)
		ch_gate_rise(c, t);
	else
		ch_gate_fall(c, t);
	pit_changed(p, n, t);
}

/* ---- ports 0x40-0x43 ---- */

static void ch_latch_count(struct pit_channel *c, uint64_t t)
{
	if (c->latch_left)
		return;
	c->latch = ch_read_value(c, t);
	c->latch_left = ch_rw(c) == RW_LOHI ? 2 : 1;
}

static void ch_latch_status(struct pit_channel *c, uint64_t t)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)(ch_out(c, t) << 7 | (t < c->null_until) << 6 | c->ctrl);
	c->status_latched = true;
}

static void pit_read_back(struct pit *p, uint8_t v, uint64_t t)
{
	for (unsigned n = 0; n < 3; n++) {
		if (!(v & (2u << n)))
			continue;
		if (!(v & 0x10))
			ch_latch_status(&p->ch[n], t);
		if (!(v & 0x20))
			ch_latch_count(&p->ch[n], t);
	}
}

static void ch_set_mode(struct pit_channel *c, uint8_t v, uint64_t t)
{
	c->hold = ch_value(c, t);
	c->ctrl = v & 0x3F;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->state = PIT_IDLE;
	c->pending = false;
	c->null_until = PIT_NEVER;
	c->write_hi_next = false;
	c->read_hi_next = false;
	c->latch_left = 0;
	c->status_latched = false;
}

static void pit_control(struct pit *p, uint8_t v)
{
	uint64_t t = pit_now(p);
	unsigned n = v >> 6;
	if (n == 3) {
		pit_read_back(p, v, t);
		return;
	}
	if (((v >> 4) & 3) == RW_LATCH) {
		ch_latch_count(&p->ch[n], t);
		return;
	}
	ch_set_mode(&p->ch[n], v, t);
	pit_changed(p, n, t);
}

static void pit_write_count(struct pit *p, unsigned n, uint8_t v)
{
	struct pit_channel *c = &p->ch[n];
	uint64_t t = pit_now(p);
	uint16_t raw;
	switch (ch_rw(c)) {
	case RW_LO:
		raw = v;
		break;
	case RW_HI:
		raw = (uint16_t)(v << 8);
		break;
	default:
		if (!c->write_hi_next) {
			c->write_lsb = v;
			c->write_hi_next = true;
			/* Mode 0: the first byte stops the count and lowers OUT. */
			if (c->mode == 0) {
				c->hold = ch_value(c, t);
				c->state = PIT_IDLE;
				pit_changed(p, n, t);
			}
			return;
		}
		c->write_hi_next = false;
		raw = (uint16_t)(c->write_lsb | v << 8);
		break;
	}
	ch_load(c, raw, t);
	pit_changed(p, n, t);
}

static uint8_t ch_read_latched(struct pit_channel *c)
{
	bool hi = ch_rw(c) == RW_HI || (ch_rw(c) == RW_LOHI && c->latch_left == 1);
	c->latch_left--;
	return (uint8_t)(hi ? c->latch >> 8 : c->latch);
}

static uint8_t pit_read_counter(struct pit *p, unsigned n)
{
	struct pit_channel *c = &p->ch[n];
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left)
		return ch_read_latched(c);
	uint16_t v = ch_read_value(c, pit_now(p));
	bool hi = ch_rw(c) == RW_HI;
	if (ch_rw(c) == RW_LOHI) {
		hi = c->read_hi_next;
		c->read_hi_next = !hi;
	}
	return (uint8_t)(hi ? v >> 8 : v);
}

static uint32_t pit_io_read(void *opaque, uint32_t off, unsigned size)
{
	struct pit *p = opaque;
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++) {
		unsigned port = (off + b) & 3;
		/* The control word register cannot be read: the bus floats. */
		uint8_t byte = port == 3 ? 0xFF : pit_read_counter(p, port);
		v |= (uint32_t)byte << (8 * b);
	}
	return v;
}

static void pit_io_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct pit *p = opaque;
	for (unsigned b = 0; b < size; b++) {
		unsigned port = (off + b) & 3;
		uint8_t byte = (uint8_t)(v >> (8 * b));
		if (port == 3)
			pit_control(p, byte);
		else
			pit_write_count(p, port, byte);
	}
}

/* ---- port 0x61 ---- */

static uint32_t port61_read(void *opaque, uint32_t off, unsigned size)
{
	struct pit *p = opaque;
	(void)off;
	(void)size; /* a one-port range: the port table splits wider reads */
	vtime_t now = sched_now(p->sched);
	uint8_t v = p->port61 & 0x0F;
	v |= (uint8_t)(((now / REFRESH_NS) & 1) << 4);
	v |= (uint8_t)(ch_out(&p->ch[2], pit_ticks(now)) << 5);
	return v;
}

static void port61_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct pit *p = opaque;
	(void)off;
	(void)size;
	p->port61 = v & 0x0F;
	pit_set_gate(p, 2, v & 1);
}

static const struct io_ops pit_ops = { pit_io_read, pit_io_write };
static const struct io_ops port61_ops = { port61_read, port61_write };

/* ---- lifecycle ---- */

static void pit_reset(void *dev)
{
	struct pit *p = dev;
	timer_cancel(p->sched, &p->irq_timer);
	for (unsigned n = 0; n < 3; n++) {
		p->ch[n] = (struct pit_channel){
			.ctrl = RW_LOHI << 4 | 3 << 1,
			.mode = 3,
			.state = PIT_IDLE,
			.null_until = PIT_NEVER,
			.gate = n != 2,
		};
	}
	p->port61 = 0;
	pit_drive_irq(p, true);
}

static void *pit_create(struct machine *m)
{
	struct pit *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->sched = machine_sched(m);
	p->irq0 = machine_isa_irq(m, 0);
	timer_init(&p->irq_timer, pit_irq_fire, p);
	struct ioport_table *io = machine_io(m);
	if (ioport_register(io, 0x40, 4, &pit_ops, p) < 0 ||
	    ioport_register(io, 0x61, 1, &port61_ops, p) < 0) {
		machine_error(m, "pit: ports 0x40-0x43 or 0x61 already taken");
		free(p);
		return NULL;
	}
	pit_reset(p);
	return p;
}

static void pit_destroy(void *dev)
{
	struct pit *p = dev;
	timer_cancel(p->sched, &p->irq_timer);
	free(p);
}

static void pit_post_load(void *dev)
{
	struct pit *p = dev;
	irq_set(p->irq0, p->irq_level);
	pit_rearm(p, pit_now(p));
}

#define PIT_CHANNEL_FIELDS(n)                                                          \
	STATE_FIELD(struct pit, ch[n].start), STATE_FIELD(struct pit, ch[n].frozen),      \
	STATE_FIELD(struct pit, ch[n].next_start), STATE_FIELD(struct pit, ch[n].null_until), \
	STATE_FIELD(struct pit, ch[n].count), STATE_FIELD(struct pit, ch[n].cr_count),    \
	STATE_FIELD(struct pit, ch[n].next_count), STATE_FIELD(struct pit, ch[n].hold),   \
	STATE_FIELD(struct pit, ch[n].latch), STATE_FIELD(struct pit, ch[n].ctrl),        \
	STATE_FIELD(struct pit, ch[n].mode), STATE_FIELD(struct pit, ch[n].state),        \
	STATE_FIELD(struct pit, ch[n].status), STATE_FIELD(struct pit, ch[n].write_lsb),  \
	STATE_FIELD(struct pit, ch[n].latch_left),                                       \
	STATE_FIELD(struct pit, ch[n].write_hi_next),                                    \
	STATE_FIELD(struct pit, ch[n].read_hi_next),                                     \
	STATE_FIELD(struct pit, ch[n].status_latched),                                   \
	STATE_FIELD(struct pit, ch[n].pending), STATE_FIELD(struct pit, ch[n].gate)

static const struct state_field pit_fields[] = {
	PIT_CHANNEL_FIELDS(0),
	PIT_CHANNEL_FIELDS(1),
	PIT_CHANNEL_FIELDS(2),
	STATE_FIELD(struct pit, port61),
	STATE_FIELD(struct pit, irq_level),
	{ 0 },
};

const struct device_class pit_device_class = {
	.name = "pit",
	.create = pit_create,
	.reset = pit_reset,
	.destroy = pit_destroy,
	.fields = pit_fields,
	.post_load = pit_post_load,
};
