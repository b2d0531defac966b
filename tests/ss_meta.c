/*
 * The SingleStepTests suite description: metadata.json (per-opcode status and
 * undefined-flag masks, "opcodes"."XX" or "opcodes"."XX"."reg"."N") and
 * revocation_list.txt (hex SHA-1 hashes of bad tests, # comments).
 *
 * metadata.json has a fixed shape, so a small JSON walker that tracks the
 * key path suffices; it accepts any valid JSON and ignores what it does not
 * know. Known deviations: string escapes are skipped, not decoded (no key or
 * value we read contains one); two-byte opcode keys ("0F00") are ignored
 * because every 0F test is skipped (ss_skip.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"
#include "tests/ss_run.h"

#define JSON_MAX_DEPTH 8
#define JSON_KEY_LEN 16

struct json {
	const char *p, *end;
	unsigned depth;
	char keys[JSON_MAX_DEPTH][JSON_KEY_LEN];
	struct ss_suite *s;
};

static void json_ws(struct json *j)
{
	while (j->p < j->end && isspace((unsigned char)*j->p))
		j->p++;
}

static bool json_eat(struct json *j, char ch)
{
	json_ws(j);
	if (j->p < j->end && *j->p == ch) {
		j->p++;
		return true;
	}
	return false;
}

/* A string into out (truncated to outlen - 1); escapes are kept verbatim. */
static bool json_string(struct json *j, char *out, size_t outlen)
{
	if (!json_eat(j, '"'))
		return false;
	size_t n = 0;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\' && j->p + 1 < j->end)
			j->p++;
		if (n + 1 < outlen)
			out[n++] = *j->p;
		j->p++;
	}
	out[n] = 0;
	return json_eat(j, '"');
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)toupper((unsigned char)ch);
	return ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static enum ss_status status_of(const char *v)
{
	static const char *const names[] = {
		[SS_ST_NORMAL] = "normal", [SS_ST_ALIAS] = "alias", [SS_ST_PREFIX] = "prefix",
		[SS_ST_FPU] = "fpu", [SS_ST_UNDEFINED] = "undefined",
		[SS_ST_UNDOCUMENTED] = "undocumented", [SS_ST_EXTENSION] = "extension",
	};
	for (unsigned n = SS_ST_NORMAL; n < sizeof(names) / sizeof(names[0]); n++)
		if (!strcmp(v, names[n]))
			return (enum ss_status)n;
	return SS_ST_OTHER;
}

/* The entry a key path names: opcodes.XX.field or opcodes.XX.reg.N.field. */
static struct ss_meta_entry *json_target(struct json *j, const char **field)
{
	if (j->depth < 3 || strcmp(j->keys[0], "opcodes") || strlen(j->keys[1]) != 2)
		return NULL;
	int hi = hexval(j->keys[1][0]), lo = hexval(j->keys[1][1]);
	if (hi < 0 || lo < 0)
		return NULL;
	struct ss_op_meta *op = &j->s->ops[hi << 4 | lo];
	if (j->depth == 3) {
		*field = j->keys[2];
		return &op->top;
	}
	if (j->depth == 5 && !strcmp(j->keys[2], "reg") && j->keys[3][0] >= '0' &&
	    j->keys[3][0] <= '7' && !j->keys[3][1]) {
		op->has_reg = true;
		*field = j->keys[4];
		return &op->reg[j->keys[3][0] - '0'];
	}
	return NULL;
}

static void json_scalar(struct json *j, const char *str, double num, bool is_num)
{
	const char *field;
	struct ss_meta_entry *e = json_target(j, &field);
	if (!e)
		return;
	if (!is_num && !strcmp(field, "status"))
		e->status = (uint8_t)status_of(str);
	else if (is_num && !strcmp(field, "flags-mask") && num >= 0 && num <= 0xFFFF)
		e->flags_mask = (uint16_t)num;
}

static bool json_value(struct json *j);

static bool json_object(struct json *j)
{
	if (json_eat(j, '}'))
		return true;
	do {
		char key[JSON_KEY_LEN];
		if (!json_string(j, key, sizeof(key)) || !json_eat(j, ':'))
			return false;
		if (j->depth >= JSON_MAX_DEPTH)
			return false;
		memcpy(j->keys[j->depth++], key, sizeof(key));
		bool ok = json_value(j);
		j->depth--;
		if (!ok)
			return false;
	} while (json_eat(j, ','));
	return json_eat(j, '}');
}

static bool json_array(struct json *j)
{
	if (json_eat(j, ']'))
		return true;
	if (j->depth >= JSON_MAX_DEPTH)
		return false;
	j->keys[j->depth++][0] = 0;
	bool ok;
	do
		ok = json_value(j);
	while (ok && json_eat(j, ','));
	j->depth--;
	return ok && json_eat(j, ']');
}

static bool json_value(struct json *j)
{
	json_ws(j);
	if (j->p >= j->end)
		return false;
	char ch = *j->p;
	if (ch == '{') {
		j->p++;
		return json_object(j);
	}
	if (ch == '[') {
		j->p++;
		return json_array(j);
	}
	if (ch == '"') {
		char v[32];
		if (!json_string(j, v, sizeof(v)))
			return false;
		json_scalar(j, v, 0, false);
		return true;
	}
	char tok[32];
	size_t n = 0;
	while (j->p < j->end && (isalnum((unsigned char)*j->p) || (*j->p && strchr("+-.", *j->p)))) {
		if (n + 1 < sizeof(tok))
			tok[n++] = *j->p;
		j->p++;
	}
	tok[n] = 0;
	if (!n)
		return false;
	char *endp;
	double num = strtod(tok, &endp);
	if (*endp == 0)
		json_scalar(j, tok, num, true);
	else if (strcmp(tok, "true") && strcmp(tok, "false") && strcmp(tok, "null"))
		return false;
	return true;
}

int ss_meta_parse(struct ss_suite *s, const char *text, size_t len, char *err, size_t errlen)
{
	for (unsigned op = 0; op < 256; op++) {
		s->ops[op] = (struct ss_op_meta){ .top = { SS_ST_ABSENT, 0xFFFF } };
		for (unsigned r = 0; r < 8; r++)
			s->ops[op].reg[r] = (struct ss_meta_entry){ SS_ST_ABSENT, 0xFFFF };
	}
	struct json j = { .p = text, .end = text + len, .s = s };
	if (!json_value(&j) || (json_ws(&j), j.p != j.end)) {
		snprintf(err, errlen, "metadata.json: malformed JSON near byte %zu",
			 (size_t)(j.p - text));
		return -1;
	}
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 4096);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

static int parse_hash_line(const char *line, uint8_t out[20])
{
	for (unsigned n = 0; n < 20; n++) {
		int hi = hexval(line[2 * n]), lo = hi < 0 ? -1 : hexval(line[2 * n + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[n] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int load_revocations(struct ss_suite *s, const char *path)
{
	size_t len;
	char *text = slurp(path, &len);
	if (!text)
		return 0; /* no list: nothing revoked */
	size_t cap = 0;
	for (char *line = text; line < text + len;) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		char *stop = nl ? nl : text + len;
		while (line < stop && isspace((unsigned char)*line))
			line++;
		uint8_t h[20];
		if (stop - line >= 40 && *line != '#' && parse_hash_line(line, h) == 0) {
			if (s->nrevoked == cap) {
				cap = cap * 2 + 16;
				uint8_t(*nr)[20] = realloc(s->revoked, cap * sizeof(*nr));
				if (!nr) {
					free(text);
					return -1;
				}
				s->revoked = nr;
			}
			memcpy(s->revoked[s->nrevoked++], h, 20);
		}
		line = stop + 1;
	}
	free(text);
	return 0;
}

int ss_suite_init(struct ss_suite *s, const char *dir, char *err, size_t errlen)
{
	*s = (struct ss_suite){ 0 };
	char path[4096];
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	size_t len;
	char *text = slurp(path, &len);
	if (!text) {
		snprintf(err, errlen, "cannot read %s", path);
		return -1;
	}
	int r = ss_meta_parse(s, text, len, err, errlen);
	free(text);
	if (r < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/revocation_list.txt", dir);
	if (load_revocations(s, path) < 0) {
		snprintf(err, errlen, "out of memory reading %s", path);
		return -1;
	}
	return 0;
}

void ss_suite_free(struct ss_suite *s)
{
	machine_free(s->m);
	s->m = NULL;
	free(s->revoked);
	s->revoked = NULL;
	s->nrevoked = 0;
}

bool ss_revoked(const struct ss_suite *s, const struct moo_test *t)
{
	if (!t->has_hash)
		return false;
	for (size_t n = 0; n < s->nrevoked; n++)
		if (!memcmp(s->revoked[n], t->hash, 20))
			return true;
	return false;
}
