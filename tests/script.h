/*
 * Test scripts: a case written as steps separated by ';', each a word and
 * its arguments, optionally followed by "# note". A test supplies what its
 * words do; this file splits the steps, reads the arguments and keeps the
 * case name, step number and step text (note included) for failure
 * messages, so that a table of scripts says which step of which case
 * failed.
 */
#ifndef POPEK_TESTS_SCRIPT_H
#define POPEK_TESTS_SCRIPT_H

#include <stdbool.h>

struct script {
	const char *name; /* the case */
	unsigned step;    /* from 1 */
	const char *text; /* the step as written */
	char *save;       /* strtok_r state within the step */
};

/* Prefix for failure messages: cr_assert(x, SCRIPT_FMT "...", SCRIPT_ARGS(s), ...) */
#define SCRIPT_FMT "%s, step %u \"%s\": "
#define SCRIPT_ARGS(s) (s)->name, (s)->step, (s)->text

/* Called with the first word of each step; it reads its arguments with
 * script_word / script_num. Words it leaves unread fail the case. */
typedef void script_step_fn(struct script *s, const char *word, void *ctx);

/* Run every step of text in order; a script with no step fails. */
void script_run(const char *name, const char *text, script_step_fn *fn, void *ctx);
/* The step's next word, or NULL at its end (or at its note). */
char *script_word(struct script *s);
/* The step's next word as a number in base (16 or 10); fails if missing or
 * not a number. */
long script_num(struct script *s, int base);

#endif
