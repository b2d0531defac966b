/*
 * Handlers named in opcodes.def that are not written yet, data movement, arithmetic, logic and flag family: the
 * decoder maps them to #UD. Included by decode.c only (through
 * ops_pending.h). Delete a line when its handler lands; the goal is an
 * empty file.
 */
