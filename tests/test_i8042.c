/* 8042 keyboard controller, PS/2 keyboard and mouse, through ports 0x60 and
 * 0x64. Expected values from the IBM PC AT Technical Reference (8042
 * commands, status bits, output port), the IBM keyboard protocol (ACK FA,
 * BAT AA, ID AB 83, scan code sets 1 and 2, the controller's set 2 to set 1
 * translation) and the PS/2 mouse protocol (reset FA AA 00, packets).
 * Most cases are scripts of port writes, key and mouse events and expected
 * bytes, rows of one table run by one parameterized test (see the table
 * for the words); each row keeps the name it had as a test of its own. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "devices/i8042.h"
#include "tests/devtm.h"
#include "tests/script.h"

#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_A2 0x08
#define ST_AUXB 0x20

static void cmd(struct devtm *t, uint8_t c) { devtm_out(t, 0x64, c); }
static void data(struct devtm *t, uint8_t v) { devtm_out(t, 0x60, v); }
static uint8_t status(struct devtm *t) { return devtm_in(t, 0x64); }
static uint8_t rd(struct devtm *t) { return devtm_in(t, 0x60); }
static struct i8042 *kbc(struct devtm *t) { return machine_device(t->m, "i8042"); }

/* Read one byte that must be waiting, checking where it came from. */
static uint8_t take(struct devtm *t, bool aux)
{
	uint8_t st = status(t);
	cr_assert(st & ST_OBF, "output buffer empty");
	cr_assert_eq((st & ST_AUXB) != 0, aux, "byte from the wrong device (status %02x)", st);
	return rd(t);
}

static void expect(struct devtm *t, bool aux, const uint8_t *bytes, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t b = take(t, aux);
		cr_assert_eq(b, bytes[i], "byte %u: %02x, expected %02x", i, b, bytes[i]);
	}
	cr_assert_eq(status(t) & ST_OBF, 0, "more bytes than expected");
}

#define EXPECT(t, aux, ...)                                    \
	do {                                                   \
		static const uint8_t exp_[] = { __VA_ARGS__ }; \
		expect(t, aux, exp_, sizeof(exp_));            \
	} while (0)

static void set_ccb(struct devtm *t, uint8_t v)
{
	cmd(t, 0x60);
	data(t, v);
}

static void settle(struct devtm *t)
{
	machine_run(t->m, machine_cpu(t->m)->icount);
}

static void mouse_cmd(struct devtm *t, uint8_t v)
{
	cmd(t, 0xD4);
	data(t, v);
}

/* A case is a script (tests/script.h) of these words, with bytes and key
 * codes in hex and mouse motion in decimal:
 *   cmd B, data B      write B to port 64 / 60
 *   ccb B              write the command byte (command 60, then B)
 *   mouse B            send B to the mouse (command D4, then B)
 *   down K, up K       key K (set 2 code, or "pause") pressed / released
 *   move DX DY BTNS    mouse motion; BTNS among l r m, or "-" for none
 *   kbd B..., aux B... these bytes wait, from the keyboard / the mouse,
 *                      and nothing after them
 *   take B, take-aux B one byte waits, from the keyboard / the mouse
 *   rd B, read         port 60 reads B / is read, without a status check
 *   empty              the output buffer is empty
 *   status MASK WANT   status & MASK is WANT
 *   irq1 L, irq12 L    the line's level; edges1 N, edges12 N its rising edges
 *   leds B             the keyboard LEDs
 * Scripts are held in arrays, not pointed to: Criterion copies each row
 * into the test's own process, where a pointer into this one means nothing. */
struct kbc_case {
	char name[56];
	char script[240];
};

static const struct kbc_case scripts[] = {
	{ "self_test_answers_55_and_sets_the_system_flag",
	  "status 05 00; cmd aa; kbd 55; status 04 04" },
	{ "interface_tests_answer_00", "cmd ab; kbd 00; cmd a9; kbd 00" },
	{ "a2_tracks_which_port_was_written", "cmd ad; status 08 08; data ee; status 08 00" },
	/* status bit 2 follows command byte bit 2 */
	{ "command_byte_round_trip", "ccb 65; cmd 20; kbd 65; status 04 04; ccb 61; status 04 00" },
	{ "disable_and_enable_commands_change_the_command_byte",
	  "ccb 00; cmd ad; cmd a7; cmd 20; kbd 30; cmd ae; cmd 20; kbd 20; "
	  "cmd a8; cmd 20; kbd 00" },
	{ "keyboard_reset_sequence", "ccb 40; data ff; kbd fa aa" },
	{ "keyboard_identify_raw_and_translated",
	  "ccb 00; data f2; kbd fa ab 83; ccb 40; data f2; kbd fa ab 41" },
	{ "keyboard_echo_and_invalid_command", "data ee; kbd ee; data 12; kbd fe" },
	{ "led_command_is_acknowledged_twice", "data ed; kbd fa; data 05; kbd fa; leds 05" },
	{ "key_a_translated_to_set_1", "ccb 40; down 1c; kbd 1e; up 1c; kbd 9e" },
	{ "key_a_in_raw_set_2", "ccb 00; down 1c; up 1c; kbd 1c f0 1c" },
	/* E075: cursor up */
	{ "extended_key_translated_keeps_e0", "ccb 40; down e075; up e075; kbd e0 48 e0 c8" },
	{ "pause_in_set_2_and_translated",
	  "ccb 00; down pause; up pause; kbd e1 14 77 e1 f0 14 f0 77; "
	  "ccb 40; down pause; kbd e1 1d 45 e1 9d c5" },
	/* the last reply, 43, is set 1's reply as translated */
	{ "scan_code_set_query_and_set_1",
	  "ccb 00; data f0; data 00; kbd fa fa 02; data f0; data 01; kbd fa fa; "
	  "down 1c; up 1c; kbd 1e 9e; ccb 40; data f0; data 00; kbd fa fa 43" },
	{ "disabled_keyboard_drops_keys",
	  "ccb 40; data f5; kbd fa; down 1c; empty; data f4; kbd fa; down 1c; kbd 1e" },
	{ "disabled_interface_holds_keyboard_data",
	  "ccb 40; cmd ad; down 1c; empty; cmd ae; kbd 1e" },
	/* ccb 40: interrupts off; ccb 41: enabling with OBF set raises the line */
	{ "irq1_follows_obf_when_enabled",
	  "ccb 40; down 1c; irq1 0; ccb 41; irq1 1; read; irq1 0; up 1c; irq1 1; edges1 2; "
	  "irq12 0" },
	{ "each_queued_byte_gives_its_own_irq1_edge",
	  "ccb 01; data ff; edges1 1; rd fa; edges1 2; rd aa; irq1 0" },
	{ "write_keyboard_and_aux_output_buffer",
	  "ccb 03; cmd d2; data 42; irq1 1; kbd 42; cmd d3; data 24; irq12 1; aux 24" },
	{ "mouse_reset_and_identify",
	  "ccb 02; cmd d4; data ff; irq12 1; aux fa aa 00; irq12 0; edges12 3; edges1 0; "
	  "cmd d4; data f2; aux fa 00" },
	/* first packet: bit 3 always 1, Y sign, left; second: X overflow and sign */
	{ "mouse_movement_packet",
	  "ccb 02; mouse f4; aux fa; move 5 -3 l; irq12 1; aux 29 05 fd; move -300 0 rm; "
	  "aux 5e 00 00" },
	{ "mouse_reports_nothing_until_enabled", "move 1 1 -; empty" },
	/* sample rate 40 (0x28); the status: enabled, 2:1, left; resolution 3; rate */
	{ "mouse_status_request",
	  "mouse f3; mouse 28; mouse e8; mouse 03; mouse e7; mouse f4; aux fa fa fa fa fa fa; "
	  "move 0 0 l; aux 09 00 00; mouse e9; aux fa 34 03 28" },
	{ "mouse_remote_mode_read_data",
	  "mouse f0; aux fa; move 2 3 -; move 1 1 -; empty; mouse eb; aux fa 08 03 04" },
	{ "mouse_scaling_2_to_1_in_stream_mode",
	  "mouse e7; mouse f4; aux fa fa; move 4 10 -; aux 08 06 14" },
	{ "keyboard_and_mouse_bytes_keep_their_order",
	  "ccb 43; mouse f4; aux fa; down 1c; move 1 0 -; up 1c; irq1 1; irq12 0; take 1e; "
	  "irq12 1; take-aux 08; take-aux 01; take-aux 00; irq1 1; kbd 9e" },
	{ "disabled_keyboard_interface_lets_mouse_data_pass",
	  "ccb 40; mouse f4; aux fa; cmd ad; down 1c; move 0 1 -; aux 08 00 01; cmd ae; kbd 1e" },
	{ "controller_reply_waits_behind_a_full_output_buffer",
	  "ccb 61; down 1c; cmd 20; rd 1e; take 61" },
};

static uint8_t byte(struct script *s) { return (uint8_t)script_num(s, 16); }

/* The bytes left in the step wait in this order, then nothing. */
static void expect_rest(struct devtm *t, bool aux, struct script *s)
{
	unsigned i = 0;
	for (char *w; (w = script_word(s)) != NULL; i++) {
		char *end;
		unsigned long want = strtoul(w, &end, 16);
		cr_assert(*end == '\0', SCRIPT_FMT "\"%s\" is not a byte", SCRIPT_ARGS(s), w);
		uint8_t st = status(t);
		cr_assert(st & ST_OBF, SCRIPT_FMT "output buffer empty before byte %u",
			  SCRIPT_ARGS(s), i);
		cr_assert_eq((st & ST_AUXB) != 0, aux,
			     SCRIPT_FMT "byte %u from the wrong device (status %02x)", SCRIPT_ARGS(s),
			     i, st);
		uint8_t b = rd(t);
		cr_assert_eq(b, want, SCRIPT_FMT "byte %u: %02x, expected %02lx", SCRIPT_ARGS(s), i,
			     b, want);
	}
	cr_assert(i > 0, SCRIPT_FMT "no bytes named", SCRIPT_ARGS(s));
	cr_assert_eq(status(t) & ST_OBF, 0, SCRIPT_FMT "more bytes than expected", SCRIPT_ARGS(s));
}

static void take_one(struct devtm *t, bool aux, struct script *s)
{
	uint8_t want = byte(s);
	uint8_t st = status(t);
	cr_assert(st & ST_OBF, SCRIPT_FMT "output buffer empty", SCRIPT_ARGS(s));
	cr_assert_eq((st & ST_AUXB) != 0, aux,
		     SCRIPT_FMT "byte from the wrong device (status %02x)", SCRIPT_ARGS(s), st);
	uint8_t b = rd(t);
	cr_assert_eq(b, want, SCRIPT_FMT "%02x", SCRIPT_ARGS(s), b);
}

static void key(struct devtm *t, bool down, struct script *s)
{
	char *w = script_word(s);
	cr_assert_not_null(w, SCRIPT_FMT "a key is missing", SCRIPT_ARGS(s));
	uint16_t code = I8042_KEY_PAUSE;
	if (strcmp(w, "pause") != 0) {
		char *end;
		code = (uint16_t)strtoul(w, &end, 16);
		cr_assert(*end == '\0', SCRIPT_FMT "\"%s\" is not a key", SCRIPT_ARGS(s), w);
	}
	i8042_key(kbc(t), code, down);
}

static void move(struct devtm *t, struct script *s)
{
	int dx = (int)script_num(s, 10);
	int dy = (int)script_num(s, 10);
	char *w = script_word(s);
	cr_assert_not_null(w, SCRIPT_FMT "buttons are missing", SCRIPT_ARGS(s));
	unsigned buttons = 0;
	for (const char *p = w; *p && *p != '-'; p++) {
		switch (*p) {
		case 'l': buttons |= I8042_BUTTON_LEFT; break;
		case 'r': buttons |= I8042_BUTTON_RIGHT; break;
		case 'm': buttons |= I8042_BUTTON_MIDDLE; break;
		default: cr_assert_fail(SCRIPT_FMT "no button '%c'", SCRIPT_ARGS(s), *p);
		}
	}
	i8042_mouse(kbc(t), dx, dy, buttons);
}

static void run_step(struct script *s, const char *w, void *ctx)
{
	struct devtm *t = ctx;
	if (strcmp(w, "cmd") == 0) {
		cmd(t, byte(s));
	} else if (strcmp(w, "data") == 0) {
		data(t, byte(s));
	} else if (strcmp(w, "ccb") == 0) {
		set_ccb(t, byte(s));
	} else if (strcmp(w, "mouse") == 0) {
		mouse_cmd(t, byte(s));
	} else if (strcmp(w, "down") == 0 || strcmp(w, "up") == 0) {
		key(t, w[0] == 'd', s);
	} else if (strcmp(w, "move") == 0) {
		move(t, s);
	} else if (strcmp(w, "kbd") == 0 || strcmp(w, "aux") == 0) {
		expect_rest(t, w[0] == 'a', s);
	} else if (strcmp(w, "take") == 0 || strcmp(w, "take-aux") == 0) {
		take_one(t, w[4] == '-', s);
	} else if (strcmp(w, "rd") == 0) {
		uint8_t want = byte(s);
		uint8_t b = rd(t);
		cr_assert_eq(b, want, SCRIPT_FMT "%02x", SCRIPT_ARGS(s), b);
	} else if (strcmp(w, "read") == 0) {
		rd(t);
	} else if (strcmp(w, "empty") == 0) {
		cr_assert_eq(status(t) & ST_OBF, 0, SCRIPT_FMT "a byte waits", SCRIPT_ARGS(s));
	} else if (strcmp(w, "status") == 0) {
		uint8_t mask = byte(s);
		uint8_t want = byte(s);
		uint8_t st = status(t);
		cr_assert_eq(st & mask, want, SCRIPT_FMT "status %02x", SCRIPT_ARGS(s), st);
	} else if (strncmp(w, "irq", 3) == 0 || strncmp(w, "edges", 5) == 0) {
		bool edges = w[0] == 'e';
		char *end;
		unsigned long irq = strtoul(w + (edges ? 5 : 3), &end, 10);
		cr_assert(*end == '\0' && irq < 16, SCRIPT_FMT "no such line", SCRIPT_ARGS(s));
		long want = script_num(s, 10);
		long got = edges ? (long)t->edges[irq] : t->level[irq];
		cr_assert_eq(got, want, SCRIPT_FMT "%ld", SCRIPT_ARGS(s), got);
	} else if (strcmp(w, "leds") == 0) {
		uint8_t want = byte(s);
		uint8_t got = i8042_leds(kbc(t));
		cr_assert_eq(got, want, SCRIPT_FMT "%02x", SCRIPT_ARGS(s), got);
	} else {
		cr_assert_fail(SCRIPT_FMT "unknown word \"%s\"", SCRIPT_ARGS(s), w);
	}
}

ParameterizedTestParameters(i8042, scripts)
{
	return cr_make_param_array(struct kbc_case, scripts, sizeof(scripts) / sizeof(scripts[0]));
}

ParameterizedTest(const struct kbc_case *k, i8042, scripts)
{
	struct devtm *t = devtm_new(NULL);
	script_run(k->name, k->script, run_step, t);
	devtm_free(t);
}

Test(i8042, a20_through_the_output_port)
{
	struct devtm *t = devtm_new(NULL);
	cmd(t, 0xD1);
	data(t, 0xDD);
	cr_assert_not(machine_a20(t->m));
	cmd(t, 0xD0);
	cr_assert_eq(take(t, false) & 0x03, 0x01);
	cmd(t, 0xD1);
	data(t, 0xDF);
	cr_assert(machine_a20(t->m));
	cmd(t, 0xD0);
	cr_assert_eq(take(t, false) & 0x03, 0x03);
	devtm_free(t);
}

Test(i8042, a20_through_port_92_shows_in_the_output_port)
{
	struct devtm *t = devtm_new(NULL);
	devtm_out(t, 0x92, 0x00);
	cmd(t, 0xD0);
	cr_assert_eq(take(t, false) & 0x02, 0x00);
	devtm_out(t, 0x92, 0x02);
	cmd(t, 0xD0);
	cr_assert_eq(take(t, false) & 0x02, 0x02);
	devtm_free(t);
}

Test(i8042, pulse_fe_resets_the_machine)
{
	struct devtm *t = devtm_new(NULL);
	struct cpu *c = machine_cpu(t->m);
	c->eip = 0x1234;
	cmd(t, 0xFF); /* pulses nothing */
	settle(t);
	cr_assert_eq(c->eip, 0x1234);
	cmd(t, 0xFE);
	settle(t);
	cr_assert_eq(c->eip, 0xFFF0);
	cr_assert_eq(c->seg[S_CS].sel, 0xF000);
	devtm_free(t);
}

Test(i8042, output_port_bit_0_clear_resets_the_machine)
{
	struct devtm *t = devtm_new(NULL);
	struct cpu *c = machine_cpu(t->m);
	c->eip = 0x1234;
	cmd(t, 0xD1);
	data(t, 0xDE);
	settle(t);
	cr_assert_eq(c->eip, 0xFFF0);
	devtm_free(t);
}

Test(i8042, keyboard_buffer_overrun_code)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x00);
	cmd(t, 0xAD); /* hold everything in the keyboard */
	for (unsigned i = 0; i < 20; i++)
		i8042_key(kbc(t), 0x1C, true);
	cmd(t, 0xAE);
	for (unsigned i = 0; i < 15; i++)
		cr_assert_eq(take(t, false), 0x1C);
	EXPECT(t, false, 0x00); /* set 2 overrun */
	devtm_free(t);
}
