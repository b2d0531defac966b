/* Command line of the popek program. Option names follow QEMU's where QEMU
 * has one, so that users' scripts carry over. */
#ifndef POPEK_OPTIONS_H
#define POPEK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devices/blockdev.h"

/* Exit statuses (also in --help and the README). */
#define EXIT_GUEST_HALTED 0 /* HLT with interrupts off, or power-off */
#define EXIT_USAGE 2        /* bad option, unreadable or invalid file */
#define EXIT_INSN_LIMIT 4   /* --max-insns reached: a runaway guest */
#define EXIT_DEADLOCK 6     /* HLT with interrupts on but nothing to wake the CPU */
/* A write of V to port 0xF4 exits with (V << 1) | 1: always odd. */

struct options {
	const char *bios;
	const char *vgabios;
	const char *debugcon;
	const char *firmware_log;
	const char *serial;
	const char *dump_screen;
	const char *drive[DRIVE_COUNT];   /* --hda..--hdd, --fda, --fdb */
	const char *cdrom;                /* --cdrom: the secondary master (hdc) */
	const char *overlay[DRIVE_COUNT]; /* --overlay DRIVE=FILE */
	bool read_only[DRIVE_COUNT];      /* --read-only DRIVE */
	bool snapshot;                    /* --snapshot */
	unsigned boot_order[4];           /* --boot: 1 floppy, 2 hard disk, 3 CD-ROM */
	int64_t rtc_start;                /* --rtc base=...: RTC start, seconds since the epoch */
	uint64_t max_insns;
	uint32_t ram_mb;
	bool headless;
	bool help;
	bool version;
};

/* --rtc's argument: base=utc (host time), base=localtime (host local
 * time), or base=YYYY-MM-DDTHH:MM:SS (fixed, UTC), as QEMU's -rtc base=.
 * Without --rtc the clock starts at 2000-01-01 00:00:00, so runs repeat.
 * Returns 0, or -1 with a message in err. */
int options_parse_rtc(const char *arg, int64_t *start, char *err, size_t errlen);

/* Returns 0, or -1 with a one-line message in err. */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);
void options_usage(FILE *out);

#endif
