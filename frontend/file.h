/* Whole-file loading for firmware and other small images. */
#ifndef POPEK_FILE_H
#define POPEK_FILE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* Read all of path (at most max bytes) into a new buffer. Returns NULL with
 * a one-line message in err when the file is missing, unreadable, empty or
 * too big. */
uint8_t *file_load(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
