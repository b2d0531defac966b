/*
 * Specialised handlers picked at decode time for the commonest forms
 * (see cpu/ops_fast.c).
 */
#ifndef POPEK_OPS_FAST_H
#define POPEK_OPS_FAST_H

#include "cpu/cpu.h"

/* The handler to run for decoded instruction i: a specialisation of
 * i->fn with the same architectural behaviour, or i->fn itself. */
insn_fn ops_fast_pick(const struct insn *i);

#endif
