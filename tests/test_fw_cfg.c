/*
 * QEMU's fw_cfg device through its ports, against QEMU's specification
 * (docs/specs/fw_cfg.rst): selector 0x510, data 0x511, items as QEMU gives
 * them to a one-CPU PC.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/devtm.h"

#define SEL 0x510
#define DATA 0x511
#define DMA_LOW 0x518
#define ACC 0x1000   /* access structure in guest RAM */
#define BUF 0x2000   /* DMA buffer */

static void fw_select(struct devtm *t, uint16_t key)
{
	ioport_write(machine_io(t->m), SEL, key, 2);
}

static void fw_read(struct devtm *t, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = devtm_in(t, DATA);
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static uint64_t be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The selector of the named file from the directory (item 0x19), or 0. */
static uint16_t find_file(struct devtm *t, const char *name, uint32_t *size)
{
	uint8_t e[64];
	fw_select(t, 0x19);
	fw_read(t, e, 4);
	uint32_t count = (uint32_t)be(e, 4);
	for (uint32_t i = 0; i < count && i < 64; i++) {
		fw_read(t, e, 64);
		if (!strncmp((const char *)e + 8, name, 56)) {
			*size = (uint32_t)be(e, 4);
			return (uint16_t)be(e + 4, 2);
		}
	}
	return 0;
}

Test(fw_cfg, signature_is_qemu_then_zeros)
{
	struct devtm *t = devtm_new(NULL);
	uint8_t b[6];
	fw_select(t, 0x0000);
	fw_read(t, b, 6);
	cr_assert_eq(memcmp(b, "QEMU", 4), 0);
	cr_assert_eq(b[4], 0, "reads past the end of an item return 0");
	cr_assert_eq(b[5], 0);
	devtm_free(t);
}

Test(fw_cfg, selecting_rewinds_the_item)
{
	struct devtm *t = devtm_new(NULL);
	uint8_t b[4];
	fw_select(t, 0x0000);
	fw_read(t, b, 2);
	fw_select(t, 0x0000);
	fw_read(t, b, 4);
	cr_assert_eq(memcmp(b, "QEMU", 4), 0);
	devtm_free(t);
}

Test(fw_cfg, id_reports_the_traditional_and_dma_interfaces)
{
	struct devtm *t = devtm_new(NULL);
	uint8_t b[4];
	fw_select(t, 0x0001);
	fw_read(t, b, 4);
	cr_assert_eq(le(b, 4), 3, "bit 0 traditional interface, bit 1 DMA");
	devtm_free(t);
}

Test(fw_cfg, ram_size_and_cpu_counts)
{
	struct machine_config cfg = { .ram_size = 64u << 20 };
	struct devtm *t = devtm_new(&cfg);
	uint8_t b[8];
	fw_select(t, 0x0003);
	fw_read(t, b, 8);
	cr_assert_eq(le(b, 8), 64u << 20);
	fw_select(t, 0x0005);
	fw_read(t, b, 2);
	cr_assert_eq(le(b, 2), 1);
	fw_select(t, 0x000F);
	fw_read(t, b, 2);
	cr_assert_eq(le(b, 2), 1);
	devtm_free(t);
}

Test(fw_cfg, write_flag_in_the_selector_still_selects)
{
	struct devtm *t = devtm_new(NULL);
	uint8_t b[4];
	fw_select(t, 0x4000);
	fw_read(t, b, 4);
	cr_assert_eq(memcmp(b, "QEMU", 4), 0);
	devtm_free(t);
}

Test(fw_cfg, arch_local_keys_are_distinct_and_unknown_items_are_empty)
{
	struct devtm *t = devtm_new(NULL);
	uint8_t b[4];
	fw_select(t, 0x8000); /* arch-local 0 (ACPI tables), not the signature */
	fw_read(t, b, 4);
	cr_assert_eq(le(b, 4), 0);
	fw_select(t, 0x3FFF);
	fw_read(t, b, 4);
	cr_assert_eq(le(b, 4), 0);
	devtm_free(t);
}

Test(fw_cfg, e820_file_describes_all_ram)
{
	struct machine_config cfg = { .ram_size = 48u << 20 };
	struct devtm *t = devtm_new(&cfg);
	uint32_t size = 0;
	uint16_t key = find_file(t, "etc/e820", &size);
	cr_assert_geq(key, 0x20, "files are numbered from 0x20");
	cr_assert_eq(size, 20, "one entry: u64 address, u64 length, u32 type");
	uint8_t e[20];
	fw_select(t, key);
	fw_read(t, e, 20);
	cr_assert_eq(le(e, 8), 0);
	cr_assert_eq(le(e + 8, 8), 48u << 20);
	cr_assert_eq(le(e + 16, 4), 1, "type 1 = RAM");
	devtm_free(t);
}

Test(fw_cfg, boot_fail_wait_is_qemus_default_never)
{
	struct devtm *t = devtm_new(NULL);
	uint32_t size = 0;
	uint16_t key = find_file(t, "etc/boot-fail-wait", &size);
	cr_assert_neq(key, 0);
	cr_assert_eq(size, 4);
	uint8_t b[4];
	fw_select(t, key);
	fw_read(t, b, 4);
	cr_assert_eq(le(b, 4), 0xFFFFFFFFu);
	devtm_free(t);
}

Test(fw_cfg, data_port_writes_are_ignored)
{
	struct devtm *t = devtm_new(NULL);
	uint8_t b[4];
	fw_select(t, 0x0000);
	devtm_out(t, DATA, 0x55);
	fw_read(t, b, 4);
	cr_assert_eq(memcmp(b, "QEMU", 4), 0);
	devtm_free(t);
}

/* ---- DMA interface ---- */

static void put_be32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* Write the access structure at ACC and start it the way the guest does:
 * the big-endian address as a 32-bit port value at the low half. */
static uint32_t dma_run(struct devtm *t, uint32_t control, uint32_t len, uint32_t addr)
{
	uint8_t acc[16] = { 0 };
	put_be32(acc, control);
	put_be32(acc + 4, len);
	put_be32(acc + 12, addr);
	struct memmap *mem = machine_mem(t->m);
	memmap_write(mem, ACC, acc, sizeof(acc));
	ioport_write(machine_io(t->m), DMA_LOW, __builtin_bswap32(ACC), 4);
	memmap_read(mem, ACC, acc, 4);
	return (uint32_t)be(acc, 4);
}

Test(fw_cfg, dma_register_reads_its_signature)
{
	struct devtm *t = devtm_new(NULL);
	uint8_t b[8];
	for (unsigned i = 0; i < 8; i++)
		b[i] = devtm_in(t, (uint16_t)(0x514 + i));
	cr_assert_eq(memcmp(b, "QEMU CFG", 8), 0);
	devtm_free(t);
}

Test(fw_cfg, dma_select_and_read_copies_the_item_and_clears_control)
{
	struct devtm *t = devtm_new(NULL);
	/* control: selector 0 in bits 31-16, select (0x08) | read (0x02) */
	cr_assert_eq(dma_run(t, 0x0000000A, 4, BUF), 0);
	uint8_t b[4];
	memmap_read(machine_mem(t->m), BUF, b, 4);
	cr_assert_eq(memcmp(b, "QEMU", 4), 0);
	devtm_free(t);
}

Test(fw_cfg, dma_skip_advances_the_offset)
{
	struct devtm *t = devtm_new(NULL);
	cr_assert_eq(dma_run(t, 0x0000000C, 2, 0), 0, "select | skip 2");
	cr_assert_eq(dma_run(t, 0x00000002, 2, BUF), 0, "read 2");
	uint8_t b[2];
	memmap_read(machine_mem(t->m), BUF, b, 2);
	cr_assert_eq(memcmp(b, "MU", 2), 0);
	devtm_free(t);
}

Test(fw_cfg, dma_reads_the_ram_size_from_the_selected_key)
{
	struct machine_config cfg = { .ram_size = 64u << 20 };
	struct devtm *t = devtm_new(&cfg);
	cr_assert_eq(dma_run(t, 0x0003000A, 8, BUF), 0);
	uint8_t b[8];
	memmap_read(machine_mem(t->m), BUF, b, 8);
	cr_assert_eq(le(b, 8), 64u << 20);
	devtm_free(t);
}

Test(fw_cfg, dma_write_to_a_read_only_item_sets_the_error_bit)
{
	struct devtm *t = devtm_new(NULL);
	cr_assert_eq(dma_run(t, 0x00000018, 4, BUF), 1, "select | write: error");
	devtm_free(t);
}
