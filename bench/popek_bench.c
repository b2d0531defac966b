/*
 * Stand-in benchmark loader: runs the ../shared/bench guest payload on a
 * popek PC without BIOS disk services. It does what the benchmark's boot
 * sector (shared/bench/src/boot.asm) does once its payload is loaded: the
 * payload goes to 0x10000, the parameter block ('BPRM', iterations, flags)
 * to 0x7C00+0x1B0, and a small real-mode stub loads a flat GDT, sets CR0.PE
 * and enters the payload at 08:10000 with flat 4 GiB segments,
 * ESP = 0x90000 and EAX pointing at the parameter block, interrupts off.
 * A20 is on from machine_new. The guest's port-0xE9 stream is copied to
 * stdout; the BENCH-START and BENCH-END lines are timestamped (host
 * monotonic clock) together with the retired-instruction count, and a
 * last line reports the instructions and MIPS of the timed workload.
 * Deviation: the BIOS never ran, so devices are in their reset state.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/interrupt.h"
#include "devices/machine.h"
#include "frontend/file.h"

#define PAYLOAD_AT 0x10000u
#define PARAM_AT (0x7C00u + 0x1B0u)
#define STUB_AT 0x7000u
#define GDT_AT 0x6000u
#define MAX_PAYLOAD (0x200000u - PAYLOAD_AT)

struct bench {
	struct machine *m;
	char line[256];
	size_t len;
	double t_start, t_end, cpu_start, cpu_end;
	uint64_t i_start, i_end;
	char end_line[256];
};

static double clock_secs(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double now(void) { return clock_secs(CLOCK_MONOTONIC); }
static double cpu_now(void) { return clock_secs(CLOCK_PROCESS_CPUTIME_ID); }

static void on_line(struct bench *b)
{
	uint64_t icount = machine_cpu(b->m)->icount;
	if (!strncmp(b->line, "BENCH-START", 11)) {
		b->t_start = now();
		b->cpu_start = cpu_now();
		b->i_start = icount;
	} else if (!strncmp(b->line, "BENCH-END", 9)) {
		b->t_end = now();
		b->cpu_end = cpu_now();
		b->i_end = icount;
		snprintf(b->end_line, sizeof(b->end_line), "%s", b->line);
	}
}

static void e9_write(void *opaque, const uint8_t *data, size_t len)
{
	struct bench *b = opaque;
	fwrite(data, 1, len, stdout);
	for (size_t n = 0; n < len; n++) {
		if (data[n] == '\n') {
			b->line[b->len] = 0;
			on_line(b);
			b->len = 0;
		} else if (b->len + 1 < sizeof(b->line)) {
			b->line[b->len++] = (char)data[n];
		}
	}
}

/* Real mode at 0000:7000: lgdt, CR0.PE, far jump to 32-bit code that loads
 * the flat data selectors and jumps to the payload like boot.asm's pm32. */
static const uint8_t stub[] = {
	0xFA,                               /* cli */
	0x31, 0xC0,                         /* xor ax, ax */
	0x8E, 0xD8,                         /* mov ds, ax */
	0x0F, 0x01, 0x16, 0x18, 0x60,       /* lgdt [0x6018] */
	0x0F, 0x20, 0xC0,                   /* mov eax, cr0 */
	0x66, 0x83, 0xC8, 0x01,             /* or eax, 1 */
	0x0F, 0x22, 0xC0,                   /* mov cr0, eax */
	0x66, 0xEA, 0x1C, 0x70, 0x00, 0x00, 0x08, 0x00, /* jmp dword 08:701C */
	/* 701C, 32-bit */
	0x66, 0xB8, 0x10, 0x00,             /* mov ax, 0x10 */
	0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xE0, 0x8E, 0xE8, 0x8E, 0xD0, /* ds es fs gs ss */
	0xBC, 0x00, 0x00, 0x09, 0x00,       /* mov esp, 0x90000 */
	0xB8, 0xB0, 0x7D, 0x00, 0x00,       /* mov eax, 0x7DB0 */
	0xEA, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, /* jmp 08:00010000 */
};

static const uint8_t gdt[] = {
	0, 0, 0, 0, 0, 0, 0, 0,
	0xFF, 0xFF, 0, 0, 0, 0x9A, 0xCF, 0, /* 08: code, flat, 32-bit */
	0xFF, 0xFF, 0, 0, 0, 0x92, 0xCF, 0, /* 10: data, flat */
	0x17, 0, 0x00, 0x60, 0, 0,          /* 6018: limit, base */
};

static int usage(void)
{
	fprintf(stderr, "usage: popek-bench PAYLOAD.bin ITERATIONS [--paging] [--bare] [--max-insns N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	uint32_t iters = (uint32_t)strtoul(argv[2], NULL, 0);
	uint16_t flags = 0;
	bool bare = false;
	uint64_t max_insns = UINT64_MAX;
	for (int a = 3; a < argc; a++) {
		if (!strcmp(argv[a], "--max-insns") && a + 1 < argc)
			max_insns = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--paging"))
			flags |= 1;
		else if (!strcmp(argv[a], "--bare"))
			bare = true;
		else
			return usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	size_t len;
	char lerr[256];
	uint8_t *payload = file_load(argv[1], MAX_PAYLOAD, &len, lerr, sizeof(lerr));
	if (!payload) {
		fprintf(stderr, "popek-bench: %s\n", lerr);
		return 1;
	}
	struct bench *b = calloc(1, sizeof(*b));
	if (!b) {
		fprintf(stderr, "popek-bench: out of memory\n");
		return 1;
	}
	struct machine_config cfg = { .ram_size = 32u << 20, .bare = bare };
	cfg.debugcon = (struct byte_sink){ e9_write, b };
	char err[256];
	b->m = machine_new(&cfg, err, sizeof(err));
	if (!b->m) {
		fprintf(stderr, "popek-bench: %s\n", err);
		return 1;
	}
	/* The guest polls COM1 at 115200 baud between marker characters; with
	 * no UART there it writes to port 0xE9 only, as on an emulator whose
	 * UART transmits instantly, so the timed window holds the workload. */
	ioport_unregister(machine_io(b->m), 0x3F8, 8);
	struct memmap *mem = machine_mem(b->m);
	uint8_t param[16] = { 'B', 'P', 'R', 'M' };
	param[4] = (uint8_t)((len + 511) / 512);
	param[5] = (uint8_t)(((len + 511) / 512) >> 8);
	memcpy(param + 8, &iters, 4);
	memcpy(param + 12, &flags, 2);
	memmap_write(mem, PAYLOAD_AT, payload, len);
	memmap_write(mem, PARAM_AT, param, sizeof(param));
	memmap_write(mem, STUB_AT, stub, sizeof(stub));
	memmap_write(mem, GDT_AT, gdt, sizeof(gdt));
	free(payload);
	struct cpu *c = machine_cpu(b->m);
	seg_load_real(c, S_CS, 0);
	c->eip = STUB_AT;
	double t0 = now();
	enum machine_stop why = machine_run(b->m, max_insns);
	double t1 = now();
	fflush(stdout);
	int rc = 0;
	if (!b->end_line[0]) {
		fprintf(stderr, "popek-bench: no BENCH-END (stop reason %d, eip %08x)\n", (int)why, c->eip);
		rc = 1;
	} else {
		double secs = b->t_end - b->t_start, cpu = b->cpu_end - b->cpu_start;
		uint64_t insns = b->i_end - b->i_start;
		printf("POPEK-BENCH iters=%u paging=%u insns=%llu wall=%.3f cpu=%.3f mips_wall=%.1f mips_cpu=%.1f total_insns=%llu total_wall=%.3f\n",
		       iters, flags & 1u, (unsigned long long)insns, secs, cpu,
		       secs > 0 ? (double)insns / secs / 1e6 : 0.0, cpu > 0 ? (double)insns / cpu / 1e6 : 0.0,
		       (unsigned long long)c->icount, t1 - t0);
	}
	machine_free(b->m);
	free(b);
	return rc;
}
