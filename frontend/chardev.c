/* Host ends of guest byte streams (see chardev.h). */
#include "frontend/chardev.h"

#include <errno.h>
#include <string.h>

static void sink_write(void *opaque, const uint8_t *data, size_t len)
{
	struct chardev *cd = opaque;
	if (cd->out) {
		fwrite(data, 1, len, cd->out);
		/* Flushed per write so that a killed run or a watcher of the file
		 * sees every byte the guest wrote. */
		fflush(cd->out);
	}
}

int chardev_open(struct chardev *cd, const char *spec, char *err, size_t errlen)
{
	cd->out = NULL;
	cd->owned = false;
	if (!strcmp(spec, "null") || !strcmp(spec, "none"))
		return 0;
	if (!strcmp(spec, "stdio")) {
		cd->out = stdout;
		return 0;
	}
	if (!strcmp(spec, "stderr")) {
		cd->out = stderr;
		return 0;
	}
	const char *path = !strncmp(spec, "file:", 5) ? spec + 5 : spec;
	if (!*path) {
		snprintf(err, errlen, "empty file name in '%s'", spec);
		return -1;
	}
	cd->out = fopen(path, "wb");
	if (!cd->out) {
		snprintf(err, errlen, "cannot open '%s' for writing: %s", path, strerror(errno));
		return -1;
	}
	cd->owned = true;
	return 0;
}

void chardev_close(struct chardev *cd)
{
	if (cd->owned && cd->out)
		fclose(cd->out);
	cd->out = NULL;
}

struct byte_sink chardev_sink(struct chardev *cd)
{
	return (struct byte_sink){ sink_write, cd };
}
