/* The popek program: parse options, build the machine, run it, report. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "devices/machine.h"
#include "frontend/chardev.h"
#include "frontend/file.h"
#include "frontend/image.h"
#include "frontend/options.h"
#include "frontend/screen_dump.h"

#define MAX_ROM (16u << 20)

static int fail(const char *msg)
{
	fprintf(stderr, "popek: %s\n", msg);
	return EXIT_USAGE;
}

static int exit_status(struct machine *m, enum machine_stop why)
{
	switch (why) {
	case MACHINE_DEBUG_EXIT: return machine_exit_code(m);
	case MACHINE_INSN_LIMIT:
		fprintf(stderr, "popek: instruction limit reached\n");
		return EXIT_INSN_LIMIT;
	case MACHINE_IDLE_DEADLOCK:
		fprintf(stderr, "popek: guest halted with interrupts enabled and nothing to wake it\n");
		return EXIT_DEADLOCK;
	default: return EXIT_GUEST_HALTED;
	}
}

int main(int argc, char **argv)
{
	struct options o;
	char err[512];
	if (options_parse(&o, argc, argv, err, sizeof(err)) < 0)
		return fail(err);
	if (o.help) {
		options_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("popek %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!o.headless)
		return fail("the SDL window is not built yet: run with --headless");

	struct machine_config cfg = { .ram_size = o.ram_mb << 20, .rtc_start = o.rtc_start };
	size_t bios_len;
	uint8_t *bios = file_load(o.bios, MAX_ROM, &bios_len, err, sizeof(err));
	if (!bios)
		return fail(err);
	cfg.bios = bios;
	cfg.bios_len = bios_len;
	/* The default VGA BIOS is optional; one named on the command line is not. */
	const char *vgabios_path = o.vgabios;
	if (!vgabios_path && access(POPEK_DEFAULT_VGABIOS, R_OK) == 0)
		vgabios_path = POPEK_DEFAULT_VGABIOS;
	uint8_t *vgabios = NULL;
	if (vgabios_path) {
		vgabios = file_load(vgabios_path, MAX_ROM, &cfg.vgabios_len, err, sizeof(err));
		if (!vgabios)
			return fail(err);
		cfg.vgabios = vgabios;
	}

	struct chardev debugcon = { 0 }, fwlog = { 0 }, com1 = { 0 };
	if (o.debugcon && chardev_open(&debugcon, o.debugcon, err, sizeof(err)) < 0)
		return fail(err);
	if (o.firmware_log && chardev_open(&fwlog, o.firmware_log, err, sizeof(err)) < 0)
		return fail(err);
	if (o.serial && chardev_open(&com1, o.serial, err, sizeof(err)) < 0)
		return fail(err);
	cfg.debugcon = chardev_sink(&debugcon);
	cfg.firmware_log = chardev_sink(&fwlog);
	cfg.serial[0] = chardev_sink(&com1);

	struct image *imgs[DRIVE_COUNT];
	if (image_open_drives(&o, &cfg, imgs, stderr, err, sizeof(err)) < 0) {
		free(bios);
		free(vgabios);
		return fail(err);
	}

	struct machine *m = machine_new(&cfg, err, sizeof(err));
	free(bios);
	free(vgabios);
	if (!m) {
		image_close_drives(imgs);
		return fail(err);
	}
	enum machine_stop why = machine_run(m, o.max_insns ? o.max_insns : UINT64_MAX);
	int status = exit_status(m, why);
	if (o.dump_screen && screen_dump_write(m, o.dump_screen, err, sizeof(err)) < 0)
		fprintf(stderr, "popek: %s\n", err);
	machine_free(m);
	if (image_close_drives(imgs) < 0)
		fprintf(stderr, "popek: warning: a disk image could not be written or flushed\n");
	chardev_close(&debugcon);
	chardev_close(&fwlog);
	chardev_close(&com1);
	return status;
}
