/* Whole-file loading (see file.h). */
#include "frontend/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *file_load(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	uint8_t *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	bool bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		snprintf(err, errlen, "cannot read '%s'", path);
		free(buf);
		return NULL;
	}
	if (n == 0 || n > max) {
		snprintf(err, errlen, "'%s' is %s (expected 1 to %zu bytes)", path,
			 n == 0 ? "empty" : "too big", max);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
