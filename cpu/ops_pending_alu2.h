/*
 * Handlers named in opcodes.def that are not written yet, shift, rotate, multiply, divide, BCD, bit, SETcc/CMOVcc, extension and atomic family: the
 * decoder maps them to #UD. Included by decode.c only (through
 * ops_pending.h). Delete a line when its handler lands; the goal is an
 * empty file.
 */
