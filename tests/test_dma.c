/* 8237A DMA pair and page registers through ports and dma_transfer()
 * (8237A data sheet: mode register, status, autoinitialize, masks, flip-flop;
 * PC/AT page register ports). */
#include <criterion/criterion.h>

#include <string.h>

#include "devices/dma.h"
#include "tests/bus_util.h"
#include "tests/tm.h"

/* Program an 8-bit channel (0-3) of DMA1. */
static void setup8(struct machine *m, unsigned ch, uint8_t mode, uint8_t page, uint16_t addr, uint16_t count)
{
	static const uint16_t page_port[4] = { 0x87, 0x83, 0x81, 0x82 };
	outb(m, 0x0A, (uint8_t)(0x04 | ch)); /* mask */
	outb(m, 0x0C, 0);                    /* clear flip-flop */
	outb(m, 0x0B, (uint8_t)(mode | ch));
	outb(m, (uint16_t)(2 * ch), addr & 0xFF);
	outb(m, (uint16_t)(2 * ch), addr >> 8);
	outb(m, page_port[ch], page);
	outb(m, (uint16_t)(2 * ch + 1), count & 0xFF);
	outb(m, (uint16_t)(2 * ch + 1), count >> 8);
	outb(m, 0x0A, (uint8_t)ch); /* unmask */
}

static uint16_t read16(struct machine *m, uint16_t port)
{
	uint8_t lo = inb(m, port);
	return (uint16_t)(lo | inb(m, port) << 8);
}

#define SINGLE_WRITE 0x44 /* single mode, increment, I/O -> memory */
#define SINGLE_READ 0x48  /* single mode, increment, memory -> I/O */
#define AUTOINIT 0x10
#define DECREMENT 0x20

Test(dma, single_transfer_to_memory_with_page_register)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	uint8_t buf[300];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i ^ 0x5A);
	setup8(m, 2, SINGLE_WRITE, 0x05, 0x1234, 0x00FF); /* 256 bytes at 0x51234 */
	cr_assert_eq(dma_remaining(d, 2), 256);
	cr_assert_eq(dma_transfer(d, 2, buf, sizeof(buf), true), 256);
	for (unsigned i = 0; i < 256; i++)
		cr_assert_eq(tm_peek8(m, 0x51234 + i), buf[i]);
	cr_assert_eq(tm_peek8(m, 0x51234 + 256), 0, "stopped at terminal count");
	outb(m, 0x0C, 0);
	cr_assert_eq(read16(m, 0x04), 0x1334, "current address");
	cr_assert_eq(read16(m, 0x05), 0xFFFF, "count ran past zero");
	cr_assert_eq(inb(m, 0x08) & 0x0F, 0x04, "TC of channel 2");
	cr_assert_eq(inb(m, 0x08) & 0x0F, 0x00, "reading status cleared TC");
	cr_assert_eq(inb(m, 0x0F) & 0x04, 0x04, "no auto-init: the channel masked itself");
	cr_assert_eq(dma_transfer(d, 2, buf, 1, true), 0);
	machine_free(m);
}

Test(dma, transfer_from_memory)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	tm_poke(m, 0x20010, "de ad be ef 01 02");
	setup8(m, 1, SINGLE_READ, 0x02, 0x0010, 3);
	uint8_t buf[8];
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(dma_transfer(d, 1, buf, sizeof(buf), false), 4);
	cr_assert_eq(buf[0], 0xDE);
	cr_assert_eq(buf[3], 0xEF);
	cr_assert_eq(buf[4], 0);
	machine_free(m);
}

Test(dma, direction_mismatch_moves_no_data)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	setup8(m, 1, SINGLE_READ, 0x02, 0x0000, 3);
	uint8_t buf[4] = { 1, 2, 3, 4 };
	cr_assert_eq(dma_transfer(d, 1, buf, 4, true), 4);
	cr_assert_eq(tm_peek32(m, 0x20000), 0);
	machine_free(m);
}

Test(dma, eight_bit_channel_wraps_inside_its_64k_page)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	uint8_t buf[32];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0x80 + i);
	setup8(m, 3, SINGLE_WRITE, 0x02, 0xFFF0, 31);
	cr_assert_eq(dma_transfer(d, 3, buf, 32, true), 32);
	cr_assert_eq(tm_peek8(m, 0x2FFFF), 0x8F);
	cr_assert_eq(tm_peek8(m, 0x20000), 0x90, "the page register does not carry");
	cr_assert_eq(tm_peek8(m, 0x30000), 0);
	machine_free(m);
}

Test(dma, autoinit_reloads_base_and_stays_unmasked)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	setup8(m, 2, SINGLE_WRITE | AUTOINIT, 0x03, 0x0100, 3);
	uint8_t a[4] = { 1, 2, 3, 4 }, b[6] = { 9, 8, 7, 6, 5, 4 };
	cr_assert_eq(dma_transfer(d, 2, a, 4, true), 4);
	cr_assert_eq(inb(m, 0x08) & 0x04, 0x04);
	outb(m, 0x0C, 0);
	cr_assert_eq(read16(m, 0x04), 0x0100);
	cr_assert_eq(read16(m, 0x05), 3);
	cr_assert_eq(dma_transfer(d, 2, b, 6, true), 4, "second block up to TC again");
	cr_assert_eq(tm_peek32(m, 0x30100), 0x06070809);
	machine_free(m);
}

Test(dma, decrement_mode)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	setup8(m, 1, SINGLE_WRITE | DECREMENT, 0x04, 0x0003, 3);
	uint8_t buf[4] = { 0x11, 0x22, 0x33, 0x44 };
	cr_assert_eq(dma_transfer(d, 1, buf, 4, true), 4);
	cr_assert_eq(tm_peek32(m, 0x40000), 0x11223344);
	machine_free(m);
}

Test(dma, masks_and_master_clear)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	uint8_t buf[4] = { 0 };
	cr_assert_eq(inb(m, 0x0F) & 0x0F, 0x0F, "all channels masked after reset");
	setup8(m, 2, SINGLE_WRITE, 0x01, 0, 3);
	outb(m, 0x0F, 0x04);
	cr_assert_eq(dma_transfer(d, 2, buf, 4, true), 0);
	outb(m, 0x0E, 0);
	cr_assert_eq(inb(m, 0x0F) & 0x0F, 0);
	outb(m, 0x08, 0x04); /* command: controller disable */
	cr_assert_eq(dma_transfer(d, 2, buf, 4, true), 0);
	outb(m, 0x08, 0x00);
	cr_assert_eq(dma_transfer(d, 2, buf, 1, true), 1);
	outb(m, 0x0D, 0); /* master clear */
	cr_assert_eq(inb(m, 0x0F) & 0x0F, 0x0F);
	cr_assert_eq(dma_transfer(d, 2, buf, 1, true), 0);
	machine_free(m);
}

Test(dma, flip_flop_orders_address_bytes)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	outb(m, 0x0C, 0);
	outb(m, 0x00, 0x34);
	outb(m, 0x00, 0x12);
	cr_assert_eq(inb(m, 0x00), 0x34);
	cr_assert_eq(inb(m, 0x00), 0x12);
	outb(m, 0x00, 0x78); /* flip-flop is at low again */
	outb(m, 0x0C, 0);
	cr_assert_eq(read16(m, 0x00), 0x1278);
	machine_free(m);
}

Test(dma, sixteen_bit_channel_uses_word_addresses_and_128k_pages)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	outb(m, 0xD4, 0x05);        /* mask channel 5 */
	outb(m, 0xD8, 0);           /* flip-flop */
	outb(m, 0xD6, SINGLE_WRITE | 1);
	outb(m, 0xC4, 0xFF);        /* word address 0xFFFF */
	outb(m, 0xC4, 0xFF);
	outb(m, 0x8B, 0x03);        /* page bit 0 is ignored: 0x20000 block */
	outb(m, 0xC6, 1);           /* 2 words */
	outb(m, 0xC6, 0);
	outb(m, 0xD4, 0x01);        /* unmask */
	cr_assert_eq(dma_remaining(d, 5), 4);
	uint8_t buf[6] = { 0xA1, 0xA2, 0xB1, 0xB2, 0xC1, 0xC2 };
	cr_assert_eq(dma_transfer(d, 5, buf, 6, true), 4);
	cr_assert_eq(tm_peek16(m, 0x3FFFE), 0xA2A1);
	cr_assert_eq(tm_peek16(m, 0x20000), 0xB2B1, "wrapped inside 128 KiB");
	cr_assert_eq(inb(m, 0xD0) & 0x0F, 0x02, "TC of channel 5 in DMA2 status");
	machine_free(m);
}

Test(dma, dreq_shows_in_status)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct dma *d = dma_machine(m);
	dma_set_dreq(d, 2, true);
	cr_assert_eq(inb(m, 0x08), 0x40);
	dma_set_dreq(d, 2, false);
	cr_assert_eq(inb(m, 0x08), 0x00);
	machine_free(m);
}

Test(dma, page_registers_read_back)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	static const uint16_t ports[] = { 0x81, 0x82, 0x83, 0x87, 0x89, 0x8A, 0x8B, 0x8F };
	for (unsigned i = 0; i < 8; i++)
		outb(m, ports[i], (uint8_t)(0x10 + i));
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(inb(m, ports[i]), 0x10 + i);
	machine_free(m);
}
