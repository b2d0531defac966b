/*
 * MOO reader (see moo.h). Follows the format description in
 * shared/testdata/README.md. The input is untrusted: each length is checked
 * against what is left of its enclosing chunk before anything is read.
 * Known deviation: RG32, RMSK/RM32, QUEU and EA32 are skipped unread.
 */
#include "tests/moo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MOO_MAX_FILE (512u << 20) /* refuse to inflate more than this */

struct span {
	const uint8_t *p;
	size_t len;
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Next chunk of s: 1 and the chunk, 0 at the end, -1 when truncated. */
static int next_chunk(struct span *s, char type[5], struct span *body)
{
	if (s->len == 0)
		return 0;
	if (s->len < 8)
		return -1;
	uint32_t n = le32(s->p + 4);
	if (n > s->len - 8)
		return -1;
	memcpy(type, s->p, 4);
	type[4] = 0;
	body->p = s->p + 8;
	body->len = n;
	s->p += 8 + (size_t)n;
	s->len -= 8 + (size_t)n;
	return 1;
}

/* A u32 count n followed by n items of size each, all inside the chunk. */
static bool counted(struct span b, size_t size, const uint8_t **items, uint32_t *n)
{
	if (b.len < 4)
		return false;
	uint32_t count = le32(b.p);
	if ((uint64_t)count * size > b.len - 4)
		return false;
	*items = b.p + 4;
	*n = count;
	return true;
}

static bool parse_regs(struct span b, struct moo_state *st)
{
	if (b.len < 2)
		return false;
	uint16_t mask = le16(b.p);
	if (mask >> MOO_NREGS)
		return false;
	size_t need = 2 + 2 * (size_t)__builtin_popcount(mask);
	if (need > b.len)
		return false;
	const uint8_t *p = b.p + 2;
	for (unsigned r = 0; r < MOO_NREGS; r++) {
		if (mask & (1u << r)) {
			st->regs[r] = le16(p);
			p += 2;
		}
	}
	st->mask = mask;
	return true;
}

static bool parse_state(struct span s, struct moo_state *st, char *err, size_t errlen)
{
	char type[5];
	struct span b;
	int r;
	while ((r = next_chunk(&s, type, &b)) > 0) {
		if (!strcmp(type, "REGS")) {
			if (!parse_regs(b, st)) {
				fail(err, errlen, "bad REGS chunk");
				return false;
			}
		} else if (!strcmp(type, "RAM ")) {
			if (!counted(b, 5, &st->ram, &st->nram)) {
				fail(err, errlen, "RAM chunk shorter than its count");
				return false;
			}
		}
	}
	if (r < 0)
		fail(err, errlen, "truncated chunk inside INIT/FINA");
	return r == 0;
}

static bool parse_sub(struct moo_test *t, const char *type, struct span b, char *err, size_t errlen)
{
	if (!strcmp(type, "NAME")) {
		const uint8_t *p;
		if (!counted(b, 1, &p, &t->name_len))
			goto bad;
		t->name = (const char *)p;
	} else if (!strcmp(type, "BYTS")) {
		if (!counted(b, 1, &t->bytes, &t->nbytes))
			goto bad;
	} else if (!strcmp(type, "INIT")) {
		return parse_state(b, &t->init, err, errlen);
	} else if (!strcmp(type, "FINA")) {
		return parse_state(b, &t->fina, err, errlen);
	} else if (!strcmp(type, "EXCP")) {
		if (b.len < 5)
			goto bad;
		t->has_excp = true;
		t->excp_vector = b.p[0];
		t->excp_flags_addr = le32(b.p + 1);
	} else if (!strcmp(type, "HASH")) {
		if (b.len < 20)
			goto bad;
		t->has_hash = true;
		memcpy(t->hash, b.p, 20);
	}
	return true;
bad:
	fail(err, errlen, "%s chunk too short for its contents", type);
	return false;
}

static bool parse_test(struct span b, struct moo_test *t, char *err, size_t errlen)
{
	*t = (struct moo_test){ .name = "" };
	if (b.len < 4) {
		fail(err, errlen, "TEST chunk without an index");
		return false;
	}
	t->index = le32(b.p);
	struct span s = { b.p + 4, b.len - 4 };
	char type[5];
	struct span sub;
	int r;
	while ((r = next_chunk(&s, type, &sub)) > 0)
		if (!parse_sub(t, type, sub, err, errlen))
			return false;
	if (r < 0) {
		fail(err, errlen, "test %u: truncated subchunk", t->index);
		return false;
	}
	if (!t->nbytes || !(t->init.mask & (1u << MOO_IP))) {
		fail(err, errlen, "test %u: no instruction bytes or no initial registers", t->index);
		return false;
	}
	return true;
}

static bool parse_header(struct moo_file *f, struct span b, char *err, size_t errlen)
{
	if (b.len < 12) {
		fail(err, errlen, "MOO header chunk too short");
		return false;
	}
	f->major = b.p[0];
	f->minor = b.p[1];
	f->declared_count = le32(b.p + 4);
	memcpy(f->cpu, b.p + 8, 4);
	f->cpu[4] = 0;
	return true;
}

static bool add_test(struct moo_file *f, uint32_t *cap, struct span b, char *err, size_t errlen)
{
	if (f->ntests == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 64;
		struct moo_test *nt = realloc(f->tests, ncap * sizeof(*nt));
		if (!nt) {
			fail(err, errlen, "out of memory");
			return false;
		}
		f->tests = nt;
		*cap = ncap;
	}
	if (!parse_test(b, &f->tests[f->ntests], err, errlen))
		return false;
	f->ntests++;
	return true;
}

int moo_parse(struct moo_file *f, uint8_t *data, size_t len, char *err, size_t errlen)
{
	*f = (struct moo_file){ .data = data, .len = len };
	struct span s = { data, len };
	char type[5];
	struct span b;
	uint32_t cap = 0;
	int r = next_chunk(&s, type, &b);
	if (r <= 0 || strcmp(type, "MOO ")) {
		fail(err, errlen, "not a MOO file (no MOO header chunk)");
		return -1;
	}
	if (!parse_header(f, b, err, errlen))
		return -1;
	while ((r = next_chunk(&s, type, &b)) > 0)
		if (!strcmp(type, "TEST") && !add_test(f, &cap, b, err, errlen))
			return -1;
	if (r < 0) {
		fail(err, errlen, "truncated chunk after test %u", f->ntests);
		return -1;
	}
	if (f->ntests != f->declared_count) {
		fail(err, errlen, "header announces %u tests, file holds %u", f->declared_count,
		     f->ntests);
		return -1;
	}
	return 0;
}

/* Inflate the whole file; gzread also passes plain files through. */
static uint8_t *inflate_file(const char *path, size_t *len, char *err, size_t errlen)
{
	gzFile gz = gzopen(path, "rb");
	if (!gz) {
		fail(err, errlen, "cannot open %s", path);
		return NULL;
	}
	size_t cap = 1u << 20, n = 0;
	uint8_t *buf = malloc(cap);
	int got = 0;
	while (buf && (got = gzread(gz, buf + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)got;
		if (n == cap) {
			uint8_t *nb = cap < MOO_MAX_FILE ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	int zerr = Z_OK;
	const char *msg = gzerror(gz, &zerr);
	if (buf && (got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END))) {
		fail(err, errlen, "%s: corrupt or truncated gzip data (%s)", path, msg);
		free(buf);
		buf = NULL;
	} else if (!buf) {
		fail(err, errlen, "%s: out of memory or over %u MiB inflated", path, MOO_MAX_FILE >> 20);
	}
	gzclose(gz);
	*len = n;
	return buf;
}

int moo_load(const char *path, struct moo_file *f, char *err, size_t errlen)
{
	*f = (struct moo_file){ 0 };
	size_t len;
	uint8_t *data = inflate_file(path, &len, err, errlen);
	if (!data)
		return -1;
	if (moo_parse(f, data, len, err, errlen) < 0) {
		size_t used = strlen(err);
		if (used + 1 < errlen)
			snprintf(err + used, errlen - used, " (%s)", path);
		return -1;
	}
	return 0;
}

void moo_free(struct moo_file *f)
{
	free(f->tests);
	free(f->data);
	*f = (struct moo_file){ 0 };
}

void moo_ram_at(const struct moo_state *s, uint32_t k, uint32_t *addr, uint8_t *value)
{
	const uint8_t *p = s->ram + 5 * (size_t)k;
	*addr = le32(p);
	*value = p[4];
}

const char *moo_reg_name(enum moo_reg r)
{
	static const char *const names[MOO_NREGS] = {
		"ax", "bx", "cx", "dx", "cs", "ss", "ds", "es",
		"sp", "bp", "si", "di", "ip", "flags",
	};
	return (unsigned)r < MOO_NREGS ? names[r] : "?";
}

void moo_hash_hex(const struct moo_test *t, char out[41])
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned n = 0; n < 20; n++) {
		out[2 * n] = hex[t->hash[n] >> 4];
		out[2 * n + 1] = hex[t->hash[n] & 15];
	}
	out[40] = 0;
}
