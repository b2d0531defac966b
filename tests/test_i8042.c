/* 8042 keyboard controller, PS/2 keyboard and mouse, through ports 0x60 and
 * 0x64. Expected values from the IBM PC AT Technical Reference (8042
 * commands, status bits, output port), the IBM keyboard protocol (ACK FA,
 * BAT AA, ID AB 83, scan code sets 1 and 2, the controller's set 2 to set 1
 * translation) and the PS/2 mouse protocol (reset FA AA 00, packets). */
#include <criterion/criterion.h>

#include "devices/i8042.h"
#include "tests/devtm.h"

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

#define EXPECT(t, aux, ...)                                             \
	do {                                                            \
		static const uint8_t exp_[] = { __VA_ARGS__ };          \
		expect(t, aux, exp_, sizeof(exp_));                     \
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

Test(i8042, self_test_answers_55_and_sets_the_system_flag)
{
	struct devtm *t = devtm_new(NULL);
	cr_assert_eq(status(t) & (ST_OBF | ST_SYS), 0);
	cmd(t, 0xAA);
	EXPECT(t, false, 0x55);
	cr_assert(status(t) & ST_SYS);
	devtm_free(t);
}

Test(i8042, interface_tests_answer_00)
{
	struct devtm *t = devtm_new(NULL);
	cmd(t, 0xAB);
	EXPECT(t, false, 0x00);
	cmd(t, 0xA9);
	EXPECT(t, false, 0x00);
	devtm_free(t);
}

Test(i8042, a2_tracks_which_port_was_written)
{
	struct devtm *t = devtm_new(NULL);
	cmd(t, 0xAD);
	cr_assert(status(t) & ST_A2);
	data(t, 0xEE);
	cr_assert_eq(status(t) & ST_A2, 0);
	devtm_free(t);
}

Test(i8042, command_byte_round_trip)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x65);
	cmd(t, 0x20);
	EXPECT(t, false, 0x65);
	cr_assert(status(t) & ST_SYS); /* status bit 2 follows command byte bit 2 */
	set_ccb(t, 0x61);
	cr_assert_eq(status(t) & ST_SYS, 0);
	devtm_free(t);
}

Test(i8042, disable_and_enable_commands_change_the_command_byte)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x00);
	cmd(t, 0xAD);
	cmd(t, 0xA7);
	cmd(t, 0x20);
	EXPECT(t, false, 0x30);
	cmd(t, 0xAE);
	cmd(t, 0x20);
	EXPECT(t, false, 0x20);
	cmd(t, 0xA8);
	cmd(t, 0x20);
	EXPECT(t, false, 0x00);
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

Test(i8042, keyboard_reset_sequence)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x40);
	data(t, 0xFF);
	EXPECT(t, false, 0xFA, 0xAA);
	devtm_free(t);
}

Test(i8042, keyboard_identify_raw_and_translated)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x00);
	data(t, 0xF2);
	EXPECT(t, false, 0xFA, 0xAB, 0x83);
	set_ccb(t, 0x40);
	data(t, 0xF2);
	EXPECT(t, false, 0xFA, 0xAB, 0x41);
	devtm_free(t);
}

Test(i8042, keyboard_echo_and_invalid_command)
{
	struct devtm *t = devtm_new(NULL);
	data(t, 0xEE);
	EXPECT(t, false, 0xEE);
	data(t, 0x12);
	EXPECT(t, false, 0xFE);
	devtm_free(t);
}

Test(i8042, led_command_is_acknowledged_twice)
{
	struct devtm *t = devtm_new(NULL);
	data(t, 0xED);
	EXPECT(t, false, 0xFA);
	data(t, 0x05);
	EXPECT(t, false, 0xFA);
	cr_assert_eq(i8042_leds(kbc(t)), 0x05);
	devtm_free(t);
}

Test(i8042, key_a_translated_to_set_1)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x40);
	i8042_key(kbc(t), 0x1C, true);
	EXPECT(t, false, 0x1E);
	i8042_key(kbc(t), 0x1C, false);
	EXPECT(t, false, 0x9E);
	devtm_free(t);
}

Test(i8042, key_a_in_raw_set_2)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x00);
	i8042_key(kbc(t), 0x1C, true);
	i8042_key(kbc(t), 0x1C, false);
	EXPECT(t, false, 0x1C, 0xF0, 0x1C);
	devtm_free(t);
}

Test(i8042, extended_key_translated_keeps_e0)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x40);
	i8042_key(kbc(t), 0xE075, true); /* cursor up */
	i8042_key(kbc(t), 0xE075, false);
	EXPECT(t, false, 0xE0, 0x48, 0xE0, 0xC8);
	devtm_free(t);
}

Test(i8042, pause_in_set_2_and_translated)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x00);
	i8042_key(kbc(t), I8042_KEY_PAUSE, true);
	i8042_key(kbc(t), I8042_KEY_PAUSE, false);
	EXPECT(t, false, 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77);
	set_ccb(t, 0x40);
	i8042_key(kbc(t), I8042_KEY_PAUSE, true);
	EXPECT(t, false, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
	devtm_free(t);
}

Test(i8042, scan_code_set_query_and_set_1)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x00);
	data(t, 0xF0);
	data(t, 0x00);
	EXPECT(t, false, 0xFA, 0xFA, 0x02);
	data(t, 0xF0);
	data(t, 0x01);
	EXPECT(t, false, 0xFA, 0xFA);
	i8042_key(kbc(t), 0x1C, true);
	i8042_key(kbc(t), 0x1C, false);
	EXPECT(t, false, 0x1E, 0x9E);
	set_ccb(t, 0x40);
	data(t, 0xF0);
	data(t, 0x00);
	EXPECT(t, false, 0xFA, 0xFA, 0x43); /* set 1's reply as translated */
	devtm_free(t);
}

Test(i8042, disabled_keyboard_drops_keys)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x40);
	data(t, 0xF5);
	EXPECT(t, false, 0xFA);
	i8042_key(kbc(t), 0x1C, true);
	cr_assert_eq(status(t) & ST_OBF, 0);
	data(t, 0xF4);
	EXPECT(t, false, 0xFA);
	i8042_key(kbc(t), 0x1C, true);
	EXPECT(t, false, 0x1E);
	devtm_free(t);
}

Test(i8042, disabled_interface_holds_keyboard_data)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x40);
	cmd(t, 0xAD);
	i8042_key(kbc(t), 0x1C, true);
	cr_assert_eq(status(t) & ST_OBF, 0);
	cmd(t, 0xAE);
	EXPECT(t, false, 0x1E);
	devtm_free(t);
}

Test(i8042, irq1_follows_obf_when_enabled)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x40); /* interrupts off */
	i8042_key(kbc(t), 0x1C, true);
	cr_assert_eq(t->level[1], 0);
	set_ccb(t, 0x41); /* enabling with OBF set raises the line */
	cr_assert_eq(t->level[1], 1);
	rd(t);
	cr_assert_eq(t->level[1], 0);
	i8042_key(kbc(t), 0x1C, false);
	cr_assert_eq(t->level[1], 1);
	cr_assert_eq(t->edges[1], 2);
	cr_assert_eq(t->level[12], 0);
	devtm_free(t);
}

Test(i8042, each_queued_byte_gives_its_own_irq1_edge)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x01);
	data(t, 0xFF);
	cr_assert_eq(t->edges[1], 1);
	cr_assert_eq(rd(t), 0xFA);
	cr_assert_eq(t->edges[1], 2);
	cr_assert_eq(rd(t), 0xAA);
	cr_assert_eq(t->level[1], 0);
	devtm_free(t);
}

Test(i8042, write_keyboard_and_aux_output_buffer)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x03);
	cmd(t, 0xD2);
	data(t, 0x42);
	cr_assert_eq(t->level[1], 1);
	EXPECT(t, false, 0x42);
	cmd(t, 0xD3);
	data(t, 0x24);
	cr_assert_eq(t->level[12], 1);
	EXPECT(t, true, 0x24);
	devtm_free(t);
}

Test(i8042, mouse_reset_and_identify)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x02);
	cmd(t, 0xD4);
	data(t, 0xFF);
	cr_assert_eq(t->level[12], 1);
	EXPECT(t, true, 0xFA, 0xAA, 0x00);
	cr_assert_eq(t->level[12], 0);
	cr_assert_eq(t->edges[12], 3);
	cr_assert_eq(t->edges[1], 0);
	cmd(t, 0xD4);
	data(t, 0xF2);
	EXPECT(t, true, 0xFA, 0x00);
	devtm_free(t);
}

static void mouse_cmd(struct devtm *t, uint8_t v)
{
	cmd(t, 0xD4);
	data(t, v);
}

Test(i8042, mouse_movement_packet)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x02);
	mouse_cmd(t, 0xF4);
	EXPECT(t, true, 0xFA);
	i8042_mouse(kbc(t), 5, -3, I8042_BUTTON_LEFT);
	cr_assert_eq(t->level[12], 1);
	EXPECT(t, true, 0x29, 0x05, 0xFD); /* bit 3 always 1, Y sign, left */
	i8042_mouse(kbc(t), -300, 0, I8042_BUTTON_RIGHT | I8042_BUTTON_MIDDLE);
	EXPECT(t, true, 0x5E, 0x00, 0x00); /* X overflow and sign */
	devtm_free(t);
}

Test(i8042, mouse_reports_nothing_until_enabled)
{
	struct devtm *t = devtm_new(NULL);
	i8042_mouse(kbc(t), 1, 1, 0);
	cr_assert_eq(status(t) & ST_OBF, 0);
	devtm_free(t);
}

Test(i8042, mouse_status_request)
{
	struct devtm *t = devtm_new(NULL);
	mouse_cmd(t, 0xF3);
	mouse_cmd(t, 40);
	mouse_cmd(t, 0xE8);
	mouse_cmd(t, 0x03);
	mouse_cmd(t, 0xE7);
	mouse_cmd(t, 0xF4);
	EXPECT(t, true, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA);
	i8042_mouse(kbc(t), 0, 0, I8042_BUTTON_LEFT);
	EXPECT(t, true, 0x09, 0x00, 0x00);
	mouse_cmd(t, 0xE9);
	EXPECT(t, true, 0xFA, 0x34, 0x03, 40); /* enabled, 2:1, left */
	devtm_free(t);
}

Test(i8042, mouse_remote_mode_read_data)
{
	struct devtm *t = devtm_new(NULL);
	mouse_cmd(t, 0xF0);
	EXPECT(t, true, 0xFA);
	i8042_mouse(kbc(t), 2, 3, 0);
	i8042_mouse(kbc(t), 1, 1, 0);
	cr_assert_eq(status(t) & ST_OBF, 0);
	mouse_cmd(t, 0xEB);
	EXPECT(t, true, 0xFA, 0x08, 0x03, 0x04);
	devtm_free(t);
}

Test(i8042, mouse_scaling_2_to_1_in_stream_mode)
{
	struct devtm *t = devtm_new(NULL);
	mouse_cmd(t, 0xE7);
	mouse_cmd(t, 0xF4);
	EXPECT(t, true, 0xFA, 0xFA);
	i8042_mouse(kbc(t), 4, 10, 0);
	EXPECT(t, true, 0x08, 0x06, 0x14);
	devtm_free(t);
}

Test(i8042, keyboard_and_mouse_bytes_keep_their_order)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x43);
	mouse_cmd(t, 0xF4);
	EXPECT(t, true, 0xFA);
	i8042_key(kbc(t), 0x1C, true);
	i8042_mouse(kbc(t), 1, 0, 0);
	i8042_key(kbc(t), 0x1C, false);
	cr_assert_eq(t->level[1], 1);
	cr_assert_eq(t->level[12], 0);
	cr_assert_eq(take(t, false), 0x1E);
	cr_assert_eq(t->level[12], 1);
	cr_assert_eq(take(t, true), 0x08);
	cr_assert_eq(take(t, true), 0x01);
	cr_assert_eq(take(t, true), 0x00);
	cr_assert_eq(t->level[1], 1);
	EXPECT(t, false, 0x9E);
	devtm_free(t);
}

Test(i8042, disabled_keyboard_interface_lets_mouse_data_pass)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x40);
	mouse_cmd(t, 0xF4);
	EXPECT(t, true, 0xFA);
	cmd(t, 0xAD);
	i8042_key(kbc(t), 0x1C, true);
	i8042_mouse(kbc(t), 0, 1, 0);
	EXPECT(t, true, 0x08, 0x00, 0x01);
	cmd(t, 0xAE);
	EXPECT(t, false, 0x1E);
	devtm_free(t);
}

Test(i8042, controller_reply_waits_behind_a_full_output_buffer)
{
	struct devtm *t = devtm_new(NULL);
	set_ccb(t, 0x61);
	i8042_key(kbc(t), 0x1C, true);
	cmd(t, 0x20);
	cr_assert_eq(rd(t), 0x1E);
	cr_assert_eq(take(t, false), 0x61);
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
