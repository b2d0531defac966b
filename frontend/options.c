/* Command-line parsing (see options.h). */
#include "frontend/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum {
	OPT_BIOS = 256, OPT_VGABIOS, OPT_DEBUGCON, OPT_FWLOG, OPT_SERIAL, OPT_DUMP_SCREEN,
	OPT_MAX_INSNS, OPT_HEADLESS, OPT_VERSION,
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
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see popek --help)", argv[optind]);
		return -1;
	}
	return 0;
}
