/* Host ends of guest byte streams, named as QEMU names them:
 * "stdio", "null", "file:PATH" (or a bare PATH). */
#ifndef POPEK_CHARDEV_H
#define POPEK_CHARDEV_H

#include <stdio.h>

#include "devices/machine.h"

struct chardev {
	FILE *out;
	bool owned; /* opened by us: close at exit */
};

/* Returns 0, or -1 with a message in err. */
int chardev_open(struct chardev *cd, const char *spec, char *err, size_t errlen);
void chardev_close(struct chardev *cd);
struct byte_sink chardev_sink(struct chardev *cd);

#endif
