/*
 * SingleStepTests conformance runner: runs MOO tests (moo.h) on a bare popek
 * machine and compares the final state with the hardware capture, as
 * shared/testdata/README.md specifies. The suite's metadata.json (status and
 * undefined-flag masks per opcode) and revocation_list.txt are read from the
 * directory holding the test files; documented 80286-versus-386 differences
 * are skipped or masked by the one table in ss_skip.c.
 */
#ifndef POPEK_TESTS_SS_RUN_H
#define POPEK_TESTS_SS_RUN_H

#include <stdio.h>

#include "tests/moo.h"

/* Opcode status from metadata.json. */
enum ss_status {
	SS_ST_ABSENT, SS_ST_NORMAL, SS_ST_ALIAS, SS_ST_PREFIX, SS_ST_FPU, SS_ST_UNDEFINED,
	SS_ST_UNDOCUMENTED, SS_ST_EXTENSION, SS_ST_OTHER
};

struct ss_meta_entry {
	uint8_t status;      /* enum ss_status */
	uint16_t flags_mask; /* AND mask of defined FLAGS bits (0xFFFF when absent) */
};

/* One one-byte opcode; group opcodes describe each ModR/M reg value. */
struct ss_op_meta {
	struct ss_meta_entry top;
	bool has_reg;
	struct ss_meta_entry reg[8];
};

struct machine;

struct ss_suite {
	struct ss_op_meta ops[256];
	uint8_t (*revoked)[20];
	size_t nrevoked;
	struct machine *m; /* reused from test to test (created on first use) */
};

#define SS_MAX_REASONS 16

struct ss_totals {
	unsigned long passed, failed, skipped;
	/* Skips by reason (the first SS_MAX_REASONS distinct reasons). */
	char reason[SS_MAX_REASONS][80];
	unsigned long by_reason[SS_MAX_REASONS];
};

/* What the instruction bytes of a test are, for the skip rules. */
struct ss_insn_info {
	unsigned nprefix;   /* 80286 prefixes: segment overrides, LOCK, REP */
	bool lock, rep;
	unsigned opcode;    /* first opcode byte */
	unsigned reg;       /* reg field of the byte after the opcode (its ModR/M, if any) */
	int len;            /* decoded length, or a DECODE_* code */
	bool lockable_386;  /* the 386 accepts LOCK here (memory destination, listed opcode) */
	const struct ss_meta_entry *meta;
};

/* Load dir/metadata.json and dir/revocation_list.txt (the latter may be
 * absent). ss_suite_free also frees the machine the tests ran on. */
int ss_suite_init(struct ss_suite *s, const char *dir, char *err, size_t errlen);
void ss_suite_free(struct ss_suite *s);
/* Parse metadata.json text (exposed for tests). */
int ss_meta_parse(struct ss_suite *s, const char *json, size_t len, char *err, size_t errlen);
bool ss_revoked(const struct ss_suite *s, const struct moo_test *t);

/* Classify a test's instruction bytes. */
void ss_insn_info(const struct ss_suite *s, const struct moo_test *t, struct ss_insn_info *out);
/* ss_skip.c: why the test must be skipped, or NULL to run it. */
const char *ss_skip_reason(const struct ss_insn_info *ii, const struct moo_test *t);
/* ss_skip.c: FLAGS bits compared, for the register and the pushed word. */
uint16_t ss_flags_mask(const struct ss_insn_info *ii);
/* ss_skip.c: route #SS through vector 13's handler for this test. */
bool ss_ss_overrun_is_gp(const struct moo_test *t);
/* ss_skip.c: the FLAGS value loaded from INIT. */
uint16_t ss_init_flags(uint16_t flags);

enum ss_result { SS_PASS, SS_FAIL, SS_SKIP };
/* Run one test; on SS_FAIL (or SS_SKIP) why holds the differences (the reason). */
enum ss_result ss_run_test(struct ss_suite *s, const struct moo_test *t, char *why,
			   size_t whylen);
/* Run every test of one file, printing one line per failure to out.
 * Returns the number of failures, or -1 when the file cannot be read (also
 * printed, and counted as one failure). */
long ss_run_file(struct ss_suite *s, const char *path, struct ss_totals *tot, FILE *out);
/* The *.MOO.gz files of dir as "dir/name", sorted (NULL when none or unreadable). */
char **ss_list_dir(const char *dir, size_t *count);
void ss_free_list(char **names, size_t count);

#endif
