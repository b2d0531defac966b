/* Handlers not written yet, by family (see the files included). */
#ifndef POPEK_OPS_PENDING_H
#define POPEK_OPS_PENDING_H
#include "cpu/ops_pending_alu.h"
#include "cpu/ops_pending_alu2.h"
#include "cpu/ops_pending_ctrl.h"
#include "cpu/ops_pending_prot.h"
#endif
