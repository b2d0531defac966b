/*
 * Handlers named in opcodes.def that are not written yet, protected-mode
 * system family (descriptor-table instructions; #UD in real and v86 mode):
 * the decoder maps them to #UD. Delete a line when its handler lands.
 * All of them have landed (cpu/ops_prot.c).
 */
