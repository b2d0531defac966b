/*
 * The text screen to a file, for scripts and tests that check what a guest
 * printed (popek --dump-screen FILE). The text comes from the VGA's view of
 * its alphanumeric screen; see vga_text_snapshot for the character mapping.
 */
#include "frontend/screen_dump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"
#include "devices/vga.h"

static int write_all(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	size_t done = fwrite(text, 1, len, f);
	int bad = done != len || ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	return 0;
}

int screen_dump_write(struct machine *m, const char *path, char *err, size_t errlen)
{
	struct vga *v = machine_device(m, "vga");
	if (!v) {
		snprintf(err, errlen, "no VGA to dump the screen of");
		return -1;
	}
	size_t len = vga_text_snapshot(v, NULL, 0, NULL, NULL);
	char *text = malloc(len + 1);
	if (!text) {
		snprintf(err, errlen, "out of memory for the screen dump");
		return -1;
	}
	vga_text_snapshot(v, text, len + 1, NULL, NULL);
	int r = write_all(path, text, len, err, errlen);
	free(text);
	return r;
}
