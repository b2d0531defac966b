/* The test ROMs (tests/roms/NAME.asm), booted from the reset vector on a bare
 * machine: each must print PASS on the debug console and halt. The
 * protected-mode ROMs (tests/roms/pm_*.asm, on tests/roms/pm.inc) are the
 * pmroms suite; a failed check of theirs writes its code to port 0xF4. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"

struct capture {
	char buf[4096];
	size_t len;
};

static void capture_write(void *opaque, const uint8_t *data, size_t len)
{
	struct capture *cap = opaque;
	for (size_t i = 0; i < len && cap->len + 1 < sizeof(cap->buf); i++)
		cap->buf[cap->len++] = (char)data[i];
	cap->buf[cap->len] = 0;
}

static uint8_t *load_rom(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", TEST_ROM_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = malloc(65536);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

/* Boot ROM name; returns the stop reason, console text in cap. */
static enum machine_stop boot_rom(const char *name, struct capture *cap, int *exit_code)
{
	size_t len;
	uint8_t *rom = load_rom(name, &len);
	if (!rom)
		cr_skip_test("%s not built (nasm missing?)", name);
	struct machine_config cfg = {
		.ram_size = 16u << 20, .bare = true, .bios = rom, .bios_len = len,
		.debugcon = { capture_write, cap },
	};
	char err[256];
	struct machine *m = machine_new(&cfg, err, sizeof(err));
	free(rom);
	cr_assert_not_null(m, "%s", err);
	enum machine_stop why = machine_run(m, 50000000);
	*exit_code = machine_exit_code(m);
	machine_free(m);
	return why;
}

Test(roms, hello_prints_and_halts)
{
	struct capture cap = { 0 };
	int code;
	cr_assert_eq(boot_rom("hello.rom", &cap, &code), MACHINE_HALTED, "console: %s", cap.buf);
	cr_assert(strstr(cap.buf, "hello from the reset vector"), "console: %s", cap.buf);
	cr_assert(strstr(cap.buf, "PASS"));
}

Test(roms, realmode_battery_passes)
{
	struct capture cap = { 0 };
	int code = 0;
	enum machine_stop why = boot_rom("realmode.rom", &cap, &code);
	cr_assert_eq(why, MACHINE_HALTED, "stop %d, exit code %d (failed check %d), console: %s", why,
		     code, code >> 1, cap.buf);
	cr_assert(strstr(cap.buf, "PASS"), "console: %s", cap.buf);
}

/* ---- protected-mode ROMs ---- */

static void pm_rom_passes(const char *name)
{
	struct capture cap = { 0 };
	int code;
	enum machine_stop why = boot_rom(name, &cap, &code);
	cr_assert_eq(why, MACHINE_HALTED, "%s: stop %d, failed check %d, console: %s", name, why,
		     code >> 1, cap.buf);
	cr_assert(strstr(cap.buf, "PASS"), "%s: console: %s", name, cap.buf);
}

Test(pmroms, basic_segments_limits_and_real_mode_round_trip) { pm_rom_passes("pm_basic.rom"); }
Test(pmroms, rings_gates_tss_stack_switch_and_unprivileged_insns) { pm_rom_passes("pm_rings.rom"); }
Test(pmroms, paging_faults_restart_ad_bits_invlpg_pse_rep_movs) { pm_rom_passes("pm_paging.rom"); }
Test(pmroms, v86_iret_entry_frame_iopl_monitor_and_io_bitmap) { pm_rom_passes("pm_v86.rom"); }
Test(pmroms, exceptions_debug_traps_double_fault_task_and_triple_fault_reset) { pm_rom_passes("pm_exc.rom"); }
