/*
 * 8042 keyboard controller (IBM PC AT Technical Reference, "Keyboard
 * Controller"; IBM PS/2 Hardware Interface Technical Reference, "Keyboard
 * and Auxiliary Device Controller") with a PS/2 keyboard (IBM 101/102-key
 * keyboard protocol: commands ED-FF, scan code sets 1-3) and a PS/2 mouse
 * (IBM PS/2 mouse protocol: commands E6-FF, 3-byte packets).
 *
 * The controller holds one output byte. Each device holds what it has not
 * sent yet in a 16-byte buffer, as a device cannot clock data to a full
 * controller; the controller takes the next byte when the guest empties the
 * output buffer: its own replies first, then keyboard and mouse bytes in
 * the order the devices produced them, skipping a device whose interface
 * the command byte disables. With translation on (command byte bit 6) the
 * controller turns keyboard set 2 codes into set 1, folding each F0 prefix
 * into bit 7 of the next code. OBF raises IRQ 1 (keyboard data and
 * controller replies) or IRQ 12 (mouse data) when the command byte enables
 * it; the line stays high until the guest reads port 0x60.
 *
 * Deviations: bytes move instantly (no serial timing, so IBF never shows);
 * sending a byte to a device clears that device's disable bit in the
 * command byte, as the controller must release the clock line to send; a
 * board reset reinitialises the controller but keeps the system flag (the
 * real 8042 is not reset by the CPU reset it generates, which is how a
 * BIOS tells a warm start); no typematic repeat (the front end repeats
 * keys); set 3 key types (F7-FD) are acknowledged but every key stays
 * make/break; mouse sample rate and resolution are stored but do not
 * throttle or scale the motion the front end reports; no IntelliMouse
 * wheel; controller RAM beyond the command byte is plain storage.
 */
#include "devices/i8042.h"

#include <stdlib.h>

#include "devices/machine.h"

#define QLEN 16u

#define ST_OBF 0x01u
#define ST_SYS 0x04u
#define ST_A2 0x08u
#define ST_INH 0x10u /* keyboard not inhibited by the keylock */
#define ST_AUXB 0x20u

#define CCB_KBD_INT 0x01u
#define CCB_AUX_INT 0x02u
#define CCB_SYS 0x04u
#define CCB_KBD_DIS 0x10u
#define CCB_AUX_DIS 0x20u
#define CCB_XLAT 0x40u
#define CCB_DEFAULT (CCB_KBD_INT | CCB_XLAT)

#define OUT_RESET 0x01u
#define OUT_A20 0x02u
#define OUT_IRQ1 0x10u
#define OUT_IRQ12 0x20u
#define OUT_DEFAULT 0xCFu /* no reset, A20 on, clock and data lines high */
/* Input port (command C0): keyboard not inhibited, no manufacturing jumper,
 * colour display, 512 KiB on the system board (AT technical reference). */
#define INPUT_PORT 0xA0u

#define ACK 0xFAu
#define RESEND 0xFEu
#define BAT_OK 0xAAu
#define ECHO 0xEEu

struct i8042_queue {
	uint8_t data[QLEN];
	uint8_t aux[QLEN]; /* controller replies only: 1 when the byte is mouse data */
	uint32_t seq[QLEN];
	uint8_t head, count;
};

struct ps2_kbd {
	struct i8042_queue q;
	uint8_t pending;   /* command waiting for its parameter */
	uint8_t scan_set;  /* 1, 2 or 3 */
	uint8_t leds;
	uint8_t typematic;
	uint8_t last_sent; /* for Resend */
	bool enabled;      /* scanning */
};

struct ps2_mouse {
	struct i8042_queue q;
	uint8_t pending;
	uint8_t sample_rate;
	uint8_t resolution;
	uint8_t last_sent;
	uint8_t buttons;
	bool scaling21, remote, wrap, enabled;
	bool report_pending;
	int32_t dx, dy;
};

struct i8042 {
	struct machine *m;
	struct irq_line irq_kbd, irq_aux;
	bool irq_kbd_level, irq_aux_level;
	uint8_t ram[32];   /* controller RAM; byte 0 is the command byte */
	uint8_t out;       /* output buffer */
	bool obf, out_aux;
	bool a2;           /* the last write went to port 0x64 */
	uint8_t pending;   /* controller command waiting for a data byte */
	uint8_t outport;
	bool xlat_break;   /* translation saw F0 */
	uint32_t seq;
	struct i8042_queue ctl;
	struct ps2_kbd kbd;
	struct ps2_mouse mouse;
};

/* ---- scan code tables ---- */

/* The 8042's set 2 to set 1 translation for codes 00-7F. */
static const uint8_t xlat_table[128] = {
	0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
	0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
	0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
	0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
	0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
	0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
	0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
	0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

static uint8_t xlat(uint8_t b)
{
	if (b < 0x80)
		return xlat_table[b];
	if (b == 0x83) /* F7 */
		return 0x41;
	if (b == 0x84) /* SysRq */
		return 0x54;
	return b; /* prefixes and replies pass through */
}

/* Set 3 codes of the plain set 2 keys (0 = no such key). */
static const uint8_t set3_plain[0x85] = {
	[0x76] = 0x08, [0x05] = 0x07, [0x06] = 0x0F, [0x04] = 0x17, [0x0C] = 0x1F, [0x03] = 0x27,
	[0x0B] = 0x2F, [0x83] = 0x37, [0x0A] = 0x3F, [0x01] = 0x47, [0x09] = 0x4F, [0x78] = 0x56,
	[0x07] = 0x5E, [0x7E] = 0x5F, [0x84] = 0x57, [0x0E] = 0x0E, [0x16] = 0x16, [0x1E] = 0x1E,
	[0x26] = 0x26, [0x25] = 0x25, [0x2E] = 0x2E, [0x36] = 0x36, [0x3D] = 0x3D, [0x3E] = 0x3E,
	[0x46] = 0x46, [0x45] = 0x45, [0x4E] = 0x4E, [0x55] = 0x55, [0x66] = 0x66, [0x0D] = 0x0D,
	[0x15] = 0x15, [0x1D] = 0x1D, [0x24] = 0x24, [0x2D] = 0x2D, [0x2C] = 0x2C, [0x35] = 0x35,
	[0x3C] = 0x3C, [0x43] = 0x43, [0x44] = 0x44, [0x4D] = 0x4D, [0x54] = 0x54, [0x5B] = 0x5B,
	[0x5D] = 0x5C, [0x58] = 0x14, [0x1C] = 0x1C, [0x1B] = 0x1B, [0x23] = 0x23, [0x2B] = 0x2B,
	[0x34] = 0x34, [0x33] = 0x33, [0x3B] = 0x3B, [0x42] = 0x42, [0x4B] = 0x4B, [0x4C] = 0x4C,
	[0x52] = 0x52, [0x5A] = 0x5A, [0x12] = 0x12, [0x61] = 0x13, [0x1A] = 0x1A, [0x22] = 0x22,
	[0x21] = 0x21, [0x2A] = 0x2A, [0x32] = 0x32, [0x31] = 0x31, [0x3A] = 0x3A, [0x41] = 0x41,
	[0x49] = 0x49, [0x4A] = 0x4A, [0x59] = 0x59, [0x14] = 0x11, [0x11] = 0x19, [0x29] = 0x29,
	[0x77] = 0x76, [0x7C] = 0x7E, [0x7B] = 0x84, [0x6C] = 0x6C, [0x75] = 0x75, [0x7D] = 0x7D,
	[0x79] = 0x7C, [0x6B] = 0x6B, [0x73] = 0x73, [0x74] = 0x74, [0x69] = 0x69, [0x72] = 0x72,
	[0x7A] = 0x7A, [0x70] = 0x70, [0x71] = 0x71,
};

/* Set 3 codes of the E0-prefixed set 2 keys, by their second byte. */
static const uint8_t set3_e0[0x80] = {
	[0x1F] = 0x8B, [0x27] = 0x8C, [0x2F] = 0x8D, [0x11] = 0x39, [0x14] = 0x58,
	[0x70] = 0x67, [0x6C] = 0x6E, [0x7D] = 0x6F, [0x71] = 0x64, [0x69] = 0x65,
	[0x7A] = 0x6D, [0x75] = 0x63, [0x6B] = 0x61, [0x72] = 0x60, [0x74] = 0x6A,
	[0x4A] = 0x77, [0x5A] = 0x79, [0x7C] = 0x57,
};

/* ---- byte queues ---- */

static bool q_push(struct i8042_queue *q, uint8_t b, uint8_t aux, uint32_t seq)
{
	if (q->count >= QLEN)
		return false;
	unsigned at = (q->head + q->count) % QLEN;
	q->data[at] = b;
	q->aux[at] = aux;
	q->seq[at] = seq;
	q->count++;
	return true;
}

static uint8_t q_pop(struct i8042_queue *q, uint8_t *aux)
{
	unsigned at = q->head % QLEN;
	q->head = (uint8_t)((at + 1) % QLEN);
	q->count--;
	if (aux)
		*aux = q->aux[at];
	return q->data[at];
}

static uint32_t q_head_seq(const struct i8042_queue *q) { return q->seq[q->head % QLEN]; }
static unsigned q_space(const struct i8042_queue *q) { return QLEN - q->count; }
static void q_clear(struct i8042_queue *q) { q->head = q->count = 0; }

/* ---- the controller's output buffer and interrupt lines ---- */

static uint8_t ccb(const struct i8042 *k) { return k->ram[0]; }

static void update_irqs(struct i8042 *k)
{
	bool kbd = k->obf && !k->out_aux && (ccb(k) & CCB_KBD_INT);
	bool aux = k->obf && k->out_aux && (ccb(k) & CCB_AUX_INT);
	if (kbd != k->irq_kbd_level) {
		k->irq_kbd_level = kbd;
		irq_set(k->irq_kbd, kbd);
	}
	if (aux != k->irq_aux_level) {
		k->irq_aux_level = aux;
		irq_set(k->irq_aux, aux);
	}
}

/* The source of the next byte, or NULL: controller replies first, then the
 * device that produced its pending byte first. */
static struct i8042_queue *next_source(struct i8042 *k)
{
	if (k->ctl.count)
		return &k->ctl;
	bool kbd = k->kbd.q.count && !(ccb(k) & CCB_KBD_DIS);
	bool aux = k->mouse.q.count && !(ccb(k) & CCB_AUX_DIS);
	if (kbd && aux)
		return (int32_t)(q_head_seq(&k->kbd.q) - q_head_seq(&k->mouse.q)) < 0 ? &k->kbd.q
										      : &k->mouse.q;
	return kbd ? &k->kbd.q : aux ? &k->mouse.q : NULL;
}

static void mouse_flush(struct i8042 *k);

static void refill(struct i8042 *k)
{
	struct i8042_queue *src;
	if (k->mouse.report_pending)
		mouse_flush(k);
	while (!k->obf && (src = next_source(k))) {
		uint8_t aux = src == &k->mouse.q;
		uint8_t b = q_pop(src, src == &k->ctl ? &aux : NULL);
		if (src == &k->kbd.q && (ccb(k) & CCB_XLAT)) {
			if (b == 0xF0) {
				k->xlat_break = true;
				continue;
			}
			b = (uint8_t)(xlat(b) | (k->xlat_break ? 0x80 : 0));
			k->xlat_break = false;
		}
		k->out = b;
		k->out_aux = aux;
		k->obf = true;
	}
	if (k->mouse.report_pending)
		mouse_flush(k);
	update_irqs(k);
}

static void ctl_reply(struct i8042 *k, uint8_t b, bool aux)
{
	q_push(&k->ctl, b, aux, k->seq++);
}

/* ---- keyboard ---- */

static void kbd_send(struct i8042 *k, uint8_t b)
{
	if (q_push(&k->kbd.q, b, 0, k->seq++))
		k->kbd.last_sent = b;
}

/* A key that no longer fits: the keyboard queues its overrun code once. */
static void kbd_overrun(struct i8042 *k)
{
	struct i8042_queue *q = &k->kbd.q;
	uint8_t code = k->kbd.scan_set == 1 ? 0xFF : 0x00;
	if (q->count && q->data[(q->head + q->count - 1) % QLEN] == code)
		return;
	kbd_send(k, code);
}

static void kbd_defaults(struct ps2_kbd *kb)
{
	kb->typematic = 0x2B; /* 10.9 characters/s after 500 ms */
	kb->enabled = true;
	kb->pending = 0;
}

static void kbd_param(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	struct ps2_kbd *kb = &k->kbd;
	switch (cmd) {
	case 0xED: kb->leds = v & 7; break;
	case 0xF3: kb->typematic = v & 0x7F; break;
	case 0xF0:
		if (v > 3) {
			kbd_send(k, RESEND);
			return;
		}
		kbd_send(k, ACK);
		if (v == 0)
			kbd_send(k, kb->scan_set);
		else
			kb->scan_set = v;
		return;
	default: /* FB-FD take a list of keys that ends at the next command */
		kbd_send(k, ACK);
		kb->pending = cmd;
		return;
	}
	kbd_send(k, ACK);
}

static void kbd_command(struct i8042 *k, uint8_t v)
{
	struct ps2_kbd *kb = &k->kbd;
	switch (v) {
	case 0xEE: kbd_send(k, ECHO); return;
	case 0xED: case 0xF0: case 0xF3: case 0xFB: case 0xFC: case 0xFD:
		kb->pending = v;
		break;
	case 0xF2:
		kbd_send(k, ACK);
		kbd_send(k, 0xAB);
		kbd_send(k, 0x83);
		return;
	case 0xF4: q_clear(&kb->q); kb->enabled = true; break;
	case 0xF5: q_clear(&kb->q); kbd_defaults(kb); kb->enabled = false; break;
	case 0xF6: q_clear(&kb->q); kbd_defaults(kb); break;
	case 0xF7: case 0xF8: case 0xF9: case 0xFA: break;
	case 0xFE: kbd_send(k, kb->last_sent); return;
	case 0xFF:
		q_clear(&kb->q);
		kbd_defaults(kb);
		kb->scan_set = 2;
		kb->leds = 0;
		kbd_send(k, ACK);
		kbd_send(k, BAT_OK);
		return;
	default: kbd_send(k, RESEND); return;
	}
	kbd_send(k, ACK);
}

static void kbd_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->kbd.pending;
	k->kbd.pending = 0;
	/* A command byte in place of a parameter aborts the pending command. */
	if (cmd && v < 0xED)
		kbd_param(k, cmd, v);
	else
		kbd_command(k, v);
}

/* Set 2 bytes of a key event; returns the count. */
static unsigned set2_sequence(uint16_t code, bool down, uint8_t *seq)
{
	static const uint8_t pause[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 };
	static const uint8_t print_make[] = { 0xE0, 0x12, 0xE0, 0x7C };
	static const uint8_t print_break[] = { 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12 };
	const uint8_t *src = NULL;
	unsigned n = 0;
	if (code == I8042_KEY_PAUSE) {
		src = pause;
		n = down ? sizeof(pause) : 0;
	} else if (code == I8042_KEY_PRINT) {
		src = down ? print_make : print_break;
		n = down ? sizeof(print_make) : sizeof(print_break);
	}
	if (src) {
		for (unsigned i = 0; i < n; i++)
			seq[i] = src[i];
		return n;
	}
	if ((code >> 8) == 0xE0)
		seq[n++] = 0xE0;
	if (!down)
		seq[n++] = 0xF0;
	seq[n++] = (uint8_t)code;
	return n;
}

/* Set 2 bytes to set 1, as the controller's translation does. */
static unsigned to_set1(const uint8_t *in, unsigned n, uint8_t *out)
{
	unsigned o = 0;
	bool brk = false;
	for (unsigned i = 0; i < n; i++) {
		if (in[i] == 0xF0) {
			brk = true;
			continue;
		}
		out[o++] = (uint8_t)(xlat(in[i]) | (brk ? 0x80 : 0));
		brk = false;
	}
	return o;
}

static unsigned set3_sequence(uint16_t code, bool down, uint8_t *out)
{
	uint8_t c3 = 0;
	if (code == I8042_KEY_PAUSE)
		c3 = 0x62;
	else if ((code >> 8) == 0xE0)
		c3 = set3_e0[code & 0x7F];
	else if (code < sizeof(set3_plain))
		c3 = set3_plain[code];
	if (!c3)
		return 0;
	unsigned n = 0;
	if (!down)
		out[n++] = 0xF0;
	out[n++] = c3;
	return n;
}

void i8042_key(struct i8042 *k, uint16_t code, bool down)
{
	uint8_t s2[8], seq[8];
	unsigned n;
	if (!k->kbd.enabled)
		return;
	if (k->kbd.scan_set == 3) {
		n = set3_sequence(code, down, seq);
	} else {
		n = set2_sequence(code, down, s2);
		if (k->kbd.scan_set == 1)
			n = to_set1(s2, n, seq);
		else
			for (unsigned i = 0; i < n; i++)
				seq[i] = s2[i];
	}
	if (n == 0)
		return;
	/* A key's bytes go out whole, keeping the last slot for the overrun
	 * code, or not at all. */
	if (q_space(&k->kbd.q) <= n) {
		kbd_overrun(k);
	} else {
		for (unsigned i = 0; i < n; i++)
			kbd_send(k, seq[i]);
	}
	refill(k);
}

uint8_t i8042_leds(const struct i8042 *k) { return k->kbd.leds; }

/* ---- mouse ---- */

static void aux_send(struct i8042 *k, uint8_t b)
{
	if (q_push(&k->mouse.q, b, 1, k->seq++))
		k->mouse.last_sent = b;
}

static void mouse_defaults(struct ps2_mouse *ms)
{
	ms->sample_rate = 100;
	ms->resolution = 2; /* 4 counts/mm */
	ms->scaling21 = false;
	ms->remote = false;
	ms->enabled = false;
	ms->pending = 0;
	ms->dx = ms->dy = 0;
	ms->report_pending = false;
}

/* 2:1 scaling as the PS/2 mouse applies it to stream reports. */
static int32_t scale21(int32_t v)
{
	static const int8_t small[6] = { 0, 1, 1, 3, 6, 9 };
	int32_t a = v < 0 ? -v : v;
	int32_t s = a < 6 ? small[a] : 2 * a;
	return v < 0 ? -s : s;
}

static void mouse_packet(struct i8042 *k, bool stream)
{
	struct ps2_mouse *ms = &k->mouse;
	int32_t x = ms->dx, y = ms->dy;
	if (stream && ms->scaling21) {
		x = scale21(x);
		y = scale21(y);
	}
	uint8_t b0 = (uint8_t)(0x08 | (ms->buttons & 7));
	if (x < -256 || x > 255) {
		b0 |= 0x40;
		x = x < 0 ? -256 : 255;
	}
	if (y < -256 || y > 255) {
		b0 |= 0x80;
		y = y < 0 ? -256 : 255;
	}
	b0 |= (uint8_t)((x < 0 ? 0x10 : 0) | (y < 0 ? 0x20 : 0));
	aux_send(k, b0);
	aux_send(k, (uint8_t)x);
	aux_send(k, (uint8_t)y);
	ms->dx = ms->dy = 0;
}

static void mouse_flush(struct i8042 *k)
{
	struct ps2_mouse *ms = &k->mouse;
	if (!ms->enabled || ms->remote || ms->wrap) {
		ms->report_pending = false;
		return;
	}
	if (q_space(&ms->q) < 3)
		return;
	mouse_packet(k, true);
	ms->report_pending = false;
}

void i8042_mouse(struct i8042 *k, int dx, int dy, unsigned buttons)
{
	struct ps2_mouse *ms = &k->mouse;
	const int32_t lim = 1 << 20;
	ms->dx += dx < -lim ? -lim : dx > lim ? lim : dx;
	ms->dy += dy < -lim ? -lim : dy > lim ? lim : dy;
	ms->dx = ms->dx < -lim ? -lim : ms->dx > lim ? lim : ms->dx;
	ms->dy = ms->dy < -lim ? -lim : ms->dy > lim ? lim : ms->dy;
	ms->buttons = (uint8_t)(buttons & 7);
	ms->report_pending = true;
	refill(k);
}

static void mouse_status(struct i8042 *k)
{
	struct ps2_mouse *ms = &k->mouse;
	uint8_t b = ms->buttons;
	uint8_t st = (uint8_t)((ms->remote ? 0x40 : 0) | (ms->enabled ? 0x20 : 0) |
			       (ms->scaling21 ? 0x10 : 0) | ((b & I8042_BUTTON_LEFT) ? 4 : 0) |
			       ((b & I8042_BUTTON_MIDDLE) ? 2 : 0) | ((b & I8042_BUTTON_RIGHT) ? 1 : 0));
	aux_send(k, ACK);
	aux_send(k, st);
	aux_send(k, ms->resolution);
	aux_send(k, ms->sample_rate);
}

static void mouse_mode(struct ps2_mouse *ms, bool remote, bool wrap)
{
	ms->remote = remote;
	ms->wrap = wrap;
	ms->dx = ms->dy = 0;
}

static void mouse_command(struct i8042 *k, uint8_t v)
{
	struct ps2_mouse *ms = &k->mouse;
	switch (v) {
	case 0xE6: ms->scaling21 = false; break;
	case 0xE7: ms->scaling21 = true; break;
	case 0xE8: case 0xF3: ms->pending = v; break;
	case 0xE9: mouse_status(k); return;
	case 0xEA: mouse_mode(ms, false, false); break;
	case 0xEB:
		aux_send(k, ACK);
		mouse_packet(k, false);
		return;
	case 0xEC: mouse_mode(ms, ms->remote, false); break;
	case 0xEE: mouse_mode(ms, ms->remote, true); break;
	case 0xF0: mouse_mode(ms, true, false); break;
	case 0xF2:
		aux_send(k, ACK);
		aux_send(k, 0x00);
		return;
	case 0xF4: ms->enabled = true; ms->dx = ms->dy = 0; break;
	case 0xF5: q_clear(&ms->q); ms->enabled = false; ms->dx = ms->dy = 0; break;
	case 0xF6: q_clear(&ms->q); mouse_defaults(ms); break;
	case 0xFE: aux_send(k, ms->last_sent); return;
	case 0xFF:
		q_clear(&ms->q);
		mouse_defaults(ms);
		ms->wrap = false;
		aux_send(k, ACK);
		aux_send(k, BAT_OK);
		aux_send(k, 0x00); /* device ID */
		return;
	default: aux_send(k, RESEND); return;
	}
	aux_send(k, ACK);
}

static void mouse_write(struct i8042 *k, uint8_t v)
{
	struct ps2_mouse *ms = &k->mouse;
	uint8_t cmd = ms->pending;
	ms->pending = 0;
	if (ms->wrap && v != 0xEC && v != 0xFF) {
		aux_send(k, v);
		return;
	}
	if (cmd && v < 0xE6) {
		if (cmd == 0xF3)
			ms->sample_rate = v;
		else
			ms->resolution = v & 3;
		aux_send(k, ACK);
		return;
	}
	mouse_command(k, v);
}

/* ---- the controller ---- */

static void write_outport(struct i8042 *k, uint8_t v)
{
	k->outport = v;
	machine_set_a20(k->m, (v & OUT_A20) != 0);
	if (!(v & OUT_RESET))
		machine_request_reset(k->m);
}

static uint8_t read_outport(const struct i8042 *k)
{
	uint8_t v = (uint8_t)(k->outport & ~(OUT_A20 | OUT_IRQ1 | OUT_IRQ12));
	if (machine_a20(k->m))
		v |= OUT_A20;
	if (k->obf)
		v |= k->out_aux ? OUT_IRQ12 : OUT_IRQ1;
	return v;
}

static void set_ccb_bits(struct i8042 *k, uint8_t set, uint8_t clear)
{
	k->ram[0] = (uint8_t)((k->ram[0] | set) & ~clear);
}

static void ctl_command(struct i8042 *k, uint8_t cmd)
{
	if (cmd >= 0x20 && cmd <= 0x3F) {
		ctl_reply(k, k->ram[cmd & 0x1F], false);
		return;
	}
	if ((cmd >= 0x60 && cmd <= 0x7F) || (cmd >= 0xD1 && cmd <= 0xD4)) {
		k->pending = cmd;
		return;
	}
	if (cmd >= 0xF0) { /* pulse output port bits 0-3 low where cmd has 0s */
		if (!(cmd & OUT_RESET))
			machine_request_reset(k->m);
		return;
	}
	switch (cmd) {
	case 0xA4: ctl_reply(k, 0xF1, false); break; /* no password installed */
	case 0xA7: set_ccb_bits(k, CCB_AUX_DIS, 0); break;
	case 0xA8: set_ccb_bits(k, 0, CCB_AUX_DIS); break;
	case 0xA9: ctl_reply(k, 0x00, false); break;
	case 0xAA:
		set_ccb_bits(k, CCB_SYS, 0);
		ctl_reply(k, 0x55, false);
		break;
	case 0xAB: ctl_reply(k, 0x00, false); break;
	case 0xAD: set_ccb_bits(k, CCB_KBD_DIS, 0); break;
	case 0xAE: set_ccb_bits(k, 0, CCB_KBD_DIS); break;
	case 0xC0: ctl_reply(k, INPUT_PORT, false); break;
	case 0xD0: ctl_reply(k, read_outport(k), false); break;
	case 0xDD: write_outport(k, (uint8_t)(k->outport & ~OUT_A20)); break;
	case 0xDF: write_outport(k, (uint8_t)(k->outport | OUT_A20)); break;
	case 0xE0: ctl_reply(k, 0x00, false); break;
	default: break;
	}
}

static void data_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;
	k->pending = 0;
	if (cmd >= 0x60 && cmd <= 0x7F) {
		k->ram[cmd & 0x1F] = v;
		return;
	}
	switch (cmd) {
	case 0xD1: write_outport(k, v); break;
	case 0xD2: ctl_reply(k, v, false); break;
	case 0xD3: ctl_reply(k, v, true); break;
	case 0xD4:
		set_ccb_bits(k, 0, CCB_AUX_DIS);
		mouse_write(k, v);
		break;
	default:
		set_ccb_bits(k, 0, CCB_KBD_DIS);
		kbd_write(k, v);
		break;
	}
}

static uint8_t read_status(const struct i8042 *k)
{
	uint8_t st = ST_INH | (ccb(k) & CCB_SYS);
	if (k->obf)
		st |= ST_OBF | (k->out_aux ? ST_AUXB : 0);
	if (k->a2)
		st |= ST_A2;
	return st;
}

static uint8_t read_data(struct i8042 *k)
{
	uint8_t v = k->out; /* an empty buffer reads its last byte again */
	if (k->obf) {
		/* The line drops as the buffer empties, so the next byte is a new edge. */
		k->obf = false;
		update_irqs(k);
		refill(k);
	}
	return v;
}

static uint32_t data_port_read(void *opaque, uint32_t off, unsigned size)
{
	(void)off;
	(void)size;
	return read_data(opaque);
}

static uint32_t status_port_read(void *opaque, uint32_t off, unsigned size)
{
	(void)off;
	(void)size;
	return read_status(opaque);
}

static void data_port_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct i8042 *k = opaque;
	(void)off;
	(void)size;
	k->a2 = false;
	data_write(k, (uint8_t)v);
	refill(k);
}

static void command_port_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct i8042 *k = opaque;
	(void)off;
	(void)size;
	k->a2 = true;
	k->pending = 0;
	ctl_command(k, (uint8_t)v);
	refill(k);
}

static const struct io_ops data_io = { data_port_read, data_port_write };
static const struct io_ops command_io = { status_port_read, command_port_write };

/* ---- device class ---- */

static void i8042_reset(void *dev)
{
	struct i8042 *k = dev;
	uint8_t sys = ccb(k) & CCB_SYS;
	for (unsigned i = 0; i < sizeof(k->ram); i++)
		k->ram[i] = 0;
	k->ram[0] = CCB_DEFAULT | sys;
	k->obf = k->out_aux = k->a2 = k->xlat_break = false;
	k->out = 0;
	k->pending = 0;
	k->outport = OUT_DEFAULT;
	q_clear(&k->ctl);
	q_clear(&k->kbd.q);
	kbd_defaults(&k->kbd);
	k->kbd.scan_set = 2;
	k->kbd.leds = 0;
	q_clear(&k->mouse.q);
	mouse_defaults(&k->mouse);
	k->mouse.wrap = false;
	k->mouse.buttons = 0;
	update_irqs(k);
}

static void *i8042_create(struct machine *m)
{
	struct i8042 *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->m = m;
	k->irq_kbd = machine_isa_irq(m, 1);
	k->irq_aux = machine_isa_irq(m, 12);
	if (ioport_register(machine_io(m), 0x60, 1, &data_io, k) < 0 ||
	    ioport_register(machine_io(m), 0x64, 1, &command_io, k) < 0) {
		machine_error(m, "i8042: ports 0x60/0x64 already taken");
		free(k);
		return NULL;
	}
	i8042_reset(k);
	return k;
}

static void i8042_post_load(void *dev)
{
	struct i8042 *k = dev;
	/* Queue indices come from a snapshot: keep them inside the buffers. */
	struct i8042_queue *qs[3] = { &k->ctl, &k->kbd.q, &k->mouse.q };
	for (unsigned i = 0; i < 3; i++) {
		qs[i]->head %= QLEN;
		if (qs[i]->count > QLEN)
			qs[i]->count = QLEN;
	}
	irq_set(k->irq_kbd, k->irq_kbd_level);
	irq_set(k->irq_aux, k->irq_aux_level);
}

static const struct state_field i8042_fields[] = {
	STATE_FIELD(struct i8042, irq_kbd_level),
	STATE_FIELD(struct i8042, irq_aux_level),
	STATE_FIELD(struct i8042, ram),
	STATE_FIELD(struct i8042, out),
	STATE_FIELD(struct i8042, obf),
	STATE_FIELD(struct i8042, out_aux),
	STATE_FIELD(struct i8042, a2),
	STATE_FIELD(struct i8042, pending),
	STATE_FIELD(struct i8042, outport),
	STATE_FIELD(struct i8042, xlat_break),
	STATE_FIELD(struct i8042, seq),
	STATE_FIELD(struct i8042, ctl),
	STATE_FIELD(struct i8042, kbd),
	STATE_FIELD(struct i8042, mouse),
	{ 0 },
};

const struct device_class i8042_class = {
	.name = "i8042",
	.create = i8042_create,
	.reset = i8042_reset,
	.destroy = free,
	.fields = i8042_fields,
	.post_load = i8042_post_load,
};
