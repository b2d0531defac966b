/*
 * Handlers named in opcodes.def that are not written yet, control, stack, string, I/O, segment and system family: the
 * decoder maps them to #UD. Included by decode.c only (through
 * ops_pending.h). Delete a line when its handler lands; the goal is an
 * empty file.
 */
