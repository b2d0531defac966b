/*
 * Handlers named in opcodes.def that are not written yet, shift, rotate, multiply, divide, BCD, bit, SETcc/CMOVcc, extension and atomic family: the
 * decoder maps them to #UD. Included by decode.c only (through
 * ops_pending.h). Delete a line when its handler lands; the goal is an
 * empty file.
 */
#define op_CMOVcc_GwEw_r op_UD
#define op_CMOVcc_GwEw_m op_UD
#define op_CMOVcc_GdEd_r op_UD
#define op_CMOVcc_GdEd_m op_UD
#define op_SETcc_Eb_r op_UD
#define op_SETcc_Eb_m op_UD
#define op_CMPXCHG_EbGb_r op_UD
#define op_CMPXCHG_EbGb_m op_UD
#define op_CMPXCHG_EwGw_r op_UD
#define op_CMPXCHG_EwGw_m op_UD
#define op_CMPXCHG_EdGd_r op_UD
#define op_CMPXCHG_EdGd_m op_UD
#define op_MOVZX_GwEb_r op_UD
#define op_MOVZX_GwEb_m op_UD
#define op_MOVZX_GdEb_r op_UD
#define op_MOVZX_GdEb_m op_UD
#define op_MOVZX_GwEw_r op_UD
#define op_MOVZX_GwEw_m op_UD
#define op_MOVZX_GdEw_r op_UD
#define op_MOVZX_GdEw_m op_UD
#define op_MOVSX_GwEb_r op_UD
#define op_MOVSX_GwEb_m op_UD
#define op_MOVSX_GdEb_r op_UD
#define op_MOVSX_GdEb_m op_UD
#define op_MOVSX_GwEw_r op_UD
#define op_MOVSX_GwEw_m op_UD
#define op_MOVSX_GdEw_r op_UD
#define op_MOVSX_GdEw_m op_UD
#define op_XADD_EbGb_r op_UD
#define op_XADD_EbGb_m op_UD
#define op_XADD_EwGw_r op_UD
#define op_XADD_EwGw_m op_UD
#define op_XADD_EdGd_r op_UD
#define op_XADD_EdGd_m op_UD
#define op_BSWAP_Rw op_UD
#define op_BSWAP_Rd op_UD
#define op_CMPXCHG8B_Mq_m op_UD
