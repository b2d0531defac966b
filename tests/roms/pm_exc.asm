; Exceptions (SDM vol. 3A 6.3-6.15, 7.3 task switching, 17.2-17.3 debug
; registers and debug exceptions): IDT error codes (IDT and EXT bits) for
; missing gates, #UD, #DE (a fault: EIP of the DIV),
; INTO and INT3 (traps: EIP after), BOUND (#BR), single-step with TF (DR6.BS,
; trap after the instruction following the POPF that set TF), a DR0
; instruction breakpoint (fault) and a DR1 data write breakpoint (trap), a
; double fault (#GP whose gate is not present, or past the IDT limit)
; delivered through a task gate to its own TSS and returned from with IRET
; (NT), task switches by CALL (a new LDT, NT and back link, resumption after
; the IRET) and by JMP (busy bits, no link), and a triple fault that resets
; the machine: a marker in RAM, which survives the reset, sends the rebooted
; ROM to its final checks.
; Expected values come from the SDM. Not compared with Bochs: Debian 12's
; Bochs 2.7 has no nogui/term display and aborts ("buffer overflow
; detected") while starting its rfb display on the build host.
%include "pm.inc"
TSS_DF          equ 0x5200
SEL_TSS_DF      equ 0x48
DF_SEEN         equ 0x6100
MARKER          equ 0x500
MARKER_MAGIC    equ 0x4C505254      ; "TRPL"
WATCH           equ 0x6300
TSS_T2          equ 0x5300
SEL_TSS_T2      equ 0x50
LDT_T2          equ 0x5380
T2_SEEN         equ 0x6400
DF_CAUSE        equ 0x6104
DF_RESUME       equ 0x6108

gdt_rom:
        PM_GDT_COMMON
        DESC 0x10000, 0xFFF, 0x93, 0x4          ; 0x40 data (not used by the checks)
        DESC TSS_DF, 0x67, 0x89, 0x0            ; 0x48 TSS of the #DF task
        DESC TSS_T2, 0x67, 0x89, 0x0            ; 0x50 TSS of task 2
        DESC LDT_T2, 0x7, 0x82, 0x0             ; 0x58 task 2's LDT
gdt_rom_end:

        ROM_START
        cmp dword [MARKER], MARKER_MAGIC
        jne .cold
        jmp after_triple
.cold:
        PM_ENTER

        bits 32
pm_main:
        PPRINT "exceptions", 10
        ; #UD
        EXPECT_FAULT 6, 0, 1, ud2
        EXPECT_FAULT 6, 0, 2, db 0x8E, 0xC8   ; MOV CS, AX
        EXPECT_FAULT 6, 0, 3, db 0xF0, 0x90      ; LOCK NOP
        ; #DE is a fault: EIP of the DIV
        xor ecx, ecx
        mov eax, 5
        xor edx, edx
        EXPECT_FAULT 0, 0, 4, exc_de_at: div ecx
        PCHECK dword [REC_EIP], exc_de_at, 5
        PCHECK eax, 5, 6
        mov eax, 0x80000000
        cdq
        mov ecx, -1
        EXPECT_FAULT 0, 0, 7, idiv ecx
        ; IDT error codes: IDT bit 1, EXT bit 0 set for exceptions only
        mov byte [IDT_BASE + 6 * 8 + 5], 0x0E   ; #UD gate not present
        EXPECT_FAULT 11, 6 * 8 + 3, 83, ud2
        mov byte [IDT_BASE + 6 * 8 + 5], 0x8E
        mov byte [IDT_BASE + 0x40 * 8 + 5], 0x0E
        EXPECT_FAULT 11, 0x40 * 8 + 2, 84, int 0x40
        mov byte [IDT_BASE + 0x40 * 8 + 5], 0x8E
        lidt [ROMBASE + idtr_below_40]
        EXPECT_FAULT 13, 0x40 * 8 + 2, 85, int 0x40
        lidt [ROMBASE + pm_idtr]
        ; INTO traps only with OF set; EIP after it
        mov al, 0x10
        add al, 1
        into
        mov al, 0x7F
        add al, 1
        EXPECT_FAULT 4, 0, 8, exc_into_at: into
        PCHECK dword [REC_EIP], exc_into_at + 1, 9
        ; INT3 is a trap too
        EXPECT_FAULT 3, 0, 10, exc_int3_at: int3
        PCHECK dword [REC_EIP], exc_int3_at + 1, 47
        ; BOUND: in range passes, out of range is #BR, a fault
        mov eax, 20
        bound eax, [cs:bounds]
        mov eax, 31
        EXPECT_FAULT 5, 0, 11, exc_br_at: bound eax, [cs:bounds]
        PCHECK dword [REC_EIP], exc_br_at, 12
        ; single-step: TF set by POPF traps after the next instruction
        xor eax, eax
        mov dr6, eax
        xor ebx, ebx
        mov dword [REC_FIXUP], .ss_done
        pushfd
        or dword [esp], 0x100
        popfd
        mov ebx, 1
.ss_next:
        mov ebx, 2
        PFAIL 13
.ss_done:
        PCHECK dword [REC_VEC], 1, 14
        PCHECK dword [REC_EIP], .ss_next, 15
        PCHECK ebx, 1, 16
        mov eax, dr6
        test eax, 0x4000
        jnz .bs
        PFAIL 17
.bs:    pushfd
        pop eax
        test eax, 0x100
        jz .tf_off
        PFAIL 18
.tf_off:
        ; TF set by IRET: the trap follows the first instruction there
        mov dword [REC_FIXUP], .iret_ss_done
        xor ebx, ebx
        pushfd
        or dword [esp], 0x100
        push dword SEL_CODE0
        push dword .iret_to
        iretd
.iret_to:
        inc ebx
.iret_next:
        inc ebx
        PFAIL 79
.iret_ss_done:
        PCHECK dword [REC_VEC], 1, 80
        PCHECK dword [REC_EIP], .iret_next, 81
        PCHECK ebx, 1, 82
        ; DR0 instruction breakpoint: a fault before the instruction runs
        xor eax, eax
        mov dr6, eax
        mov eax, ROMBASE + .bp_at
        mov dr0, eax
        mov eax, 0x1                            ; L0, execute, length 1
        mov dr7, eax
        xor ebx, ebx
        mov dword [REC_FIXUP], .bp_done
.bp_at: mov ebx, 1
        PFAIL 19
.bp_done:
        xor eax, eax
        mov dr7, eax
        PCHECK dword [REC_VEC], 1, 20
        PCHECK dword [REC_EIP], .bp_at, 21
        PCHECK ebx, 0, 22
        mov eax, dr6
        test eax, 1
        jnz .b0
        PFAIL 23
.b0:    ; DR1 data write breakpoint: a trap after the write
        xor eax, eax
        mov dr6, eax
        mov eax, WATCH
        mov dr1, eax
        mov eax, 0x00D00004                     ; L1, write, 4 bytes
        mov dr7, eax
        mov ecx, [WATCH]                        ; reads do not trigger
        mov dword [REC_FIXUP], .wp_done
        mov dword [WATCH], 0x5EEB
.wp_next:
        PFAIL 24
.wp_done:
        xor eax, eax
        mov dr7, eax
        PCHECK dword [REC_VEC], 1, 25
        PCHECK dword [REC_EIP], .wp_next, 26
        PCHECK dword [WATCH], 0x5EEB, 27
        mov eax, dr6
        and eax, 0x0F
        PCHECK eax, 2, 28
        ; double fault: #GP whose gate is not present; #DF is a task gate
        call build_df_task
        mov byte [IDT_BASE + 13 * 8 + 5], 0x0E
        mov dword [DF_SEEN], 0
        mov dword [DF_CAUSE], df_cause
        mov dword [DF_RESUME], df_resume
        mov ax, 0x1000
df_cause:
        mov ds, ax
        PFAIL 29
df_resume:
        mov ax, SEL_DATA0
        mov ds, ax
        mov byte [IDT_BASE + 13 * 8 + 5], 0x8E
        PCHECK dword [DF_SEEN], 1, 30
        str ax
        PCHECK ax, SEL_TSS, 31
        PCHECK byte [GDT_BASE + SEL_TSS_DF + 5], 0x89, 32
        PCHECK byte [GDT_BASE + SEL_TSS + 5], 0x8B, 33
        ; double fault again: #GP's vector is past the IDT limit
        call build_df_task
        mov dword [DF_SEEN], 0
        mov dword [DF_CAUSE], df_cause2
        mov dword [DF_RESUME], df_resume2
        lidt [ROMBASE + short_idtr]
        mov ax, 0x1000
df_cause2:
        mov ds, ax
        PFAIL 55
df_resume2:
        mov ax, SEL_DATA0
        mov ds, ax
        PCHECK dword [DF_SEEN], 1, 56
        sidt [0x6500]
        PCHECK word [0x6500], 0x7FF, 57
        ; CALL to a TSS: task 2 starts with the registers of its TSS and
        ; its LDT; its IRET (NT set) returns, and the next CALL resumes it
        ; after that IRET
        call build_t2
        mov ebx, 0x1234
        mov esi, 0x5678
        call SEL_TSS_T2:0
        PCHECK ebx, 0x1234, 60
        PCHECK esi, 0x5678, 61
        PCHECK dword [T2_SEEN], 0xA1A1A1A1, 62
        PCHECK dword [T2_SEEN + 4], SEL_TSS, 63
        PCHECK dword [T2_SEEN + 8], 0x4002, 64
        PCHECK dword [T2_SEEN + 12], 0x58, 65
        PCHECK dword [T2_SEEN + 16], 0xCAFE, 66
        PCHECK byte [GDT_BASE + SEL_TSS_T2 + 5], 0x89, 67
        sldt ax
        PCHECK ax, 0, 68
        mov ebx, 0x1111
        call SEL_TSS_T2:0
        PCHECK ebx, 0x1111, 69
        PCHECK dword [T2_SEEN + 20], 0xB2B2B2B2, 70
        PCHECK dword [T2_SEEN + 24], SEL_TSS_T2 + 0x1, 71
        ; calling a busy task (our own) is #GP(selector)
        EXPECT_FAULT 13, SEL_TSS, 72, call SEL_TSS:0
        ; JMP to task 2: no link, no NT; it jumps back, leaving itself free
        mov dword [TSS_T2 + 0x20], t2_jmp
        mov ebx, 0x2222
        jmp SEL_TSS_T2:0
t2_back:
        PCHECK ebx, 0x2222, 73
        PCHECK dword [T2_SEEN + 28], 0, 74
        PCHECK byte [GDT_BASE + SEL_TSS_T2 + 5], 0x89, 75
        PCHECK byte [GDT_BASE + SEL_TSS + 5], 0x8B, 76
        str ax
        PCHECK ax, SEL_TSS, 77
        ; triple fault: no usable IDT at all
        PPRINT "triple fault", 10
        mov dword [MARKER], MARKER_MAGIC
        lidt [ROMBASE + null_idtr]
        ud2
        PFAIL 34

build_df_task:
        mov edi, TSS_DF
        mov ecx, 0x68
        xor eax, eax
        rep stosb
        mov eax, cr3
        mov [TSS_DF + 0x1C], eax
        mov dword [TSS_DF + 0x20], df_task
        mov dword [TSS_DF + 0x24], 0x2
        mov dword [TSS_DF + 0x38], 0x7800
        mov word [TSS_DF + 0x48], SEL_DATA0     ; ES
        mov word [TSS_DF + 0x4C], SEL_CODE0     ; CS
        mov word [TSS_DF + 0x50], SEL_DATA0     ; SS
        mov word [TSS_DF + 0x54], SEL_DATA0     ; DS
        mov word [TSS_DF + 0x66], 0x68
        mov edi, IDT_BASE + 8 * 8
        mov dword [edi], SEL_TSS_DF << 16
        mov dword [edi + 4], 0x8500
        ret

build_t2:
        mov edi, TSS_T2
        mov ecx, 0x68
        xor eax, eax
        rep stosb
        mov eax, cr3
        mov [TSS_T2 + 0x1C], eax
        mov dword [TSS_T2 + 0x20], t2_entry
        mov dword [TSS_T2 + 0x24], 0x2
        mov dword [TSS_T2 + 0x28], 0xA1A1A1A1   ; EAX
        mov dword [TSS_T2 + 0x38], 0x7A00       ; ESP
        mov word [TSS_T2 + 0x48], SEL_DATA0     ; ES
        mov word [TSS_T2 + 0x4C], SEL_CODE0     ; CS
        mov word [TSS_T2 + 0x50], SEL_DATA0     ; SS
        mov word [TSS_T2 + 0x54], SEL_DATA0     ; DS
        mov word [TSS_T2 + 0x58], 0x4           ; FS: LDT entry 0
        mov word [TSS_T2 + 0x60], 0x58          ; LDT
        mov word [TSS_T2 + 0x66], 0x68
        ; LDT entry 0: data at 0x68000
        mov dword [LDT_T2], 0x8000FFFF
        mov dword [LDT_T2 + 4], 0x00409306
        mov dword [0x68010], 0xCAFE
        ret

; task 2: record what it started with, go back, record on resumption
t2_entry:
        mov [T2_SEEN], eax
        movzx eax, word [TSS_T2]
        mov [T2_SEEN + 4], eax
        pushfd
        pop eax
        and eax, 0x4202
        mov [T2_SEEN + 8], eax
        sldt ax
        movzx eax, ax
        mov [T2_SEEN + 12], eax
        mov eax, [fs:0x10]
        mov [T2_SEEN + 16], eax
        mov ebx, 0xDEAD
        mov esi, 0xBEEF
        iretd
        mov dword [T2_SEEN + 20], 0xB2B2B2B2
        str ax
        inc ax
        movzx eax, ax
        mov [T2_SEEN + 24], eax
        iretd
        PFAIL 78

t2_jmp:
        pushfd
        pop eax
        and eax, 0x4000
        mov [T2_SEEN + 28], eax
        mov ebx, 0xDEAD
        mov dword [TSS_BASE + 0x20], t2_back
        jmp SEL_TSS:0

; the #DF task: error code 0 on its stack, linked back to the main task
df_task:
        PCHECK esp, 0x7800 - 4, 40
        PCHECK dword [esp], 0, 41
        str ax
        PCHECK ax, SEL_TSS_DF, 42
        PCHECK word [TSS_DF], SEL_TSS, 43
        mov eax, [DF_CAUSE]
        PCHECK dword [TSS_BASE + 0x20], eax, 44
        lidt [ROMBASE + pm_idtr]
        pushfd
        pop eax
        test eax, 0x4000
        jnz .nt
        PFAIL 45
.nt:    mov dword [DF_SEEN], 1
        mov eax, [DF_RESUME]
        mov dword [TSS_BASE + 0x20], eax
        add esp, 4
        iretd
        PFAIL 46

bounds: dd 10, 30
null_idtr:
        dw 0
        dd 0
short_idtr:
        dw 13 * 8 - 1
        dd IDT_BASE
idtr_below_40:
        dw 0x40 * 8 - 1
        dd IDT_BASE

        bits 16
after_triple:
        ; the reset left real mode and RAM
        mov dword [MARKER], 0
        mov eax, cr0
        test al, 1
        jz .rm
        FAIL 50
.rm:    PRINT {"reset after triple fault", 10}
        jmp rom_pass
        PM_END
