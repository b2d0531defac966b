/* Command-line parsing (see options.h). */
/* timegm, localtime_r and tm_gmtoff */
#define _DEFAULT_SOURCE
#include "frontend/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"

enum {
	OPT_BIOS = 256, OPT_VGABIOS, OPT_DEBUGCON, OPT_FWLOG, OPT_SERIAL, OPT_DUMP_SCREEN,
	OPT_MAX_INSNS, OPT_HEADLESS, OPT_VERSION,
	OPT_HDA, OPT_HDB, OPT_HDC, OPT_HDD, OPT_FDA, OPT_FDB, /* in DRIVE_* order */
	OPT_CDROM, OPT_BOOT, OPT_SNAPSHOT, OPT_OVERLAY, OPT_READ_ONLY, OPT_RTC,
};

static const struct option long_options[] = {
	{ "bios", required_argument, NULL, OPT_BIOS },
	{ "vgabios", required_argument, NULL, OPT_VGABIOS },
	{ "debugcon", required_argument, NULL, OPT_DEBUGCON },
	{ "firmware-log", required_argument, NULL, OPT_FWLOG },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "dump-screen", required_argument, NULL, OPT_DUMP_SCREEN },
	{ "max-insns", required_argument, NULL, OPT_MAX_INSNS },
	{ "memory", required_argument, NULL, 'm' },
	{ "headless", no_argument, NULL, OPT_HEADLESS },
	{ "hda", required_argument, NULL, OPT_HDA },
	{ "hdb", required_argument, NULL, OPT_HDB },
	{ "hdc", required_argument, NULL, OPT_HDC },
	{ "hdd", required_argument, NULL, OPT_HDD },
	{ "fda", required_argument, NULL, OPT_FDA },
	{ "fdb", required_argument, NULL, OPT_FDB },
	{ "cdrom", required_argument, NULL, OPT_CDROM },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "snapshot", no_argument, NULL, OPT_SNAPSHOT },
	{ "overlay", required_argument, NULL, OPT_OVERLAY },
	{ "read-only", required_argument, NULL, OPT_READ_ONLY },
	{ "rtc", required_argument, NULL, OPT_RTC },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *out)
{
	fprintf(out,
		"Usage: popek [OPTION]...\n"
		"A Bochs-style x86 PC emulator: a fetch-decode-execute interpreter.\n\n"
		"  --bios FILE          BIOS ROM image (default %s)\n"
		"  --vgabios FILE       VGA BIOS image (default %s)\n"
		"  -m, --memory MB      guest RAM in MiB (default 32)\n"
		"  --debugcon DEV       port 0xE9 output: stdio, null, file:PATH (default none)\n"
		"  --firmware-log DEV   port 0x402 output (SeaBIOS debug log), same forms\n"
		"  --serial DEV         COM1: stdio, null, file:PATH\n"
		"  --dump-screen FILE   write the text screen to FILE when the run ends\n"
		"  --hda/--hdb/--hdc/--hdd FILE  raw hard disk image (ATA primary/secondary)\n"
		"  --cdrom FILE         CD-ROM image (secondary master, instead of --hdc)\n"
		"  --fda/--fdb FILE     floppy image (160K to 2.88M, format from the size)\n"
		"  --boot ORDER         boot order, QEMU letters: a floppy, c disk, d CD-ROM\n"
		"                       (--boot d, --boot order=dc)\n"
		"  --rtc base=WHEN      RTC start: utc, localtime (host clock) or\n"
		"                       YYYY-MM-DDTHH:MM:SS (default 2000-01-01T00:00:00)\n"
		"  --snapshot           drives without --overlay write to temporary overlays\n"
		"                       discarded at exit: their images stay unchanged\n"
		"  --overlay DRIVE=FILE keep DRIVE's writes (hda...fdb) in FILE, a popek\n"
		"                       copy-on-write overlay (created when missing)\n"
		"  --read-only DRIVE    the guest may not write to DRIVE\n"
		"  --headless           no window\n"
		"  --max-insns N        stop after N guest instructions\n"
		"  -h, --help           this help\n"
		"  --version            version\n\n"
		"Exit status: 0 guest halted with interrupts off (or powered off); 2 bad usage\n"
		"or input; 4 --max-insns reached; 6 guest halted with nothing to wake it;\n"
		"(V << 1) | 1 when the guest writes V to port 0xF4 (QEMU isa-debug-exit).\n",
		POPEK_DEFAULT_BIOS, POPEK_DEFAULT_VGABIOS);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static const char *const drive_names[DRIVE_COUNT] = { "hda", "hdb", "hdc", "hdd", "fda", "fdb" };

static int drive_index(const char *name, size_t len)
{
	for (int n = 0; n < DRIVE_COUNT; n++)
		if (strlen(drive_names[n]) == len && !strncmp(drive_names[n], name, len))
			return n;
	if (len == 5 && !strncmp(name, "cdrom", 5))
		return DRIVE_HDC;
	return -1;
}

/* QEMU's -boot: "d", "order=dc", "order=cd,menu=on" (other keys refused). */
static int parse_boot(struct options *o, const char *arg, char *err, size_t errlen)
{
	const char *order = arg;
	size_t len = strcspn(arg, ",");
	if (!strncmp(arg, "order=", 6)) {
		order = arg + 6;
		len -= 6;
	} else if (strchr(arg, '=')) {
		snprintf(err, errlen, "--boot: only order=... is supported, not '%s'", arg);
		return -1;
	}
	for (const char *p = arg + strcspn(arg, ","); *p; p += strcspn(p + 1, ",") + 1)
		if (strncmp(p + 1, "menu=", 5)) {
			snprintf(err, errlen, "--boot: unsupported setting in '%s'", arg);
			return -1;
		}
	if (len == 0 || len > 3) {
		snprintf(err, errlen, "--boot needs 1 to 3 of the letters a, c, d, not '%s'", arg);
		return -1;
	}
	memset(o->boot_order, 0, sizeof(o->boot_order));
	for (size_t k = 0; k < len; k++) {
		const char *at = strchr("acd", order[k]);
		unsigned dev = at && order[k] ? (unsigned)(at - "acd") + 1 : 0;
		for (size_t j = 0; j < k; j++)
			if (o->boot_order[j] == dev)
				dev = 0;
		if (!dev) {
			snprintf(err, errlen, "--boot: '%c' is not a, c or d, or is repeated", order[k]);
			return -1;
		}
		o->boot_order[k] = dev;
	}
	return 0;
}

static int parse_drive_option(struct options *o, int c, const char *arg, char *err, size_t errlen)
{
	if (c == OPT_READ_ONLY) {
		int n = drive_index(arg, strlen(arg));
		if (n < 0) {
			snprintf(err, errlen, "--read-only needs a drive (hda...hdd, cdrom, fda, fdb), not '%s'", arg);
			return -1;
		}
		o->read_only[n] = true;
		return 0;
	}
	const char *eq = strchr(arg, '=');
	int n = eq ? drive_index(arg, (size_t)(eq - arg)) : -1;
	if (n < 0 || !eq[1]) {
		snprintf(err, errlen, "--overlay needs DRIVE=FILE (DRIVE: hda...hdd, fda, fdb), not '%s'", arg);
		return -1;
	}
	o->overlay[n] = eq + 1;
	return 0;
}

/* The only place popek reads the host clock: on request, for the RTC. */
int options_parse_rtc(const char *arg, int64_t *start, char *err, size_t errlen)
{
	const char *v = !strncmp(arg, "base=", 5) ? arg + 5 : arg;
	time_t now = time(NULL);
	struct tm tm = { 0 };
	int y, mo, d, h, mi, se;
	char tail;
	if (!strcmp(v, "utc")) {
		*start = (int64_t)now;
	} else if (!strcmp(v, "localtime")) {
		localtime_r(&now, &tm);
		*start = (int64_t)now + tm.tm_gmtoff;
	} else if (sscanf(v, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &tail) == 6 &&
		   y >= 1970 && y <= 2099 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 &&
		   h <= 23 && mi >= 0 && mi <= 59 && se >= 0 && se <= 59) {
		tm = (struct tm){ .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
				  .tm_hour = h, .tm_min = mi, .tm_sec = se };
		*start = (int64_t)timegm(&tm);
	} else {
		snprintf(err, errlen, "--rtc needs base=utc, base=localtime or base=YYYY-MM-DDTHH:MM:SS, not '%s'", arg);
		return -1;
	}
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	*o = (struct options){ .bios = POPEK_DEFAULT_BIOS, .ram_mb = 32 };
	uint64_t v;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":m:h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_BIOS: o->bios = optarg; break;
		case OPT_VGABIOS: o->vgabios = optarg; break;
		case OPT_DEBUGCON: o->debugcon = optarg; break;
		case OPT_FWLOG: o->firmware_log = optarg; break;
		case OPT_SERIAL: o->serial = optarg; break;
		case OPT_DUMP_SCREEN: o->dump_screen = optarg; break;
		case OPT_HEADLESS: o->headless = true; break;
		case OPT_VERSION: o->version = true; break;
		case 'h': o->help = true; break;
		case OPT_HDA: case OPT_HDB: case OPT_HDC: case OPT_HDD: case OPT_FDA: case OPT_FDB:
			o->drive[c - OPT_HDA] = optarg;
			break;
		case OPT_CDROM: o->cdrom = optarg; break;
		case OPT_SNAPSHOT: o->snapshot = true; break;
		case OPT_RTC:
			if (options_parse_rtc(optarg, &o->rtc_start, err, errlen) < 0)
				return -1;
			break;
		case OPT_BOOT:
			if (parse_boot(o, optarg, err, errlen) < 0)
				return -1;
			break;
		case OPT_OVERLAY: case OPT_READ_ONLY:
			if (parse_drive_option(o, c, optarg, err, errlen) < 0)
				return -1;
			break;
		case OPT_MAX_INSNS:
			if (parse_u64(optarg, &v) < 0 || v == 0) {
				snprintf(err, errlen, "--max-insns needs a positive number, not '%s'", optarg);
				return -1;
			}
			o->max_insns = v;
			break;
		case 'm': {
			const char *s = optarg;
			char buf[32];
			size_t n = strlen(s);
			/* QEMU accepts a trailing M; G is for the brave. */
			if (n > 0 && n < sizeof(buf) && (s[n - 1] == 'M' || s[n - 1] == 'm')) {
				memcpy(buf, s, n - 1);
				buf[n - 1] = 0;
				s = buf;
			}
			if (parse_u64(s, &v) < 0 || v < 1 || v > 3584) {
				snprintf(err, errlen, "--memory needs 1 to 3584 MiB, not '%s'", optarg);
				return -1;
			}
			o->ram_mb = (uint32_t)v;
			break;
		}
		case ':':
			snprintf(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option '%s' (see popek --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (o->cdrom && o->drive[DRIVE_HDC]) {
		snprintf(err, errlen, "--cdrom and --hdc both want the secondary master");
		return -1;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see popek --help)", argv[optind]);
		return -1;
	}
	return 0;
}
