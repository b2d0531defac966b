/* Test scripts (see script.h). */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include "tests/script.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* w, or NULL at the end of the step or at its note (which is not words). */
static char *word_of(struct script *s, char *w)
{
	if (w && w[0] == '#') {
		s->save = w + strlen(w);
		return NULL;
	}
	return w;
}

char *script_word(struct script *s) { return word_of(s, strtok_r(NULL, " ", &s->save)); }

long script_num(struct script *s, int base)
{
	char *w = script_word(s);
	cr_assert_not_null(w, SCRIPT_FMT "a number is missing", SCRIPT_ARGS(s));
	char *end;
	long v = strtol(w, &end, base);
	cr_assert(*end == '\0', SCRIPT_FMT "\"%s\" is not a number", SCRIPT_ARGS(s), w);
	return v;
}

void script_run(const char *name, const char *text, script_step_fn *fn, void *ctx)
{
	char buf[1024], step_text[1024];
	cr_assert_lt(strlen(text), sizeof(buf), "%s: script too long", name);
	strcpy(buf, text);
	struct script s = { .name = name, .step = 0, .text = step_text };
	char *save;
	for (char *step = strtok_r(buf, ";", &save); step; step = strtok_r(NULL, ";", &save)) {
		while (*step == ' ')
			step++;
		strcpy(step_text, step);
		s.step++;
		char *w = word_of(&s, strtok_r(step, " ", &s.save));
		cr_assert_not_null(w, SCRIPT_FMT "no word", SCRIPT_ARGS(&s));
		fn(&s, w, ctx);
		cr_assert_null(script_word(&s), SCRIPT_FMT "words left over", SCRIPT_ARGS(&s));
	}
	cr_assert_gt(s.step, 0, "%s: empty script", name);
}
