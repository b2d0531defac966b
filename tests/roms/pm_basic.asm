; Protected-mode basics (SDM vol. 3A 3.4-3.5, 5.1-5.8, 6.15, 9.9): enter
; protected mode, flat segments, limit checks (#GP(0), #SS(0)),
; expand-down data and stack segments, a not-present segment (#NP(sel), or
; #SS(sel) in SS), a null selector, the LDT, execute-only and conforming code
; segments, back to real mode keeping a 4 GiB limit in FS ("unreal" mode)
; and again into protected mode.
; Expected values come from the SDM. Not compared with Bochs: Debian 12's
; Bochs 2.7 has no nogui/term display and aborts ("buffer overflow
; detected") while starting its rfb display on the build host.
%include "pm.inc"
LDT_BASE        equ 0x5300
gdt_rom:
        PM_GDT_COMMON
        DESC 0x20000, 0xFFF, 0x93, 0x4          ; 0x40 data, limit 0xFFF
        DESC 0x30000, 0xFFF, 0x93, 0x4          ; 0x48 stack, limit 0xFFF
        DESC 0x40000, 0xFFF, 0x97, 0x4          ; 0x50 expand-down, big
        DESC 0x50000, 0xFFFF, 0x13, 0x4         ; 0x58 not present
        DESC ROMBASE, 0xFFFF, 0x9F, 0x4         ; 0x60 conforming code DPL 0
        DESC ROMBASE, 0xFFFF, 0xFF, 0x4         ; 0x68 conforming code DPL 3
        DESC ROMBASE, 0xFFFF, 0x99, 0x4         ; 0x70 execute-only code
        DESC 0x40000, 0xFFF, 0x97, 0x0          ; 0x78 expand-down, small (B=0)
        DESC LDT_BASE, 0xF, 0x82, 0x0           ; 0x80 LDT, two entries
        DESC 0, 0xFFFFF, 0x93, 0x8              ; 0x88 16-bit data, 4 GiB
        DESC 0x30000, 0xFFF, 0x97, 0x4          ; 0x90 expand-down stack
gdt_rom_end:

        ROM_START
        PM_ENTER

        bits 32
pm_main:
        PPRINT "protected mode", 10
        ; CR0.PE and a flat data segment
        mov eax, cr0
        test al, 1
        jnz .pe
        PFAIL 1
.pe:    mov dword [0x10000], 0x12345678
        mov eax, [0x10000]
        PCHECK eax, 0x12345678, 2
        mov ax, ds
        PCHECK ax, SEL_DATA0, 3
        ; a small data segment: base applies, limit 0xFFF is the last byte
        mov ax, 0x40
        mov es, ax
        mov byte [es:0xFFF], 0xA5
        PCHECK byte [0x20FFF], 0xA5, 4
        EXPECT_FAULT 13, 0, 5, mov eax, [es:0xFFE]
        EXPECT_FAULT 13, 0, 6, mov byte [es:0x1000], 1
        lsl eax, [ROMBASE + sel40]
        PCHECK eax, 0xFFF, 7
        ; the stack segment limit raises #SS(0)
        mov ebx, esp
        mov ax, 0x48
        mov ss, ax
        mov esp, 0x1000
        push dword 0xCAFEF00D
        PCHECK dword [0x30FFC], 0xCAFEF00D, 8
        EXPECT_FAULT 12, 0, 9, mov eax, [ss:0x1000]
        EXPECT_FAULT 12, 0, 10, mov eax, [ebp + 0xFFE]
        mov ax, SEL_DATA0
        mov ss, ax
        mov esp, ebx
        ; expand-down, B=1: valid offsets are limit+1 .. 0xFFFFFFFF
        mov ax, 0x50
        mov es, ax
        mov dword [es:0x2000], 0x600DF00D
        PCHECK dword [0x42000], 0x600DF00D, 11
        mov eax, [es:0xFFFFFFFC]
        EXPECT_FAULT 13, 0, 12, mov al, [es:0xFFF]
        EXPECT_FAULT 13, 0, 13, mov eax, [es:0xFFE]
        ; expand-down, B=0: upper bound 0xFFFF
        mov ax, 0x78
        mov es, ax
        mov ax, [es:0xFFFE]
        EXPECT_FAULT 13, 0, 14, mov eax, [es:0xFFFE]
        EXPECT_FAULT 13, 0, 15, mov al, [es:0x10000]
        ; not present: #NP with the selector as error code
        EXPECT_FAULT 11, 0x58, 16, mov es, [ROMBASE + sel58]
        mov ax, es
        PCHECK ax, 0x78, 17
        ; a null selector loads, but using it faults #GP(0)
        xor eax, eax
        mov es, ax
        EXPECT_FAULT 13, 0, 18, mov eax, [es:0]
        EXPECT_FAULT 13, 0, 19, mov byte [es:0x100], 0
        ; null SS is #GP(0) at ring 0
        EXPECT_FAULT 13, 0, 20, mov ss, ax
        ; selector beyond the GDT limit: #GP(sel)
        mov ax, 0x98
        EXPECT_FAULT 13, 0x98, 21, mov ds, ax
        ; a not-present segment in SS is #SS(sel), not #NP
        mov ax, 0x58
        EXPECT_FAULT 12, 0x58, 33, mov ss, ax
        ; an expand-down stack: pushes below the old top, #SS past the limit
        mov ebx, esp
        mov ax, 0x90
        mov ss, ax
        mov esp, 0x2000
        push dword 0x11223344
        PCHECK dword [0x31FFC], 0x11223344, 34
        mov eax, [ss:0x1000]
        EXPECT_FAULT 12, 0, 35, mov eax, [ss:0xFFC]
        PCHECK esp, 0x1FFC, 36
        mov ax, SEL_DATA0
        mov ss, ax
        mov esp, ebx
        ; the LDT: TI=1 selectors index it; its limit is checked
        mov dword [LDT_BASE], 0x0000FFFF        ; entry 0: data at 0x60000
        mov dword [LDT_BASE + 4], 0x00409306
        mov dword [LDT_BASE + 8], 0x0000FFFF    ; entry 1: not present
        mov dword [LDT_BASE + 12], 0x00401306
        mov ax, 4
        EXPECT_FAULT 13, 4, 37, mov es, ax      ; no LDT loaded yet
        mov ax, 0x80
        lldt ax
        mov ax, 4
        mov es, ax
        mov dword [es:0x10], 0x1D7
        PCHECK dword [0x60010], 0x1D7, 38
        mov ax, 0xC
        EXPECT_FAULT 11, 0xC, 39, mov es, ax
        mov ax, 0x14
        EXPECT_FAULT 13, 0x14, 40, mov es, ax   ; beyond the LDT limit
        mov ax, SEL_DATA0                       ; LLDT needs an LDT descriptor
        EXPECT_FAULT 13, SEL_DATA0, 41, lldt ax
        mov ax, SEL_DATA0
        mov es, ax
        xor eax, eax
        lldt ax
        ; execute-only code cannot be read through DS
        mov ax, 0x70
        EXPECT_FAULT 13, 0x70, 22, mov ds, ax
        ; a readable code segment can be loaded in DS but not in SS
        mov ax, SEL_CODE0
        mov fs, ax
        mov eax, [fs:sig]
        PCHECK eax, 0x51474953, 23
        EXPECT_FAULT 13, 0, 24, mov byte [fs:sig], 0
        mov ax, SEL_CODE0
        EXPECT_FAULT 13, SEL_CODE0, 25, mov ss, ax
        ; conforming code: a DPL 0 one can be called from ring 0 and keeps
        ; the RPL at CPL; a DPL 3 one is out of reach (conforming needs
        ; DPL <= CPL, SDM 5.8.1.2)
        call 0x60:conf_fn
        PCHECK dx, 0x60, 26
        EXPECT_FAULT 13, 0x68, 27, call 0x68:conf_fn
        EXPECT_FAULT 13, 0x48, 28, jmp 0x48:conf_fn
        ; LMSW cannot clear PE
        xor eax, eax
        lmsw ax
        smsw bx
        test bl, 1
        jnz .lmsw_ok
        PFAIL 45
.lmsw_ok:
        ; back to real mode through a 16-bit segment
        mov dword [0x200000], 0x0B16B16
        mov ax, SEL_DATA16
        mov ds, ax
        mov es, ax
        mov gs, ax
        mov ss, ax
        mov ax, 0x88                            ; FS keeps a 4 GiB limit
        mov fs, ax
        jmp SEL_CODE16:to_real

conf_fn:
        mov dx, cs
        retf

        bits 16
to_real:
        mov eax, cr0
        and al, 0xFE
        mov cr0, eax
        jmp 0xF000:in_real
in_real:
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x8000
        lidt [cs:real_idtr]
        mov word [0x80 * 4], real_int
        mov word [0x80 * 4 + 2], 0xF000
        mov dx, 0
        int 0x80
        CHECK_EQ dx, 0x1234, 29
        mov eax, cr0
        test al, 1
        jz .rm
        FAIL 30
.rm:    ; real-mode segment arithmetic again: 0x1000:0 is linear 0x10000
        mov ax, 0x1000
        mov es, ax
        mov eax, [es:0]
        CHECK_EQ eax, 0x12345678, 31
        ; "unreal" mode: FS keeps the 4 GiB limit from protected mode,
        ; even after a real-mode load changes its base
        CHECK_EQ dword [dword fs:0x200000], 0x0B16B16, 42
        xor ax, ax
        mov fs, ax
        mov dword [dword fs:0x200004], 0x600D
        ; while ES has a 64 KiB limit: #GP through the IVT
        mov word [13 * 4], real_gp
        mov word [13 * 4 + 2], 0xF000
        mov dx, 0
        mov ebx, 0x10000
        mov al, [es:ebx]
        CHECK_EQ dx, 0x0D0D, 43
        ; and back into protected mode
        lgdt [cs:pm_gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword SEL_CODE0:pm_again
real_int:
        mov dx, 0x1234
        iret
real_gp:
        ; skip the 4-byte MOV AL, [ES:EBX]
        push bp
        mov bp, sp
        add word [bp + 2], 4
        pop bp
        mov dx, 0x0D0D
        iret

        bits 32
pm_again:
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, STACK0_TOP
        lidt [ROMBASE + pm_idtr]
        mov ax, 0x40
        mov es, ax
        EXPECT_FAULT 13, 0, 32, mov eax, [es:0x1000]
        PCHECK dword [0x200004], 0x600D, 44
        jmp pm_pass

real_idtr:
        dw 0x3FF
        dd 0
sel40:  dw 0x40
sel58:  dw 0x58
sig:    dd 0x51474953
        PM_END
