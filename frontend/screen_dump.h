/* Writing the VGA text screen to a file (popek --dump-screen FILE). */
#ifndef POPEK_SCREEN_DUMP_H
#define POPEK_SCREEN_DUMP_H

#include <stddef.h>

struct machine;

/* Write the text screen as vga_text_snapshot formats it (one line per row,
 * ASCII, trailing blanks removed; an empty file in graphics modes) to path.
 * Returns 0, or -1 with a one-line message in err when the machine has no
 * VGA or the file cannot be written. */
int screen_dump_write(struct machine *m, const char *path, char *err, size_t errlen);

#endif
