/*
 * Reader for the MOO test format of the SingleStepTests CPU suites
 * (github.com/SingleStepTests; format as described in
 * shared/testdata/README.md, v1.x): gzip-compressed, little-endian chunks
 * {char type[4]; u32 len; u8 data[len]}.
 *
 * The whole file is decompressed into memory and validated once by
 * moo_load/moo_parse: every chunk and field length is checked against its
 * enclosing chunk, so the accessors below never read out of bounds. Unknown
 * chunk types (GMET, META, CYCL, QUEU...) are skipped.
 *
 * Deviation: only the 16-bit REGS register block is decoded; RG32 (the
 * 32-bit suites) is skipped like an unknown chunk.
 */
#ifndef POPEK_TESTS_MOO_H
#define POPEK_TESTS_MOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* REGS bit order. */
enum moo_reg {
	MOO_AX, MOO_BX, MOO_CX, MOO_DX, MOO_CS, MOO_SS, MOO_DS, MOO_ES,
	MOO_SP, MOO_BP, MOO_SI, MOO_DI, MOO_IP, MOO_FLAGS, MOO_NREGS
};

/* INIT or FINA: the registers present (bit n: moo_reg n) and RAM bytes. */
struct moo_state {
	uint16_t mask;
	uint16_t regs[MOO_NREGS];
	const uint8_t *ram; /* nram records of u32 address, u8 value (validated) */
	uint32_t nram;
};

struct moo_test {
	uint32_t index;
	const char *name; /* not NUL-terminated: name_len bytes */
	uint32_t name_len;
	const uint8_t *bytes;
	uint32_t nbytes;
	struct moo_state init, fina;
	bool has_excp;
	uint8_t excp_vector;
	uint32_t excp_flags_addr; /* physical address of the FLAGS word pushed */
	bool has_hash;
	uint8_t hash[20];
};

struct moo_file {
	uint8_t major, minor;
	char cpu[5];
	uint32_t declared_count; /* test_count of the MOO header */
	struct moo_test *tests;
	uint32_t ntests;
	uint8_t *data; /* the decompressed file, which tests point into */
	size_t len;
};

/* Decompress and parse a .MOO.gz file (plain files are accepted too).
 * Returns 0, or -1 with a message in err; *f needs moo_free either way. */
int moo_load(const char *path, struct moo_file *f, char *err, size_t errlen);
/* Parse an uncompressed MOO image; takes ownership of data (malloc'd). */
int moo_parse(struct moo_file *f, uint8_t *data, size_t len, char *err, size_t errlen);
void moo_free(struct moo_file *f);

/* RAM record k of a state (k < s->nram). */
void moo_ram_at(const struct moo_state *s, uint32_t k, uint32_t *addr, uint8_t *value);
/* Lower-case name of register r ("ax", "flags"...). */
const char *moo_reg_name(enum moo_reg r);
/* 40 hex digits and a NUL into out[41]. */
void moo_hash_hex(const struct moo_test *t, char out[41]);

#endif
