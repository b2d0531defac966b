/*
 * Two National Semiconductor PC16550D UARTs (PC16550D data sheet, sections
 * 8.1-8.9: register set, FIFO operation and interrupt priorities): COM1 at
 * 0x3F8 on IRQ 4 and COM2 at 0x2F8 on IRQ 3.
 *
 * Time is virtual: one character takes (start + data + parity + stop bits) x
 * 16 x divisor cycles of the 1.8432 MHz reference clock. The transmitter is
 * double-buffered as on the chip: THR (or the 16-byte TX FIFO) feeds the shift
 * register, THRE rises when the last byte moves into the shift register and
 * TEMT when that byte has been shifted out. Output bytes go to the board's
 * byte_sink when they enter the shift register, so nothing is lost when the
 * machine stops. Input is polled from the board's byte_source once per
 * character time, only when there is room (acting as flow control, so host
 * input never overruns). On a PC, OUT2 gates the interrupt onto the ISA bus.
 *
 * Deviations: the THR-to-shift-register transfer is immediate rather than one
 * bit time later; no parity, framing or break errors (LSR bits 2-4 and 7 stay
 * 0); without a cable model the modem inputs outside loopback are fixed at
 * CTS, DSR and DCD asserted and RI deasserted; loopback forces OUT2 inactive,
 * so as on a PC no interrupt reaches the PIC in loopback; a divisor of 0
 * counts as 65536; DMA mode (FCR bit 3) is stored only.
 */
#include "devices/uart.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"

#define UART_CLOCK_HZ 1843200u
#define FIFO_LEN 16

#define IER_RDA 0x01
#define IER_THRE 0x02
#define IER_RLS 0x04
#define IER_MS 0x08

#define IIR_NONE 0x01
#define IIR_MS 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_TIMEOUT 0x0C
#define IIR_FIFO 0xC0

#define FCR_ENABLE 0x01
#define FCR_RX_RESET 0x02
#define FCR_TX_RESET 0x04

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_ERRORS 0x1E
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DELTAS 0x0F
#define MSR_TERI 0x04
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

struct uart {
	struct machine *m;
	struct irq_line irq;
	unsigned index;
	struct timer tx_timer; /* the shift register finishes a character */
	struct timer rx_timer; /* poll the input source */
	struct timer to_timer; /* character timeout (FIFO mode) */
	uint16_t divisor;
	uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
	uint8_t rbr; /* last byte read, returned again when the FIFO is empty */
	uint8_t rx[FIFO_LEN], rx_head, rx_count;
	uint8_t tx[FIFO_LEN], tx_head, tx_count;
	uint8_t tsr;
	bool tsr_busy;
	bool thre_pending; /* THRE interrupt, until IIR read or THR write */
	bool timeout;
	int irq_level;
};

struct uart_pair {
	struct uart port[2];
};

static const uint16_t uart_base[2] = { 0x3F8, 0x2F8 };
static const unsigned uart_irq[2] = { 4, 3 };

/* ---- timing ---- */

static vtime_t char_ns(const struct uart *u)
{
	unsigned data = 5 + (u->lcr & 3);
	unsigned half_bits = 2 * (1 + data + (u->lcr >> 3 & 1));
	half_bits += !(u->lcr & 4) ? 2 : data == 5 ? 3 : 4;
	uint64_t div = u->divisor ? u->divisor : 65536;
	return (vtime_t)half_bits * div * 16 * 1000000000u / (2ull * UART_CLOCK_HZ);
}

static vtime_t now(const struct uart *u) { return sched_now(machine_sched(u->m)); }

static unsigned fifo_cap(const struct uart *u) { return u->fcr & FCR_ENABLE ? FIFO_LEN : 1; }

static unsigned rx_trigger(const struct uart *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };
	return level[u->fcr >> 6];
}

/* ---- interrupts ---- */

static uint8_t pending_id(const struct uart *u)
{
	if ((u->ier & IER_RLS) && (u->lsr & LSR_ERRORS))
		return IIR_RLS;
	if ((u->ier & IER_RDA) && u->rx_count >= ((u->fcr & FCR_ENABLE) ? rx_trigger(u) : 1))
		return IIR_RDA;
	if ((u->ier & IER_RDA) && u->timeout)
		return IIR_TIMEOUT;
	if ((u->ier & IER_THRE) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_MS) && (u->msr & MSR_DELTAS))
		return IIR_MS;
	return IIR_NONE;
}

static void update_irq(struct uart *u)
{
	int level = pending_id(u) != IIR_NONE && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
	if (level != u->irq_level) {
		u->irq_level = level;
		irq_set(u->irq, level);
	}
}

/* ---- receiver ---- */

/* at: when the FIFO last changed (a timer's deadline, or now for port
 * accesses), so timers that fire late still keep exact character timing. */
static void rx_activity(struct uart *u, vtime_t at)
{
	struct sched *s = machine_sched(u->m);
	u->timeout = false;
	if ((u->fcr & FCR_ENABLE) && u->rx_count)
		timer_arm(s, &u->to_timer, at + 4 * char_ns(u));
	else
		timer_cancel(s, &u->to_timer);
}

static void receive(struct uart *u, uint8_t byte, vtime_t at)
{
	if (u->rx_count == fifo_cap(u)) {
		u->lsr |= LSR_OE;
		/* Without FIFOs the new character overwrites RBR; a full FIFO
		 * keeps its contents and loses the one in the shift register. */
		if (!(u->fcr & FCR_ENABLE))
			u->rx[u->rx_head] = byte;
	} else {
		u->rx[(u->rx_head + u->rx_count) % FIFO_LEN] = byte;
		u->rx_count++;
	}
	u->lsr |= LSR_DR;
	rx_activity(u, at);
	update_irq(u);
}

static uint8_t read_rbr(struct uart *u)
{
	if (u->rx_count) {
		u->rbr = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % FIFO_LEN;
		u->rx_count--;
	}
	if (!u->rx_count)
		u->lsr &= (uint8_t)~LSR_DR;
	rx_activity(u, now(u));
	update_irq(u);
	return u->rbr;
}

static void rx_reset(struct uart *u)
{
	u->rx_head = u->rx_count = 0;
	u->lsr &= (uint8_t)~LSR_DR;
	rx_activity(u, now(u));
}

static void rx_poll(void *opaque, vtime_t t)
{
	struct uart *u = opaque;
	const struct byte_source *src = &machine_config(u->m)->serial_in[u->index];
	vtime_t at = u->rx_timer.deadline;
	uint8_t byte;
	(void)t;
	if (!(u->mcr & MCR_LOOP) && u->rx_count < fifo_cap(u) && src->read(src->opaque, &byte, 1) == 1)
		receive(u, byte, at);
	timer_arm(machine_sched(u->m), &u->rx_timer, at + char_ns(u));
}

static void rx_timeout(void *opaque, vtime_t t)
{
	struct uart *u = opaque;
	(void)t;
	u->timeout = true;
	update_irq(u);
}

/* ---- transmitter ---- */

static void tx_start(struct uart *u, vtime_t at)
{
	u->tsr = u->tx[u->tx_head];
	u->tx_head = (u->tx_head + 1) % FIFO_LEN;
	u->tx_count--;
	u->tsr_busy = true;
	u->lsr &= (uint8_t)~LSR_TEMT;
	if (!u->tx_count) {
		u->lsr |= LSR_THRE;
		u->thre_pending = true;
	}
	const struct byte_sink *sink = &machine_config(u->m)->serial[u->index];
	if (!(u->mcr & MCR_LOOP) && sink->write)
		sink->write(sink->opaque, &u->tsr, 1);
	timer_arm(machine_sched(u->m), &u->tx_timer, at + char_ns(u));
}

static void tx_done(void *opaque, vtime_t t)
{
	struct uart *u = opaque;
	vtime_t at = u->tx_timer.deadline;
	(void)t;
	u->tsr_busy = false;
	if (u->mcr & MCR_LOOP)
		receive(u, u->tsr, at);
	if (u->tx_count)
		tx_start(u, at);
	else
		u->lsr |= LSR_TEMT;
	update_irq(u);
}

static void write_thr(struct uart *u, uint8_t v)
{
	if (u->tx_count < fifo_cap(u)) {
		u->tx[(u->tx_head + u->tx_count) % FIFO_LEN] = v;
		u->tx_count++;
	} else if (!(u->fcr & FCR_ENABLE)) {
		u->tx[u->tx_head] = v; /* THR overwritten */
	}
	u->lsr &= (uint8_t)~LSR_THRE;
	u->thre_pending = false;
	if (!u->tsr_busy)
		tx_start(u, now(u));
	update_irq(u);
}

static void tx_reset(struct uart *u)
{
	u->tx_head = u->tx_count = 0;
	u->lsr |= LSR_THRE;
	if (!u->tsr_busy)
		u->lsr |= LSR_TEMT;
}

/* ---- modem control and status ---- */

static uint8_t modem_inputs(const struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	uint8_t v = 0;
	v |= u->mcr & MCR_RTS ? MSR_CTS : 0;
	v |= u->mcr & MCR_DTR ? MSR_DSR : 0;
	v |= u->mcr & MCR_OUT1 ? MSR_RI : 0;
	v |= u->mcr & MCR_OUT2 ? MSR_DCD : 0;
	return v;
}

static void update_modem(struct uart *u)
{
	uint8_t in = modem_inputs(u);
	uint8_t changed = (uint8_t)((in ^ u->msr) & 0xF0);
	uint8_t delta = (uint8_t)(changed >> 4) & (uint8_t)~MSR_TERI;
	/* TERI reports only the trailing (1 -> 0) edge of RI. */
	if ((changed & MSR_RI) && !(in & MSR_RI))
		delta |= MSR_TERI;
	u->msr = (uint8_t)(in | ((u->msr | delta) & MSR_DELTAS));
}

/* ---- register access ---- */

static void write_fcr(struct uart *u, uint8_t v)
{
	if ((v ^ u->fcr) & FCR_ENABLE) {
		rx_reset(u);
		tx_reset(u);
	}
	/* With bit 0 clear the other bits cannot be programmed. */
	u->fcr = v & FCR_ENABLE ? (uint8_t)(v & 0xC9) : 0;
	if (v & FCR_ENABLE && v & FCR_RX_RESET)
		rx_reset(u);
	if (v & FCR_ENABLE && v & FCR_TX_RESET)
		tx_reset(u);
}

static void write_reg(struct uart *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg) {
	case 0:
		if (dlab)
			u->divisor = (uint16_t)((u->divisor & 0xFF00) | v);
		else
			write_thr(u, v);
		return;
	case 1:
		if (dlab) {
			u->divisor = (uint16_t)((u->divisor & 0xFF) | v << 8);
			return;
		}
		/* Enabling ETBEI while THR is empty raises the THRE interrupt. */
		if ((v & ~u->ier & IER_THRE) && (u->lsr & LSR_THRE))
			u->thre_pending = true;
		u->ier = v & 0x0F;
		break;
	case 2:
		write_fcr(u, v);
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1F;
		update_modem(u);
		break;
	case 5:
	case 6:
		return; /* LSR and MSR are read-only here */
	default:
		u->scr = v;
		return;
	}
	update_irq(u);
}

static uint8_t read_iir(struct uart *u)
{
	uint8_t id = pending_id(u);
	if (id == IIR_THRE) {
		u->thre_pending = false;
		update_irq(u);
	}
	return (uint8_t)(id | (u->fcr & FCR_ENABLE ? IIR_FIFO : 0));
}

static uint8_t read_reg(struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;
	switch (reg) {
	case 0:
		return dlab ? (uint8_t)u->divisor : read_rbr(u);
	case 1:
		return dlab ? (uint8_t)(u->divisor >> 8) : u->ier;
	case 2:
		return read_iir(u);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		v = u->lsr;
		u->lsr &= (uint8_t)~LSR_ERRORS;
		update_irq(u);
		return v;
	case 6:
		v = u->msr;
		u->msr &= (uint8_t)~MSR_DELTAS;
		update_irq(u);
		return v;
	default:
		return u->scr;
	}
}

static uint32_t uart_io_read(void *opaque, uint32_t off, unsigned size)
{
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)read_reg(opaque, (off + b) & 7) << (8 * b);
	return v;
}

static void uart_io_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	for (unsigned b = 0; b < size; b++)
		write_reg(opaque, (off + b) & 7, (uint8_t)(v >> (8 * b)));
}

static const struct io_ops uart_ops = { uart_io_read, uart_io_write };

/* ---- device class ---- */

static void uart_reset_one(struct uart *u)
{
	struct sched *s = machine_sched(u->m);
	timer_cancel(s, &u->tx_timer);
	timer_cancel(s, &u->to_timer);
	u->ier = u->lcr = u->mcr = u->fcr = 0;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = modem_inputs(u);
	u->rx_head = u->rx_count = u->tx_head = u->tx_count = 0;
	u->tsr_busy = u->thre_pending = u->timeout = false;
	if (u->irq_level)
		irq_set(u->irq, 0);
	u->irq_level = 0;
	if (machine_config(u->m)->serial_in[u->index].read)
		timer_arm(s, &u->rx_timer, now(u) + char_ns(u));
}

static void uart_reset(void *opaque)
{
	struct uart_pair *p = opaque;
	for (unsigned i = 0; i < 2; i++)
		uart_reset_one(&p->port[i]);
}

static void uart_destroy(void *opaque)
{
	struct uart_pair *p = opaque;
	for (unsigned i = 0; i < 2; i++) {
		struct uart *u = &p->port[i];
		struct sched *s = machine_sched(u->m);
		timer_cancel(s, &u->tx_timer);
		timer_cancel(s, &u->rx_timer);
		timer_cancel(s, &u->to_timer);
	}
	free(p);
}

static void *uart_create(struct machine *m)
{
	struct uart_pair *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	for (unsigned i = 0; i < 2; i++) {
		struct uart *u = &p->port[i];
		u->m = m;
		u->index = i;
		u->irq = machine_isa_irq(m, uart_irq[i]);
		u->divisor = 12; /* 9600 baud until the guest programs it */
		timer_init(&u->tx_timer, tx_done, u);
		timer_init(&u->rx_timer, rx_poll, u);
		timer_init(&u->to_timer, rx_timeout, u);
		if (ioport_register(machine_io(m), uart_base[i], 8, &uart_ops, u) < 0) {
			machine_error(m, "uart: ports 0x%x-0x%x are taken", uart_base[i], uart_base[i] + 7);
			free(p);
			return NULL;
		}
		uart_reset_one(u);
	}
	return p;
}

#define UART_FIELDS(n)                                                          \
	STATE_FIELD(struct uart_pair, port[n].divisor),                         \
	STATE_FIELD(struct uart_pair, port[n].ier),                             \
	STATE_FIELD(struct uart_pair, port[n].lcr),                             \
	STATE_FIELD(struct uart_pair, port[n].mcr),                             \
	STATE_FIELD(struct uart_pair, port[n].lsr),                             \
	STATE_FIELD(struct uart_pair, port[n].msr),                             \
	STATE_FIELD(struct uart_pair, port[n].scr),                             \
	STATE_FIELD(struct uart_pair, port[n].fcr),                             \
	STATE_FIELD(struct uart_pair, port[n].rbr),                             \
	STATE_FIELD(struct uart_pair, port[n].rx),                              \
	STATE_FIELD(struct uart_pair, port[n].rx_head),                         \
	STATE_FIELD(struct uart_pair, port[n].rx_count),                        \
	STATE_FIELD(struct uart_pair, port[n].tx),                              \
	STATE_FIELD(struct uart_pair, port[n].tx_head),                         \
	STATE_FIELD(struct uart_pair, port[n].tx_count),                        \
	STATE_FIELD(struct uart_pair, port[n].tsr),                             \
	STATE_FIELD(struct uart_pair, port[n].tsr_busy),                        \
	STATE_FIELD(struct uart_pair, port[n].thre_pending),                    \
	STATE_FIELD(struct uart_pair, port[n].timeout)

static const struct state_field uart_fields[] = {
	UART_FIELDS(0),
	UART_FIELDS(1),
	{ 0 },
};

const struct device_class uart_class = {
	.name = "uart",
	.create = uart_create,
	.reset = uart_reset,
	.destroy = uart_destroy,
	.fields = uart_fields,
};
