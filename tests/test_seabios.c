/*
 * Whole-machine boot of the real firmware: Debian's SeaBIOS
 * (/usr/share/seabios/bios.bin) POSTs on the full PC board to its "No
 * bootable device" message. The expected log lines are the ones SeaBIOS
 * prints on QEMU's i440FX board for the same chips (the reference log of
 * qemu-system-i386 -M pc -m 32 with the same bios.bin); lines that depend on
 * what popek lacks (fw_cfg's ACPI and SMBIOS tables, a local APIC) are not
 * asserted. Skipped when the package is not installed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"
#include "devices/vga.h"

#define SEABIOS_PATH "/usr/share/seabios/bios.bin"
#define VGABIOS_PATH "/usr/share/seabios/vgabios-stdvga.bin"
#define SEABIOS_MAX (1u << 20)
/* POST to "No bootable device" takes about 6 million instructions. */
#define POST_BUDGET 40000000ull
#define POST_SLICE 250000ull

struct fwlog {
	char buf[32768];
	size_t len;
};

static void fwlog_write(void *opaque, const uint8_t *data, size_t len)
{
	struct fwlog *log = opaque;
	for (size_t i = 0; i < len && log->len + 1 < sizeof(log->buf); i++)
		log->buf[log->len++] = (char)data[i];
	log->buf[log->len] = 0;
}

static uint8_t *load_image(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = malloc(SEABIOS_MAX);
	*len = buf ? fread(buf, 1, SEABIOS_MAX, f) : 0;
	fclose(f);
	return buf;
}

/* cfg may be NULL; its firmware image and log sink are filled in. */
static struct machine *seabios_machine_cfg(struct fwlog *log, struct machine_config *cfg)
{
	size_t len;
	uint8_t *bios = load_image(SEABIOS_PATH, &len);
	if (!bios)
		cr_skip_test("%s is not installed (package seabios)", SEABIOS_PATH);
	struct machine_config c = { .ram_size = 32u << 20 };
	if (cfg)
		c = *cfg;
	c.bios = bios;
	c.bios_len = len;
	c.firmware_log = (struct byte_sink){ fwlog_write, log };
	char err[256];
	struct machine *m = machine_new(&c, err, sizeof(err));
	free(bios);
	cr_assert_not_null(m, "%s", err);
	return m;
}

static struct machine *seabios_machine(struct fwlog *log)
{
	return seabios_machine_cfg(log, NULL);
}

/* Run in slices until the log shows text or the budget runs out. */
static void run_until_log(struct machine *m, struct fwlog *log, const char *text)
{
	uint64_t start = machine_cpu(m)->icount;
	uint64_t done = start;
	while (!strstr(log->buf, text) && done < start + POST_BUDGET) {
		done += POST_SLICE;
		enum machine_stop why = machine_run(m, done);
		cr_assert_eq(why, MACHINE_INSN_LIMIT, "POST stopped (%d) at %llu; log:\n%s", why,
			     (unsigned long long)done, log->buf);
	}
}

static uint8_t pci_cfg_read8(struct machine *m, unsigned dev_fn, unsigned reg)
{
	ioport_write(machine_io(m), 0xCF8, 0x80000000u | dev_fn << 8 | (reg & 0xFC), 4);
	return (uint8_t)ioport_read(machine_io(m), (uint16_t)(0xCFC + (reg & 3)), 1);
}

static const char *const post_steps[] = {
	"SeaBIOS (version",
	"Found QEMU fw_cfg",
	"QEMU fw_cfg DMA interface supported",
	"qemu/e820: addr 0x0000000000000000 len 0x0000000002000000 [RAM]",
	"=== PCI device probing ===",
	"PCI: init bdf=00:00.0 id=8086:1237", /* 82441FX host bridge */
	"PCI: init bdf=00:01.0 id=8086:7000", /* PIIX3 ISA bridge */
	"PIIX3/PIIX4 init: elcr=00 0c",
	"PCI: init bdf=00:01.1 id=8086:7010", /* PIIX3 IDE */
	"PCI: init bdf=00:01.3 id=8086:7113", /* PIIX4 power management */
	"Using pmtimer",
	"ATA controller 1 at 1f0/3f4/0 (irq 14 dev 9)",
	"ATA controller 2 at 170/374/0 (irq 15 dev 9)",
	"PS2 keyboard initialized", /* 8042 self-test and keyboard reset passed */
	"All threads complete.",
	"e820 map has",
	"  0: 0000000000000000 - 000000000009fc00 = 1 RAM",
	"enter handle_19:",
	"No bootable device.",
};

static void assert_post_steps(const struct fwlog *log)
{
	const char *at = log->buf;
	for (size_t s = 0; s < sizeof(post_steps) / sizeof(post_steps[0]); s++) {
		const char *hit = strstr(at, post_steps[s]);
		cr_assert_not_null(hit, "POST step \"%s\" missing or out of order; log:\n%s",
				   post_steps[s], log->buf);
		at = hit;
	}
}

Test(seabios, post_reaches_no_bootable_device, .timeout = 60)
{
	struct fwlog *log = calloc(1, sizeof(*log));
	struct machine *m = seabios_machine(log);
	run_until_log(m, log, "No bootable device.");
	assert_post_steps(log);
	/* fw_cfg turns the boot menu and the reboot loop off, as on QEMU. */
	cr_assert_null(strstr(log->buf, "Press ESC"), "log:\n%s", log->buf);
	cr_assert_null(strstr(log->buf, "Retrying"), "log:\n%s", log->buf);
	cr_assert_null(strstr(log->buf, "WARNING"), "log:\n%s", log->buf);
	cr_assert_null(strstr(log->buf, "internal error"), "log:\n%s", log->buf);
	machine_free(m);
	free(log);
}

/* A board reset after POST (RESET pin: CPU, chipset and devices, RAM kept)
 * maps the BIOS ROM back at the top of the first MiB, so the firmware runs
 * a complete POST again. */
Test(seabios, post_again_after_a_board_reset, .timeout = 60)
{
	struct fwlog *log = calloc(1, sizeof(*log));
	struct machine *m = seabios_machine(log);
	run_until_log(m, log, "No bootable device.");
	machine_reset(m);
	log->len = 0;
	log->buf[0] = 0;
	run_until_log(m, log, "No bootable device.");
	assert_post_steps(log);
	machine_free(m);
	free(log);
}

/* After POST the F segment is shadowed and write-protected: SeaBIOS leaves
 * PAM0 (82441FX config 0x59) at 0x10, reads from DRAM and writes to the
 * ROM side (440FX data sheet, PAM registers), so a write does not stick. */
Test(seabios, post_write_protects_the_shadowed_bios, .timeout = 60)
{
	struct fwlog *log = calloc(1, sizeof(*log));
	struct machine *m = seabios_machine(log);
	run_until_log(m, log, "No bootable device.");
	cr_assert_eq(pci_cfg_read8(m, 0, 0x59), 0x10);
	struct memmap *mem = machine_mem(m);
	uint32_t before = memmap_load(mem, 0xFFFF0, 1);
	cr_assert_eq(before, 0xEA, "reset vector is a far jump in the shadow copy");
	memmap_store(mem, 0xFFFF0, before ^ 0xFF, 1);
	cr_assert_eq(memmap_load(mem, 0xFFFF0, 1), before);
	machine_free(m);
	free(log);
}

/* Two machines POSTing side by side, interleaved in slices, are at the same
 * virtual time with the same architectural state at every slice. */
Test(seabios, two_machines_post_identically, .timeout = 60)
{
	struct fwlog *log_a = calloc(1, sizeof(*log_a));
	struct fwlog *log_b = calloc(1, sizeof(*log_b));
	struct machine *a = seabios_machine(log_a);
	struct machine *b = seabios_machine(log_b);
	for (uint64_t done = 0; done < 7000000; ) {
		done += 1000000;
		machine_run(a, done);
		machine_run(b, done);
		cr_assert_eq(sched_now(machine_sched(a)), sched_now(machine_sched(b)), "at %llu",
			     (unsigned long long)done);
		cr_assert_eq(machine_state_hash(a), machine_state_hash(b), "at %llu",
			     (unsigned long long)done);
	}
	cr_assert(strstr(log_a->buf, "No bootable device."), "log:\n%s", log_a->buf);
	cr_assert_str_eq(log_a->buf, log_b->buf);
	machine_free(a);
	machine_free(b);
	free(log_a);
	free(log_b);
}

/* ---- booting a floppy: SeaBIOS's INT 13h through the FDC and DMA ---- */

struct mem_disk {
	uint8_t *data;
	uint64_t size;
};

static int mem_disk_read(void *opaque, uint64_t off, void *buf, uint32_t len)
{
	struct mem_disk *d = opaque;
	if (off > d->size || len > d->size - off)
		return -1;
	memcpy(buf, d->data + off, len);
	return 0;
}

/* A 1.44 MB floppy whose boot sector writes "B!" to port 0xE9 and halts. */
static void make_boot_floppy(struct mem_disk *disk)
{
	static const uint8_t boot[] = { 0xB0, 'B', 0xE6, 0xE9, 0xB0, '!', 0xE6, 0xE9, 0xFA, 0xF4 };
	disk->size = 1474560;
	disk->data = calloc(1, disk->size);
	memcpy(disk->data, boot, sizeof(boot));
	disk->data[510] = 0x55;
	disk->data[511] = 0xAA;
}

static struct machine_config floppy_config(struct mem_disk *disk, struct fwlog *con)
{
	struct machine_config cfg = {
		.ram_size = 32u << 20,
		.boot_order = { 1 },
		.debugcon = { fwlog_write, con },
	};
	cfg.drives[DRIVE_FDA] = (struct blockdev){
		.kind = BLOCKDEV_FLOPPY, .size = disk->size, .read_only = true,
		.opaque = disk, .read = mem_disk_read,
	};
	return cfg;
}

Test(seabios, boots_a_floppy_boot_sector, .timeout = 60)
{
	struct mem_disk disk;
	make_boot_floppy(&disk);
	struct fwlog *log = calloc(1, sizeof(*log));
	struct fwlog *con = calloc(1, sizeof(*con));
	struct machine_config cfg = floppy_config(&disk, con);
	struct machine *m = seabios_machine_cfg(log, &cfg);
	enum machine_stop why = machine_run(m, POST_BUDGET);
	cr_assert_eq(why, MACHINE_HALTED, "stop %d; log:\n%s", why, log->buf);
	cr_assert(strstr(log->buf, "Booting from 0000:7c00"), "log:\n%s", log->buf);
	cr_assert_str_eq(con->buf, "B!");
	machine_free(m);
	free(disk.data);
	free(log);
	free(con);
}

/* A 10 MiB ATA disk whose MBR writes "HD" to port 0xE9 and halts: SeaBIOS
 * identifies it on the primary channel and boots it through INT 13h. */
Test(seabios, boots_an_ata_disk_mbr, .timeout = 60)
{
	static const uint8_t mbr[] = { 0xB0, 'H', 0xE6, 0xE9, 0xB0, 'D', 0xE6, 0xE9, 0xFA, 0xF4 };
	struct mem_disk disk = { calloc(1, 10u << 20), 10u << 20 };
	memcpy(disk.data, mbr, sizeof(mbr));
	disk.data[510] = 0x55;
	disk.data[511] = 0xAA;
	struct fwlog *log = calloc(1, sizeof(*log));
	struct fwlog *con = calloc(1, sizeof(*con));
	struct machine_config cfg = {
		.ram_size = 32u << 20,
		.boot_order = { 2 },
		.debugcon = { fwlog_write, con },
	};
	cfg.drives[DRIVE_HDA] = (struct blockdev){
		.kind = BLOCKDEV_DISK, .size = disk.size, .read_only = true,
		.opaque = &disk, .read = mem_disk_read,
	};
	struct machine *m = seabios_machine_cfg(log, &cfg);
	enum machine_stop why = machine_run(m, POST_BUDGET);
	cr_assert_eq(why, MACHINE_HALTED, "stop %d; log:\n%s", why, log->buf);
	cr_assert(strstr(log->buf, "ata0-0: "), "log:\n%s", log->buf);
	cr_assert(strstr(log->buf, "Booting from Hard Disk...\nBooting from 0000:7c00"), "log:\n%s",
		  log->buf);
	cr_assert_str_eq(con->buf, "HD");
	machine_free(m);
	free(disk.data);
	free(log);
	free(con);
}

/* The same floppy boot run in small slices and in one piece ends in the
 * same state: timers (the FDC's among them) fire at their deadlines
 * whatever budget machine_run is given. */
Test(seabios, boot_is_independent_of_run_slicing, .timeout = 60)
{
	struct mem_disk disk;
	make_boot_floppy(&disk);
	struct fwlog *log_a = calloc(1, sizeof(*log_a));
	struct fwlog *log_b = calloc(1, sizeof(*log_b));
	struct fwlog *con = calloc(1, sizeof(*con));
	struct machine_config cfg = floppy_config(&disk, con);
	struct machine *a = seabios_machine_cfg(log_a, &cfg);
	struct machine *b = seabios_machine_cfg(log_b, &cfg);
	const uint64_t end = 8000000;
	for (uint64_t done = 7919; done < end; done += 7919)
		machine_run(a, done);
	machine_run(a, end);
	machine_run(b, end);
	cr_assert_eq(sched_now(machine_sched(a)), sched_now(machine_sched(b)));
	cr_assert_eq(machine_state_hash(a), machine_state_hash(b));
	cr_assert_str_eq(log_a->buf, log_b->buf);
	machine_free(a);
	machine_free(b);
	free(log_a);
	free(log_b);
	free(con);
	free(disk.data);
}

/* With the VGA BIOS as the PCI VGA function's expansion ROM, SeaBIOS runs it
 * and its messages reach the text screen, as the CRTC shows it. */
Test(seabios, screen_shows_no_bootable_device, .timeout = 60)
{
	size_t vga_len = 0;
	uint8_t *vgabios = load_image(VGABIOS_PATH, &vga_len);
	if (!vgabios)
		cr_skip_test("%s is not installed (package seabios)", VGABIOS_PATH);
	struct fwlog *log = calloc(1, sizeof(*log));
	struct machine_config cfg = {
		.ram_size = 32u << 20, .vgabios = vgabios, .vgabios_len = vga_len,
	};
	struct machine *m = seabios_machine_cfg(log, &cfg);
	free(vgabios);
	run_until_log(m, log, "No bootable device.");
	cr_assert(strstr(log->buf, "PCI: Using 00:02.0 for primary VGA"), "log:\n%s", log->buf);
	cr_assert(strstr(log->buf, "Start SeaVGABIOS"), "log:\n%s", log->buf);
	cr_assert(strstr(log->buf, "set VGA mode 3"), "log:\n%s", log->buf);
	struct vga *vga = machine_device(m, "vga");
	cr_assert_not_null(vga);
	char screen[4096];
	unsigned cols, rows;
	vga_text_snapshot(vga, screen, sizeof(screen), &cols, &rows);
	cr_assert_eq(cols, 80);
	cr_assert_eq(rows, 25);
	cr_assert(strstr(screen, "SeaBIOS (version"), "screen:\n%s", screen);
	cr_assert(strstr(screen, "No bootable device."), "screen:\n%s", screen);
	machine_free(m);
	free(log);
}
