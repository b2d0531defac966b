/*
 * Runs one SingleStepTests test on a fresh bare machine, as
 * shared/testdata/README.md "How a test runs" describes: 16 MiB of RAM with
 * A20 on, INIT RAM and registers loaded (real-mode segment caches), run to
 * the HLT after the instruction (or at the injected handler), then compare
 * every register (FINA lists changed ones only), the upper halves popek has
 * and a 286 lacks (must stay 0), the FINA RAM bytes and the INIT RAM bytes
 * FINA leaves alone. FLAGS, and the FLAGS word at the EXCP address, are
 * masked by ss_flags_mask (metadata.json plus ss_skip.c).
 * Known deviation: the 640 KiB-1 MiB hole is plain RAM here, as on the
 * capture rig, not the PC's ROM and video areas.
 */
#include "tests/ss_run.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"
#include "cpu/interrupt.h"
#include "devices/machine.h"

/* Instructions a test may take: the instruction (each REP iteration counts
 * once, at most CX of them), an exception delivery, the HLT; a runaway
 * stops soon after. */
#define SS_BUDGET_SLACK 64u
#define SS_ADDR_MASK 0xFFFFFFu /* the 286's 24-bit physical address bus */
#define SS_MAX_DIFFS 8

/* popek register slot of each MOO register: GPR index or segment. */
static const struct {
	bool seg;
	uint8_t n;
} reg_slot[MOO_NREGS] = {
	[MOO_AX] = { false, R_EAX }, [MOO_BX] = { false, R_EBX }, [MOO_CX] = { false, R_ECX },
	[MOO_DX] = { false, R_EDX }, [MOO_CS] = { true, S_CS },   [MOO_SS] = { true, S_SS },
	[MOO_DS] = { true, S_DS },   [MOO_ES] = { true, S_ES },   [MOO_SP] = { false, R_ESP },
	[MOO_BP] = { false, R_EBP }, [MOO_SI] = { false, R_ESI }, [MOO_DI] = { false, R_EDI },
};

static bool is_prefix_286(uint8_t b)
{
	return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0xF0 || b == 0xF2 ||
	       b == 0xF3;
}

void ss_insn_info(const struct ss_suite *s, const struct moo_test *t, struct ss_insn_info *ii)
{
	*ii = (struct ss_insn_info){ .len = DECODE_NEED_MORE };
	unsigned n = 0;
	while (n < t->nbytes && is_prefix_286(t->bytes[n])) {
		ii->lock |= t->bytes[n] == 0xF0;
		ii->rep |= t->bytes[n] == 0xF2 || t->bytes[n] == 0xF3;
		n++;
	}
	ii->nprefix = n;
	ii->opcode = n < t->nbytes ? t->bytes[n] : 0x90;
	const struct ss_op_meta *op = &s->ops[ii->opcode & 0xFF];
	ii->meta = &op->top;
	if (n + 1 < t->nbytes)
		ii->reg = (t->bytes[n + 1] >> 3) & 7;
	if (op->has_reg)
		ii->meta = &op->reg[ii->reg];
	struct insn in;
	const struct opdesc *d = NULL;
	ii->len = decode_insn(t->bytes, t->nbytes, false, &in, &d);
	/* The 386's LOCK rule: a D_LOCK row with a memory operand. */
	ii->lockable_386 = ii->len > 0 && d && (d->flags & D_LOCK) && d->kind != K_OP &&
			   (in.modrm >> 6) != 3;
}

struct diffs {
	char *buf;
	size_t len, used;
	unsigned n;
};

static void diff(struct diffs *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void diff(struct diffs *d, const char *fmt, ...)
{
	if (d->n++ >= SS_MAX_DIFFS || d->used + 1 >= d->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(d->buf + d->used, d->len - d->used, fmt, ap);
	va_end(ap);
	if (w > 0)
		d->used += (size_t)w < d->len - d->used ? (size_t)w : d->len - d->used - 1;
}

static void zero_bytes(struct memmap *mem, const struct moo_state *st)
{
	static const uint8_t zero = 0;
	for (uint32_t k = 0; k < st->nram; k++) {
		uint32_t a;
		uint8_t v;
		moo_ram_at(st, k, &a, &v);
		memmap_write(mem, a & SS_ADDR_MASK, &zero, 1);
	}
}

/* One machine serves every test: a reset plus scrubbing the bytes a test
 * lists gives each test the state of a fresh machine at every address it
 * reads or is compared on, at a fraction of the cost of a new machine. */
static struct machine *test_machine(struct ss_suite *s, char *err, size_t errlen)
{
	if (s->m) {
		machine_reset(s->m);
		return s->m;
	}
	struct machine_config cfg = { .ram_size = 16u << 20, .bare = true };
	s->m = machine_new(&cfg, err, errlen);
	/* The capture rig has RAM everywhere; a bare machine leaves a hole here. */
	if (s->m)
		memmap_map_ram(machine_mem(s->m), 0xA0000, 0x60000);
	return s->m;
}

static void load_state(struct machine *m, const struct moo_test *t)
{
	struct cpu *c = machine_cpu(m);
	struct memmap *mem = machine_mem(m);
	zero_bytes(mem, &t->fina);
	for (uint32_t k = 0; k < t->init.nram; k++) {
		uint32_t a;
		uint8_t v;
		moo_ram_at(&t->init, k, &a, &v);
		memmap_write(mem, a & SS_ADDR_MASK, &v, 1);
	}
	if (ss_ss_overrun_is_gp(t)) {
		uint8_t vec13[4];
		memmap_read(mem, 13 * 4, vec13, 4);
		memmap_write(mem, 12 * 4, vec13, 4);
	}
	const uint16_t *r = t->init.regs;
	for (unsigned n = 0; n < MOO_IP; n++) {
		if (reg_slot[n].seg)
			seg_load_real(c, reg_slot[n].n, r[n]);
		else
			c->r[reg_slot[n].n].d = r[n];
	}
	c->eip = r[MOO_IP];
	c->eflags = ss_init_flags(r[MOO_FLAGS]);
	c->lf.kind = LF_NONE;
	cpu_kick(c);
}

static uint16_t expected_reg(const struct moo_test *t, unsigned n)
{
	return (t->fina.mask & (1u << n)) ? t->fina.regs[n] : t->init.regs[n];
}

static void compare_regs(struct machine *m, const struct moo_test *t, uint16_t fmask,
			 struct diffs *d)
{
	struct cpu *c = machine_cpu(m);
	for (unsigned n = 0; n < MOO_IP; n++) {
		const uint8_t k = reg_slot[n].n;
		uint32_t got = reg_slot[n].seg ? c->seg[k].sel : c->r[k].d;
		if (got != expected_reg(t, n))
			diff(d, " %s expected %04x got %04x%s;", moo_reg_name(n), expected_reg(t, n),
			     got & 0xFFFF, got >> 16 ? " (upper half set)" : "");
	}
	if (c->eip != expected_reg(t, MOO_IP))
		diff(d, " ip expected %04x got %04x;", expected_reg(t, MOO_IP), c->eip);
	uint16_t want = expected_reg(t, MOO_FLAGS) & fmask;
	uint16_t got = (uint16_t)cpu_get_eflags(c) & fmask;
	if (got != want)
		diff(d, " flags expected %04x got %04x (mask %04x);", want, got, fmask);
}

static bool in_fina(const struct moo_test *t, uint32_t addr)
{
	for (uint32_t k = 0; k < t->fina.nram; k++) {
		uint32_t a;
		uint8_t v;
		moo_ram_at(&t->fina, k, &a, &v);
		if ((a & SS_ADDR_MASK) == addr)
			return true;
	}
	return false;
}

/* Physical address of the FLAGS word an exception or INT pushed. The
 * captures give it rounded down to even when SP is odd (the 286 bus's word
 * address), so the final frame (FLAGS at SS:SP+4) decides when it agrees. */
static uint32_t pushed_flags_addr(const struct moo_test *t)
{
	uint32_t ss = expected_reg(t, MOO_SS), sp = expected_reg(t, MOO_SP);
	uint32_t frame = ((ss << 4) + ((sp + 4) & 0xFFFF)) & SS_ADDR_MASK;
	uint32_t at = t->excp_flags_addr & SS_ADDR_MASK;
	return (frame & ~1u) == (at & ~1u) ? frame : at;
}

/* The byte mask for addr: the FLAGS word an exception pushed is masked too. */
static uint8_t byte_mask(const struct moo_test *t, uint32_t addr, uint16_t fmask)
{
	if (!t->has_excp)
		return 0xFF;
	uint32_t at = pushed_flags_addr(t);
	if (addr == at)
		return (uint8_t)fmask;
	if (addr == ((at + 1) & SS_ADDR_MASK))
		return (uint8_t)(fmask >> 8);
	return 0xFF;
}

static void compare_byte(struct machine *m, const struct moo_test *t, uint32_t addr,
			 uint8_t want, uint16_t fmask, struct diffs *d)
{
	uint8_t got;
	memmap_read(machine_mem(m), addr, &got, 1);
	uint8_t bm = byte_mask(t, addr, fmask);
	if ((got & bm) != (want & bm))
		diff(d, " ram[%06x] expected %02x got %02x;", addr, want, got);
}

static void compare_ram(struct machine *m, const struct moo_test *t, uint16_t fmask,
			struct diffs *d)
{
	for (uint32_t k = 0; k < t->fina.nram; k++) {
		uint32_t a;
		uint8_t v;
		moo_ram_at(&t->fina, k, &a, &v);
		compare_byte(m, t, a & SS_ADDR_MASK, v, fmask, d);
	}
	for (uint32_t k = 0; k < t->init.nram; k++) {
		uint32_t a;
		uint8_t v;
		moo_ram_at(&t->init, k, &a, &v);
		a &= SS_ADDR_MASK;
		if (!in_fina(t, a))
			compare_byte(m, t, a, v, fmask, d);
	}
}

static const char *stop_name(enum machine_stop st)
{
	switch (st) {
	case MACHINE_INSN_LIMIT: return "instruction budget ran out";
	case MACHINE_DEBUG_EXIT: return "debug exit";
	case MACHINE_POWEROFF: return "power-off";
	default: return "stopped";
	}
}

enum ss_result ss_run_test(struct ss_suite *s, const struct moo_test *t, char *why,
			   size_t whylen)
{
	struct ss_insn_info ii;
	ss_insn_info(s, t, &ii);
	why[0] = 0;
	if (ss_revoked(s, t)) {
		snprintf(why, whylen, "revoked");
		return SS_SKIP;
	}
	const char *skip = ss_skip_reason(&ii, t);
	if (skip) {
		snprintf(why, whylen, "%s", skip);
		return SS_SKIP;
	}
	char err[256];
	struct machine *m = test_machine(s, err, sizeof(err));
	if (!m) {
		snprintf(why, whylen, " cannot create a machine: %s", err);
		return SS_FAIL;
	}
	load_state(m, t);
	struct diffs d = { why, whylen, 0, 0 };
	enum machine_stop st = machine_run(m, machine_cpu(m)->icount + SS_BUDGET_SLACK +
						  (ii.rep ? t->init.regs[MOO_CX] : 0));
	uint16_t fmask = ss_flags_mask(&ii);
	if (st != MACHINE_HALTED && st != MACHINE_IDLE_DEADLOCK)
		diff(&d, " did not reach HLT: %s;", stop_name(st));
	compare_regs(m, t, fmask, &d);
	compare_ram(m, t, fmask, &d);
	if (d.n > SS_MAX_DIFFS)
		diff(&d, " ...");
	zero_bytes(machine_mem(m), &t->init);
	zero_bytes(machine_mem(m), &t->fina);
	memmap_write(machine_mem(m), 12 * 4, "\0\0\0\0", 4);
	return d.n ? SS_FAIL : SS_PASS;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static void count_skip(struct ss_totals *tot, const char *why)
{
	tot->skipped++;
	for (unsigned r = 0; r < SS_MAX_REASONS; r++) {
		if (!tot->reason[r][0]) {
			size_t n = strlen(why);
			if (n >= sizeof(tot->reason[r]))
				n = sizeof(tot->reason[r]) - 1;
			memcpy(tot->reason[r], why, n);
			tot->reason[r][n] = 0;
			tot->by_reason[r] = 1;
			return;
		}
		if (!strcmp(tot->reason[r], why)) {
			tot->by_reason[r]++;
			return;
		}
	}
}

long ss_run_file(struct ss_suite *s, const char *path, struct ss_totals *tot, FILE *out)
{
	struct moo_file f;
	char err[512];
	if (moo_load(path, &f, err, sizeof(err)) < 0) {
		fprintf(out, "%s: %s\n", base_name(path), err);
		moo_free(&f);
		tot->failed++;
		return -1;
	}
	long failed = 0;
	for (uint32_t n = 0; n < f.ntests; n++) {
		const struct moo_test *t = &f.tests[n];
		char why[1024], hash[41];
		switch (ss_run_test(s, t, why, sizeof(why))) {
		case SS_PASS: tot->passed++; break;
		case SS_SKIP: count_skip(tot, why); break;
		case SS_FAIL:
			tot->failed++;
			failed++;
			moo_hash_hex(t, hash);
			fprintf(out, "%s #%u \"%.*s\" %s:%s\n", base_name(path), t->index,
				(int)t->name_len, t->name, hash, why);
			break;
		}
	}
	moo_free(&f);
	return failed;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_moo_name(const char *name)
{
	size_t n = strlen(name);
	return n > 7 && !strcmp(name + n - 7, ".MOO.gz");
}

char **ss_list_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	*count = 0;
	if (!d)
		return NULL;
	char **names = NULL;
	size_t cap = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (!is_moo_name(e->d_name))
			continue;
		if (*count == cap) {
			cap = cap * 2 + 64;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *p = malloc(len);
		if (!p)
			break;
		snprintf(p, len, "%s/%s", dir, e->d_name);
		names[(*count)++] = p;
	}
	closedir(d);
	if (*count)
		qsort(names, *count, sizeof(*names), cmp_names);
	return names;
}

void ss_free_list(char **names, size_t count)
{
	for (size_t n = 0; n < count; n++)
		free(names[n]);
	free(names);
}
