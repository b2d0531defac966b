/*
 * Every protected-mode half of seg.c has landed (prot_seg.c, prot_far.c,
 * prot_iret.c, prot_io.c); this file stays only because Makefile.am lists
 * it, and can be dropped from there.
 */
#include "cpu/seg.h"
