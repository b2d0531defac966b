/* The MOO reader on hand-built files: fields, unknown chunks, and every kind
 * of truncation or corrupt length (which must fail cleanly, never read out
 * of bounds: run under the sanitizer build); the runner's comparison, masks
 * and skip rules on hand-built tests. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/moo.h"
#include "tests/ss_run.h"

struct mb {
	uint8_t b[2048];
	size_t n;
	size_t open[8];
	unsigned depth;
};

static void mb_u8(struct mb *m, uint8_t v) { m->b[m->n++] = v; }
static void mb_u16(struct mb *m, uint16_t v)
{
	mb_u8(m, (uint8_t)v);
	mb_u8(m, (uint8_t)(v >> 8));
}
static void mb_u32(struct mb *m, uint32_t v) { mb_u16(m, (uint16_t)v); mb_u16(m, (uint16_t)(v >> 16)); }
static void mb_begin(struct mb *m, const char *type)
{
	memcpy(m->b + m->n, type, 4);
	m->n += 4;
	m->open[m->depth++] = m->n;
	mb_u32(m, 0);
}
static void mb_end(struct mb *m)
{
	size_t at = m->open[--m->depth];
	uint32_t len = (uint32_t)(m->n - at - 4);
	memcpy(m->b + at, &len, 4);
}
static void mb_counted(struct mb *m, const char *type, const void *data, uint32_t len)
{
	mb_begin(m, type);
	mb_u32(m, len);
	memcpy(m->b + m->n, data, len);
	m->n += len;
	mb_end(m);
}

struct ram_rec {
	uint32_t addr;
	uint8_t v;
};

/* REGS with the registers whose bit is set in mask, values from regs[]. */
static void mb_state(struct mb *m, const char *type, uint16_t mask, const uint16_t *regs,
		     const struct ram_rec *ram, uint32_t nram)
{
	mb_begin(m, type);
	mb_begin(m, "REGS");
	mb_u16(m, mask);
	for (unsigned r = 0; r < MOO_NREGS; r++)
		if (mask & (1u << r))
			mb_u16(m, regs[r]);
	mb_end(m);
	mb_begin(m, "RAM ");
	mb_u32(m, nram);
	for (uint32_t k = 0; k < nram; k++) {
		mb_u32(m, ram[k].addr);
		mb_u8(m, ram[k].v);
	}
	mb_end(m);
	mb_end(m);
}

struct spec {
	const char *name;
	const uint8_t *bytes;
	uint32_t nbytes;
	uint16_t init[MOO_NREGS];
	uint16_t fina_mask;
	uint16_t fina[MOO_NREGS];
	const struct ram_rec *fram;
	uint32_t nfram;
	int excp; /* vector, or -1 */
	uint32_t excp_addr;
};

/* A one-test MOO image: code at CS:IP = 0000:0100, SS:SP = 0000:1000, IVT
 * vector 6 -> 0000:0500 where a HLT waits. */
static void build(struct mb *m, const struct spec *sp)
{
	memset(m, 0, sizeof(*m));
	mb_begin(m, "MOO ");
	mb_u8(m, 1);
	mb_u8(m, 0);
	mb_u16(m, 0);
	mb_u32(m, 1);
	memcpy(m->b + m->n, "C286", 4);
	m->n += 4;
	mb_end(m);
	mb_begin(m, "TEST");
	mb_u32(m, 7);
	mb_counted(m, "NAME", sp->name, (uint32_t)strlen(sp->name));
	mb_counted(m, "BYTS", sp->bytes, sp->nbytes);
	mb_counted(m, "GMET", "xyz", 3); /* unknown: skipped */
	struct ram_rec ram[24] = { { 0x18, 0x00 }, { 0x19, 0x05 }, { 0x1A, 0 }, { 0x1B, 0 },
				   { 0x500, 0xF4 } };
	uint32_t nram = 5;
	for (uint32_t k = 0; k < sp->nbytes && nram < 24; k++)
		ram[nram++] = (struct ram_rec){ 0x100 + k, sp->bytes[k] };
	mb_state(m, "INIT", 0x3FFF, sp->init, ram, nram);
	mb_state(m, "FINA", sp->fina_mask, sp->fina, sp->fram, sp->nfram);
	if (sp->excp >= 0) {
		mb_begin(m, "EXCP");
		mb_u8(m, (uint8_t)sp->excp);
		mb_u32(m, sp->excp_addr);
		mb_end(m);
	}
	mb_begin(m, "HASH");
	for (unsigned k = 0; k < 20; k++)
		mb_u8(m, (uint8_t)(0xA0 + k));
	mb_end(m);
	mb_end(m);
}

static uint8_t *find_tag(struct mb *m, const char *tag)
{
	for (size_t at = 0; at + 4 <= m->n; at++)
		if (!memcmp(m->b + at, tag, 4))
			return m->b + at;
	return NULL;
}

static const uint8_t nop_hlt[] = { 0x90, 0xF4 };

static struct spec nop_spec(void)
{
	struct spec sp = { .name = "nop", .bytes = nop_hlt, .nbytes = 2, .excp = -1 };
	sp.init[MOO_IP] = 0x100;
	sp.init[MOO_SP] = 0x1000;
	sp.init[MOO_FLAGS] = 0x0002;
	sp.fina_mask = 1u << MOO_IP;
	sp.fina[MOO_IP] = 0x102; /* one past the HLT */
	return sp;
}

static int parse_copy(const struct mb *m, size_t len, struct moo_file *f, char *err, size_t errlen)
{
	uint8_t *copy = malloc(len ? len : 1);
	cr_assert_not_null(copy);
	memcpy(copy, m->b, len);
	return moo_parse(f, copy, len, err, errlen);
}

Test(moo, parses_every_field_and_skips_unknown_chunks)
{
	struct mb m;
	struct spec sp = nop_spec();
	build(&m, &sp);
	struct moo_file f;
	char err[256];
	cr_assert_eq(parse_copy(&m, m.n, &f, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.ntests, 1);
	cr_assert_str_eq(f.cpu, "C286");
	const struct moo_test *t = &f.tests[0];
	cr_assert_eq(t->index, 7);
	cr_assert_eq(t->name_len, 3);
	cr_assert_eq(memcmp(t->name, "nop", 3), 0);
	cr_assert_eq(t->nbytes, 2);
	cr_assert_eq(t->bytes[1], 0xF4);
	cr_assert_eq(t->init.mask, 0x3FFF);
	cr_assert_eq(t->init.regs[MOO_IP], 0x100);
	cr_assert_eq(t->init.nram, 7);
	uint32_t a;
	uint8_t v;
	moo_ram_at(&t->init, 4, &a, &v);
	cr_assert_eq(a, 0x500);
	cr_assert_eq(v, 0xF4);
	cr_assert_eq(t->fina.mask, 1u << MOO_IP);
	cr_assert_eq(t->fina.regs[MOO_IP], 0x102);
	cr_assert(!t->has_excp);
	char hex[41];
	moo_hash_hex(t, hex);
	cr_assert_str_eq(hex, "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
	moo_free(&f);
}

Test(moo, every_truncation_fails_cleanly)
{
	struct mb m;
	struct spec sp = nop_spec();
	build(&m, &sp);
	for (size_t len = 0; len < m.n; len++) {
		struct moo_file f;
		char err[256] = "";
		cr_assert_eq(parse_copy(&m, len, &f, err, sizeof(err)), -1, "length %zu accepted", len);
		cr_assert_neq(err[0], 0);
		moo_free(&f);
	}
}

Test(moo, corrupt_lengths_are_rejected)
{
	struct mb m;
	struct spec sp = nop_spec();
	build(&m, &sp);
	/* Offsets: MOO chunk 8+12, then TEST header at 20, index at 28, NAME at 32. */
	static const struct {
		size_t at;
		uint32_t v;
	} pokes[] = {
		{ 24, 0xFFFFFFFFu },      /* TEST length past the end */
		{ 36, 0xFFFFFFF0u },      /* NAME length past the end */
		{ 40, 0x7FFFFFFFu },      /* NAME count past its chunk */
		{ 4, 3 },                 /* MOO header too short */
		{ 8 + 4, 2 },             /* declared test count wrong */
	};
	for (size_t p = 0; p < sizeof(pokes) / sizeof(pokes[0]); p++) {
		struct mb bad = m;
		memcpy(bad.b + pokes[p].at, &pokes[p].v, 4);
		struct moo_file f;
		char err[256];
		cr_assert_eq(parse_copy(&bad, bad.n, &f, err, sizeof(err)), -1, "poke %zu accepted", p);
		moo_free(&f);
	}
}

Test(moo, register_mask_beyond_the_chunk_is_rejected)
{
	struct mb m;
	struct spec sp = nop_spec();
	sp.fina_mask = 0x3FFF; /* 14 registers: 30 bytes */
	build(&m, &sp);
	struct moo_file f;
	char err[256];
	cr_assert_eq(parse_copy(&m, m.n, &f, err, sizeof(err)), 0, "%s", err);
	moo_free(&f);
	/* Find FINA's REGS and claim 14 registers in a 2-byte chunk. */
	uint8_t *fina = find_tag(&m, "FINA");
	cr_assert_not_null(fina);
	uint8_t *regs = fina + 8;
	uint32_t two = 2;
	memcpy(regs + 4, &two, 4);
	struct mb bad = m;
	cr_assert_eq(parse_copy(&bad, bad.n, &f, err, sizeof(err)), -1);
	moo_free(&f);
	/* A mask bit past "flags" is corrupt too. */
	build(&m, &sp);
	fina = find_tag(&m, "FINA");
	fina[16 + 1] |= 0x80;
	cr_assert_eq(parse_copy(&m, m.n, &f, err, sizeof(err)), -1);
	moo_free(&f);
}

static void write_gz(const char *path, const struct mb *m)
{
	gzFile gz = gzopen(path, "wb");
	cr_assert_not_null(gz);
	cr_assert_eq(gzwrite(gz, m->b, (unsigned)m->n), (int)m->n);
	gzclose(gz);
}

Test(moo, loads_gzip_files_and_rejects_truncated_ones)
{
	struct mb m;
	struct spec sp = nop_spec();
	build(&m, &sp);
	char path[] = "/tmp/popek-moo-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	write_gz(path, &m);
	struct moo_file f;
	char err[512];
	cr_assert_eq(moo_load(path, &f, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.ntests, 1);
	moo_free(&f);
	/* Cut the compressed stream in half. */
	FILE *fp = fopen(path, "rb");
	uint8_t z[4096];
	size_t zn = fread(z, 1, sizeof(z), fp);
	fclose(fp);
	fp = fopen(path, "wb");
	fwrite(z, 1, zn / 2, fp);
	fclose(fp);
	cr_assert_eq(moo_load(path, &f, err, sizeof(err)), -1);
	moo_free(&f);
	unlink(path);
	cr_assert_eq(moo_load("/nonexistent/x.MOO.gz", &f, err, sizeof(err)), -1);
	moo_free(&f);
}

/* ---- metadata ---- */

static const char meta_json[] =
	"{ \"cpu\": \"286\", \"list\": [1, 2.5, {\"a\": null}], \"opcodes\": {\n"
	"  \"08\": { \"status\": \"normal\", \"flags\": \".....a..\", \"flags-mask\": 65519 },\n"
	"  \"D6\": { \"status\": \"undocumented\", \"arch\": \"v30\" },\n"
	"  \"F6\": { \"reg\": { \"6\": { \"status\": \"normal\", \"flags-mask\": 63274 },\n"
	"                    \"1\": { \"status\": \"alias\" } } },\n"
	"  \"0F01\": { \"reg\": { \"0\": { \"status\": \"normal\" } } } } }";

Test(singlestep_meta, reads_status_and_masks)
{
	struct ss_suite s;
	char err[256];
	cr_assert_eq(ss_meta_parse(&s, meta_json, strlen(meta_json), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.ops[0x08].top.status, SS_ST_NORMAL);
	cr_assert_eq(s.ops[0x08].top.flags_mask, 65519);
	cr_assert_eq(s.ops[0xD6].top.status, SS_ST_UNDOCUMENTED);
	cr_assert_eq(s.ops[0xD6].top.flags_mask, 0xFFFF);
	cr_assert(s.ops[0xF6].has_reg);
	cr_assert_eq(s.ops[0xF6].reg[6].flags_mask, 63274);
	cr_assert_eq(s.ops[0xF6].reg[1].status, SS_ST_ALIAS);
	cr_assert_eq(s.ops[0x0F].top.status, SS_ST_ABSENT);
	cr_assert_eq(s.ops[0x90].top.status, SS_ST_ABSENT);
}

Test(singlestep_meta, malformed_json_is_an_error)
{
	static const char *const bad[] = { "", "{", "{\"opcodes\": {\"08\": }}", "[1,,2]",
					   "{\"a\":1} x", "{\"a\" 1}" };
	for (size_t n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
		struct ss_suite s;
		char err[256];
		cr_assert_eq(ss_meta_parse(&s, bad[n], strlen(bad[n]), err, sizeof(err)), -1,
			     "accepted %s", bad[n]);
	}
}

/* ---- the runner ---- */

static enum ss_result run_spec(struct ss_suite *s, const struct spec *sp, char *why,
			       size_t whylen)
{
	struct mb m;
	build(&m, sp);
	struct moo_file f;
	char err[256];
	cr_assert_eq(parse_copy(&m, m.n, &f, err, sizeof(err)), 0, "%s", err);
	enum ss_result r = ss_run_test(s, &f.tests[0], why, whylen);
	moo_free(&f);
	return r;
}

static struct ss_suite *empty_suite(void)
{
	struct ss_suite *s = calloc(1, sizeof(*s));
	char err[64];
	cr_assert_eq(ss_meta_parse(s, "{}", 2, err, sizeof(err)), 0);
	return s;
}

Test(singlestep_run, matching_final_state_passes)
{
	struct ss_suite *s = empty_suite();
	struct spec sp = nop_spec();
	char why[512];
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_PASS, "%s", why);
	ss_suite_free(s);
	free(s);
}

Test(singlestep_run, register_and_ram_differences_fail)
{
	struct ss_suite *s = empty_suite();
	struct spec sp = nop_spec();
	sp.fina_mask |= 1u << MOO_AX;
	sp.fina[MOO_AX] = 0x1234;
	char why[512];
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_FAIL);
	cr_assert(strstr(why, "ax expected 1234 got 0000"), "%s", why);
	static const struct ram_rec changed[] = { { 0x2000, 0x55 } };
	sp = nop_spec();
	sp.fram = changed;
	sp.nfram = 1;
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_FAIL);
	cr_assert(strstr(why, "ram[002000] expected 55 got 00"), "%s", why);
	ss_suite_free(s);
	free(s);
}

Test(singlestep_run, flags_bits_12_to_15_and_metadata_mask_are_ignored)
{
	struct ss_suite *s = empty_suite();
	struct spec sp = nop_spec();
	sp.init[MOO_FLAGS] = 0xF002; /* the 286 holds 0 there in real mode */
	char why[512];
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_PASS, "%s", why);
	sp = nop_spec();
	sp.fina_mask |= 1u << MOO_FLAGS;
	sp.fina[MOO_FLAGS] = 0x0012; /* AF differs */
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_FAIL);
	s->ops[0x90].top.flags_mask = 0xFFEF; /* AF undefined for this opcode */
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_PASS, "%s", why);
	ss_suite_free(s);
	free(s);
}

/* LEA with a register operand raises #UD (SDM vol. 2, LEA; 80286 alike):
 * real-mode delivery pushes FLAGS, CS, IP (SDM vol. 3 20.1.4) at 0FFEh,
 * 0FFCh, 0FFAh and runs the HLT at 0000:0500. */
Test(singlestep_run, pushed_flags_word_is_masked_at_the_excp_address)
{
	struct ss_suite *s = empty_suite();
	static const uint8_t lea_reg[] = { 0x8D, 0xC0, 0xF4 };
	static const struct ram_rec pushed[] = {
		{ 0xFFA, 0x00 }, { 0xFFB, 0x01 }, { 0xFFC, 0x00 }, { 0xFFD, 0x00 },
		{ 0xFFE, 0x02 }, { 0xFFF, 0x30 }, /* IOPL 3 in the pushed word: masked */
	};
	struct spec sp = nop_spec();
	sp.bytes = lea_reg;
	sp.nbytes = 3;
	sp.fina_mask = 1u << MOO_IP | 1u << MOO_SP;
	sp.fina[MOO_IP] = 0x501;
	sp.fina[MOO_SP] = 0xFFA;
	sp.fram = pushed;
	sp.nfram = 6;
	sp.excp = 6;
	sp.excp_addr = 0xFFE;
	char why[512];
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_PASS, "%s", why);
	sp.excp_addr = 0xFFC; /* the same bits elsewhere are compared */
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_FAIL);
	cr_assert(strstr(why, "ram[000fff] expected 30 got 00"), "%s", why);
	ss_suite_free(s);
	free(s);
}

/* With SP odd the captures give the FLAGS word's address rounded down to
 * even; the runner masks the word where the frame put it. */
Test(singlestep_run, pushed_flags_at_odd_sp_is_found_from_the_frame)
{
	struct ss_suite *s = empty_suite();
	static const uint8_t lea_reg[] = { 0x8D, 0xC0, 0xF4 };
	static const struct ram_rec pushed[] = {
		{ 0xFFB, 0x00 }, { 0xFFC, 0x01 }, { 0xFFD, 0x00 }, { 0xFFE, 0x00 },
		{ 0xFFF, 0x02 }, { 0x1000, 0x30 },
	};
	struct spec sp = nop_spec();
	sp.bytes = lea_reg;
	sp.nbytes = 3;
	sp.init[MOO_SP] = 0x1001;
	sp.fina_mask = 1u << MOO_IP | 1u << MOO_SP;
	sp.fina[MOO_IP] = 0x501;
	sp.fina[MOO_SP] = 0xFFB;
	sp.fram = pushed;
	sp.nfram = 6;
	sp.excp = 6;
	sp.excp_addr = 0xFFE;
	char why[512];
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_PASS, "%s", why);
	ss_suite_free(s);
	free(s);
}

Test(singlestep_run, fs_gs_moves_and_string_overruns_are_skipped)
{
	struct ss_suite *s = empty_suite();
	static const uint8_t mov_fs[] = { 0x8E, 0xE0, 0xF4 }; /* mov fs,ax */
	static const uint8_t mov_es[] = { 0x8C, 0xC0, 0xF4 }; /* mov ax,es: runs */
	static const uint8_t movsw[] = { 0xA5, 0xF4 };
	struct spec sp = nop_spec();
	char why[512];
	sp.bytes = mov_fs;
	sp.nbytes = 3;
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	sp.bytes = mov_es;
	cr_assert_neq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	sp.bytes = movsw;
	sp.nbytes = 2;
	sp.excp = 13;
	sp.excp_addr = 0xFFE;
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	sp.excp = 0; /* other exceptions of string instructions are compared */
	cr_assert_neq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	ss_suite_free(s);
	free(s);
}

Test(singlestep_run, documented_286_differences_are_skipped)
{
	struct ss_suite *s = empty_suite();
	static const uint8_t lock_nop[] = { 0xF0, 0x90, 0xF4 };
	static const uint8_t eleven[] = { 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E,
					  0x2E, 0x2E, 0x90, 0xF4 };
	static const uint8_t ten[] = { 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E,
				       0x90, 0xF4 };
	static const uint8_t smsw[] = { 0x0F, 0x01, 0xE0, 0xF4 };
	static const uint8_t salc[] = { 0xD6, 0xF4 };
	struct spec sp = nop_spec();
	char why[512];
	sp.bytes = lock_nop;
	sp.nbytes = 3;
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	cr_assert(strstr(why, "LOCK"), "%s", why);
	sp.bytes = eleven;
	sp.nbytes = sizeof(eleven);
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	cr_assert(strstr(why, "10 bytes"), "%s", why);
	sp.bytes = ten; /* exactly 10 bytes runs: fails only for its wrong IP */
	sp.nbytes = sizeof(ten);
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_FAIL);
	sp.fina[MOO_IP] = 0x100 + sizeof(ten);
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_PASS, "%s", why);
	sp.bytes = smsw;
	sp.nbytes = sizeof(smsw);
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	s->ops[0xD6].top.status = SS_ST_FPU; /* as if D6 were an escape */
	sp.bytes = salc;
	sp.nbytes = sizeof(salc);
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	cr_assert(strstr(why, "status"), "%s", why);
	s->ops[0xD6].top.status = SS_ST_UNDOCUMENTED; /* run: same on the 386 */
	cr_assert_neq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	ss_suite_free(s);
	free(s);
}

Test(singlestep_run, revoked_tests_are_skipped)
{
	struct ss_suite *s = empty_suite();
	uint8_t h[20];
	for (unsigned k = 0; k < 20; k++)
		h[k] = (uint8_t)(0xA0 + k);
	s->revoked = malloc(sizeof(h));
	memcpy(s->revoked[0], h, 20);
	s->nrevoked = 1;
	struct spec sp = nop_spec();
	sp.fina[MOO_IP] = 0x999; /* would fail */
	char why[512];
	cr_assert_eq(run_spec(s, &sp, why, sizeof(why)), SS_SKIP);
	ss_suite_free(s);
	free(s);
}
