/*
 * Handlers named in opcodes.def that are not written yet, protected-mode
 * system family (descriptor-table instructions; #UD in real and v86 mode):
 * the decoder maps them to #UD. Delete a line when its handler lands.
 */
#define op_ARPL_EwGw_r op_UD
#define op_ARPL_EwGw_m op_UD
#define op_LAR_GwEw_r op_UD
#define op_LAR_GwEw_m op_UD
#define op_LAR_GdEw_r op_UD
#define op_LAR_GdEw_m op_UD
#define op_LSL_GwEw_r op_UD
#define op_LSL_GwEw_m op_UD
#define op_LSL_GdEw_r op_UD
#define op_LSL_GdEw_m op_UD
#define op_SLDT_Ew_r op_UD
#define op_SLDT_Ew_m op_UD
#define op_SLDT_Ed_r op_UD
#define op_SLDT_Ed_m op_UD
#define op_STR_Ew_r op_UD
#define op_STR_Ew_m op_UD
#define op_STR_Ed_r op_UD
#define op_STR_Ed_m op_UD
#define op_LLDT_Ew_r op_UD
#define op_LLDT_Ew_m op_UD
#define op_LTR_Ew_r op_UD
#define op_LTR_Ew_m op_UD
#define op_VERR_Ew_r op_UD
#define op_VERR_Ew_m op_UD
#define op_VERW_Ew_r op_UD
#define op_VERW_Ew_m op_UD
