/* 16550A UARTs through their ports (PC16550D data sheet: register reset
 * values, Table II interrupt priorities, FIFO trigger levels; baud rate =
 * 1.8432 MHz / (16 x divisor)). */
#include <criterion/criterion.h>

#include <string.h>

#include "tests/bus_util.h"

#define COM1 0x3F8
#define COM2 0x2F8
#define RBR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

/* One 8N1 character = 10 bits of 16 x divisor clocks at 1.8432 MHz. */
#define CHAR_DIV1 86806u      /* divisor 1: 86805.6 ns, rounded up */
#define CHAR_DIV12 1041667u   /* divisor 12: 1041666.7 ns, rounded up */

struct capture {
	uint8_t buf[64];
	size_t len;
};

static void capture_write(void *opaque, const uint8_t *data, size_t len)
{
	struct capture *c = opaque;
	for (size_t i = 0; i < len && c->len < sizeof(c->buf); i++)
		c->buf[c->len++] = data[i];
}

struct feed {
	const char *data;
	size_t pos, len;
};

static size_t feed_read(void *opaque, uint8_t *data, size_t max)
{
	struct feed *f = opaque;
	size_t n = 0;
	while (n < max && f->pos < f->len)
		data[n++] = (uint8_t)f->data[f->pos++];
	return n;
}

static struct machine *uart_machine(struct capture *out, struct feed *in)
{
	struct machine_config cfg = { 0 };
	if (out)
		cfg.serial[0] = (struct byte_sink){ capture_write, out };
	if (in)
		cfg.serial_in[0] = (struct byte_source){ feed_read, in };
	return bus_machine(NULL, 0, &cfg);
}

static void set_divisor(struct machine *m, uint16_t port, uint16_t div)
{
	outb(m, port + LCR, 0x83);
	outb(m, port + RBR, div & 0xFF);
	outb(m, port + IER, div >> 8);
	outb(m, port + LCR, 0x03); /* 8N1 */
}

Test(uart, reset_values)
{
	struct machine *m = uart_machine(NULL, NULL);
	for (unsigned i = 0; i < 2; i++) {
		uint16_t p = i ? COM2 : COM1;
		cr_assert_eq(inb(m, p + IER), 0);
		cr_assert_eq(inb(m, p + IIR), 0x01);
		cr_assert_eq(inb(m, p + LCR), 0);
		cr_assert_eq(inb(m, p + MCR), 0);
		cr_assert_eq(inb(m, p + LSR), 0x60);
		cr_assert_eq(inb(m, p + MSR) & 0x0F, 0);
	}
	machine_free(m);
}

Test(uart, divisor_latch_and_scratch)
{
	struct machine *m = uart_machine(NULL, NULL);
	outb(m, COM1 + LCR, 0x80);
	outb(m, COM1 + RBR, 0x34);
	outb(m, COM1 + IER, 0x12);
	cr_assert_eq(inb(m, COM1 + RBR), 0x34);
	cr_assert_eq(inb(m, COM1 + IER), 0x12);
	outb(m, COM1 + LCR, 0x03);
	cr_assert_eq(inb(m, COM1 + IER), 0, "DLAB clear: IER again");
	outb(m, COM1 + IER, 0xFF);
	cr_assert_eq(inb(m, COM1 + IER), 0x0F, "IER bits 4-7 are always 0");
	outb(m, COM1 + SCR, 0x5A);
	cr_assert_eq(inb(m, COM1 + SCR), 0x5A);
	outb(m, COM1 + LCR, 0x80);
	cr_assert_eq(inb(m, COM1 + RBR), 0x34, "the latch kept its value");
	machine_free(m);
}

Test(uart, output_reaches_the_byte_sink)
{
	struct capture out = { 0 };
	struct machine *m = uart_machine(&out, NULL);
	set_divisor(m, COM1, 1);
	const char *msg = "Hi!";
	for (const char *p = msg; *p; p++) {
		while (!(inb(m, COM1 + LSR) & 0x20))
			bus_skip(m, 1000);
		outb(m, COM1 + RBR, (uint8_t)*p);
	}
	bus_skip(m, 4 * CHAR_DIV1);
	cr_assert_eq(out.len, 3);
	cr_assert_eq(memcmp(out.buf, msg, 3), 0);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x60, 0x60);
	machine_free(m);
}

Test(uart, thre_and_temt_follow_character_time)
{
	struct machine *m = uart_machine(NULL, NULL);
	set_divisor(m, COM1, 12); /* 9600 baud */
	outb(m, COM1 + RBR, 'a');
	cr_assert_eq(inb(m, COM1 + LSR) & 0x60, 0x20, "byte in the shift register, THR empty");
	outb(m, COM1 + RBR, 'b');
	cr_assert_eq(inb(m, COM1 + LSR) & 0x60, 0x00);
	bus_skip(m, CHAR_DIV12 - 100);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x20, 0, "still shifting 'a'");
	bus_skip(m, 100);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x60, 0x20, "'b' moved to the shift register");
	bus_skip(m, CHAR_DIV12);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x60, 0x60);
	machine_free(m);
}

Test(uart, thre_interrupt_after_a_character_time)
{
	struct machine *m = uart_machine(NULL, NULL);
	struct irq_log log;
	bus_log_irqs(m, &log);
	set_divisor(m, COM1, 1);
	outb(m, COM1 + MCR, 0x08); /* OUT2 gates IRQ 4 */
	outb(m, COM1 + IER, 0x02);
	cr_assert_eq(log.level[4], 1, "enabling ETBEI with THR empty interrupts");
	cr_assert_eq(inb(m, COM1 + IIR), 0x02);
	cr_assert_eq(log.level[4], 0, "reading IIR cleared the THRE interrupt");
	cr_assert_eq(inb(m, COM1 + IIR), 0x01);
	outb(m, COM1 + RBR, 'x');
	outb(m, COM1 + RBR, 'y');
	cr_assert_eq(log.level[4], 0);
	bus_skip(m, CHAR_DIV1 - 100);
	cr_assert_eq(log.level[4], 0);
	bus_skip(m, 100);
	cr_assert_eq(log.level[4], 1);
	cr_assert_eq(inb(m, COM1 + IIR), 0x02);
	outb(m, COM1 + MCR, 0x00);
	machine_free(m);
}

Test(uart, out2_gates_the_irq_and_com2_uses_irq3)
{
	struct machine *m = uart_machine(NULL, NULL);
	struct irq_log log;
	bus_log_irqs(m, &log);
	outb(m, COM2 + IER, 0x02);
	cr_assert_eq(inb(m, COM2 + IIR) & 0x0F, 0x02, "pending inside the chip");
	outb(m, COM2 + IER, 0x00);
	outb(m, COM2 + IER, 0x02);
	cr_assert_eq(log.level[3], 0, "OUT2 clear: no IRQ on the bus");
	outb(m, COM2 + MCR, 0x08);
	cr_assert_eq(log.level[3], 1);
	cr_assert_eq(log.level[4], 0);
	machine_free(m);
}

Test(uart, loopback_echo_and_modem_lines)
{
	struct capture out = { 0 };
	struct machine *m = uart_machine(&out, NULL);
	set_divisor(m, COM1, 1);
	outb(m, COM1 + MCR, 0x10);
	inb(m, COM1 + MSR); /* clear the deltas of entering loopback */
	outb(m, COM1 + RBR, 0x5C);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x01, 0);
	bus_skip(m, CHAR_DIV1);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x01, 1);
	cr_assert_eq(inb(m, COM1 + RBR), 0x5C);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x01, 0);
	cr_assert_eq(out.len, 0, "loopback keeps the line idle");
	/* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
	outb(m, COM1 + MCR, 0x10 | 0x01);
	cr_assert_eq(inb(m, COM1 + MSR), 0x20 | 0x02);
	outb(m, COM1 + MCR, 0x10 | 0x02 | 0x04 | 0x08);
	cr_assert_eq(inb(m, COM1 + MSR), 0xD0 | 0x02 | 0x01 | 0x08);
	outb(m, COM1 + MCR, 0x10 | 0x02 | 0x08);
	cr_assert_eq(inb(m, COM1 + MSR) & 0x0F, 0x04, "TERI on RI's trailing edge");
	cr_assert_eq(inb(m, COM1 + MSR) & 0x0F, 0, "reading MSR clears the deltas");
	machine_free(m);
}

/* Send n bytes 'A' + first, 'A' + first + 1, ... and wait until they are through. */
static void loop_send_from(struct machine *m, unsigned first, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		outb(m, COM1 + RBR, (uint8_t)('A' + first + i));
	bus_skip(m, n * CHAR_DIV1);
}

static void loop_send(struct machine *m, unsigned n) { loop_send_from(m, 0, n); }

Test(uart, fifo_trigger_level_and_interrupt_priorities)
{
	struct machine *m = uart_machine(NULL, NULL);
	set_divisor(m, COM1, 1);
	outb(m, COM1 + MCR, 0x10);
	outb(m, COM1 + FCR, 0x47); /* enable, reset both, trigger 4 */
	cr_assert_eq(inb(m, COM1 + IIR), 0xC1, "FIFOs enabled: IIR bits 7:6 set");
	outb(m, COM1 + IER, 0x07); /* RLS, THRE, RDA */
	cr_assert_eq(inb(m, COM1 + IIR), 0xC2);
	loop_send_from(m, 0, 3);
	cr_assert_eq(inb(m, COM1 + IIR), 0xC2, "3 < trigger: THRE is the source");
	cr_assert_eq(inb(m, COM1 + IIR), 0xC1, "and reading IIR cleared it");
	loop_send_from(m, 3, 1);
	cr_assert_eq(inb(m, COM1 + IIR), 0xC4, "trigger level reached");
	loop_send_from(m, 4, 13); /* 17 sent: the 17th overruns the FIFO */
	cr_assert_eq(inb(m, COM1 + IIR), 0xC6, "line status is highest");
	cr_assert_eq(inb(m, COM1 + LSR) & 0x03, 0x03);
	cr_assert_eq(inb(m, COM1 + IIR), 0xC4, "LSR read cleared OE");
	for (unsigned i = 0; i < 16; i++)
		cr_assert_eq(inb(m, COM1 + RBR), 'A' + i, "the overrunning 17th byte was lost");
	cr_assert_eq(inb(m, COM1 + LSR) & 0x01, 0);
	machine_free(m);
}

Test(uart, character_timeout_below_trigger)
{
	struct machine *m = uart_machine(NULL, NULL);
	set_divisor(m, COM1, 1);
	outb(m, COM1 + MCR, 0x10);
	outb(m, COM1 + FCR, 0xC1); /* trigger 14 */
	outb(m, COM1 + IER, 0x01);
	loop_send(m, 2);
	cr_assert_eq(inb(m, COM1 + IIR), 0xC1);
	bus_skip(m, 4 * CHAR_DIV1);
	cr_assert_eq(inb(m, COM1 + IIR), 0xCC);
	cr_assert_eq(inb(m, COM1 + RBR), 'A');
	cr_assert_eq(inb(m, COM1 + IIR), 0xC1, "a read restarts the timeout");
	machine_free(m);
}

Test(uart, fifo_reset_empties_the_receiver)
{
	struct machine *m = uart_machine(NULL, NULL);
	set_divisor(m, COM1, 1);
	outb(m, COM1 + MCR, 0x10);
	outb(m, COM1 + FCR, 0x01);
	loop_send(m, 3);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x01, 1);
	outb(m, COM1 + FCR, 0x03);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x01, 0);
	machine_free(m);
}

Test(uart, non_fifo_overrun_keeps_the_newest_byte)
{
	struct machine *m = uart_machine(NULL, NULL);
	set_divisor(m, COM1, 1);
	outb(m, COM1 + MCR, 0x10);
	loop_send(m, 1);
	loop_send(m, 1);
	outb(m, COM1 + RBR, 'z');
	bus_skip(m, CHAR_DIV1);
	cr_assert_eq(inb(m, COM1 + LSR) & 0x03, 0x03);
	cr_assert_eq(inb(m, COM1 + RBR), 'z');
	machine_free(m);
}

Test(uart, input_source_is_polled_at_the_baud_rate)
{
	struct feed in = { "xyz", 0, 3 };
	struct machine *m = uart_machine(NULL, &in);
	struct irq_log log;
	bus_log_irqs(m, &log);
	set_divisor(m, COM1, 12);
	outb(m, COM1 + MCR, 0x08);
	outb(m, COM1 + IER, 0x01);
	bus_skip(m, 3 * CHAR_DIV12);
	cr_assert_eq(log.level[4], 1);
	cr_assert_eq(in.pos, 1, "no FIFO: one byte until the guest reads it");
	cr_assert_eq(inb(m, COM1 + LSR) & 0x03, 0x01, "and no overrun");
	cr_assert_eq(inb(m, COM1 + RBR), 'x');
	cr_assert_eq(log.level[4], 0);
	bus_skip(m, CHAR_DIV12);
	cr_assert_eq(inb(m, COM1 + RBR), 'y');
	machine_free(m);
}
