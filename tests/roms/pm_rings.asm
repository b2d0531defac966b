; Privilege levels (SDM vol. 3A 5.5-5.10, 6.12, 7.2, 16.5 and the instruction
; pages): a ring-3 task entered by IRET, a call gate copying two parameters,
; a 16-bit call gate, an interrupt gate with DPL 3 (INT 0x80) and a trap
; gate, gates to conforming code (no stack switch), RETF to ring 3 nulling a DPL 0 data segment register, the inner
; stack from the TSS and the outer SS:ESP in the frame, privileged
; instructions raising #GP(0) at ring 3, the I/O bitmap, and the
; unprivileged system instructions (SGDT, SIDT, SMSW, STR, SLDT, PUSHF/POPF,
; LAR, LSL, VERR, VERW, PUSH CS) giving what hardware gives.
; Expected values come from the SDM. Not compared with Bochs: Debian 12's
; Bochs 2.7 has no nogui/term display and aborts ("buffer overflow
; detected") while starting its rfb display on the build host.
%include "pm.inc"
OUTER_ESP       equ 0x6100          ; ring 3 stores its ESP here before a call
GATE_SEEN       equ 0x6104          ; the gate stores what it saw here
RING3_STACK     equ 0x9F00
TEST_PORT_OK    equ 0x81
TEST_PORT_NO    equ 0x82

gdt_rom:
        PM_GDT_COMMON
        GATE SEL_CODE0, gate_fn, 2, 0xEC        ; 0x40 call gate DPL 3, 2 params
        DESC 0, 0xFFFFF, 0x93, 0xC              ; 0x48 data DPL 0
        DESC 0, 0xFFFFF, 0xF3, 0xC              ; 0x50 data DPL 3
        DESC ROMBASE, 0xFFFF, 0x9F, 0x4         ; 0x58 conforming code DPL 0
        GATE SEL_CODE0, gate_fn, 2, 0x8C        ; 0x60 call gate DPL 0
        DESC 0x5100, 0xF, 0x82, 0x0             ; 0x68 LDT
        DESC 0, 0xFFFFF, 0xF1, 0xC              ; 0x70 read-only data DPL 3
        GATE SEL_CODE0, ring0_done, 0, 0xEC     ; 0x78 call gate back to ring 0
        GATE SEL_CODE0, gate16_fn, 1, 0xE4      ; 0x80 16-bit call gate, 1 word
        GATE 0x58, conf_gate_fn, 0, 0xEC        ; 0x88 call gate to conforming code
gdt_rom_end:

        ROM_START
        PM_ENTER

        bits 32
pm_main:
        PPRINT "rings", 10
        mov ax, 0x68
        lldt ax
        SET_GATE 0x80, int80_fn, 0xEE
        SET_GATE 0x81, int80_fn, 0x8E
        SET_GATE 0x82, trap82_fn, 0xEF
        SET_GATE 0x83, conf_int_fn, 0xEE
        mov word [IDT_BASE + 0x83 * 8 + 2], 0x58  ; conforming code, DPL 0
        mov eax, TEST_PORT_OK
        btr [IOMAP], eax
        ; to ring 3 with IF=1, IOPL=0
        push dword SEL_DATA3
        push dword RING3_STACK
        push dword 0x202
        push dword SEL_CODE3
        push dword ring3
        iretd

ring3:
        mov ax, cs
        PCHECK ax, SEL_CODE3, 1
        mov ax, ss
        PCHECK ax, SEL_DATA3, 2
        ; IRET to an outer ring nulls data segment registers it cannot use
        mov ax, ds
        PCHECK ax, 0, 3
        mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        PCHECK esp, RING3_STACK, 4
        ; PUSH CS shows RPL 3
        push cs
        pop eax
        PCHECK ax, SEL_CODE3, 5
        ; call gate with two parameters
        push dword 0x1111
        push dword 0x2222
        mov [OUTER_ESP], esp
        call 0x40:0
        PCHECK eax, 0x6A7E, 6
        ; RETF 8 to the outer ring released the parameters there too
        PCHECK esp, RING3_STACK, 7
        mov ax, ss
        PCHECK ax, SEL_DATA3, 8
        PCHECK dword [GATE_SEEN], SEL_CODE0, 9
        PCHECK dword [GATE_SEEN + 4], STACK_TSS0 - 24, 10
        PCHECK dword [GATE_SEEN + 8], 0x2222, 11
        PCHECK dword [GATE_SEEN + 12], 0x1111, 12
        mov eax, [OUTER_ESP]
        PCHECK [GATE_SEEN + 16], eax, 13
        PCHECK dword [GATE_SEEN + 20], SEL_DATA3, 14
        PCHECK dword [GATE_SEEN + 24], SEL_CODE3, 15
        PCHECK dword [GATE_SEEN + 28], SEL_DATA0, 16
        ; a DPL 0 call gate is out of reach: #GP(selector)
        EXPECT_FAULT 13, 0x60, 17, call 0x60:0
        ; INT 0x80 through a DPL 3 interrupt gate
        mov eax, 0
        mov [OUTER_ESP], esp
        int 0x80
        PCHECK eax, 0xABCD, 18
        PCHECK dword [GATE_SEEN], SEL_CODE0, 19
        PCHECK dword [GATE_SEEN + 4], STACK_TSS0 - 20, 20
        PCHECK dword [GATE_SEEN + 8], SEL_CODE3, 21
        mov eax, [GATE_SEEN + 12]
        and eax, ~0x8D5                         ; arithmetic flags vary
        PCHECK eax, 0x202, 22
        mov eax, [OUTER_ESP]
        PCHECK [GATE_SEEN + 16], eax, 23
        PCHECK dword [GATE_SEEN + 20], SEL_DATA3, 24
        PCHECK dword [GATE_SEEN + 24], 0, 25     ; IF clear in the handler
        ; a DPL 0 gate: #GP with the IDT error code (vector * 8 + 2)
        EXPECT_FAULT 13, 0x81 * 8 + 2, 26, int 0x81
        ; privileged instructions: #GP(0)
        EXPECT_FAULT 13, 0, 27, cli
        EXPECT_FAULT 13, 0, 28, sti
        EXPECT_FAULT 13, 0, 29, hlt
        EXPECT_FAULT 13, 0, 30, lgdt [ROMBASE + pm_gdtr]
        EXPECT_FAULT 13, 0, 31, lidt [ROMBASE + pm_idtr]
        EXPECT_FAULT 13, 0, 32, mov eax, cr0
        EXPECT_FAULT 13, 0, 33, mov cr0, eax
        EXPECT_FAULT 13, 0, 34, mov eax, dr7
        EXPECT_FAULT 13, 0, 35, lldt ax
        EXPECT_FAULT 13, 0, 36, ltr ax
        EXPECT_FAULT 13, 0, 37, in al, TEST_PORT_NO
        EXPECT_FAULT 13, 0, 38, out TEST_PORT_NO, al
        EXPECT_FAULT 13, 0, 39, in ax, TEST_PORT_OK
        mov al, 0
        in al, TEST_PORT_OK
        PCHECK al, 0xFF, 40
        ; SGDT/SIDT give the kernel's tables
        sgdt [0x6200]
        PCHECK word [0x6200], gdt_rom_end - gdt_rom - 1, 41
        PCHECK dword [0x6202], GDT_BASE, 42
        sidt [0x6200]
        PCHECK word [0x6200], 0x7FF, 43
        PCHECK dword [0x6202], IDT_BASE, 44
        ; SMSW: CR0 after reset is 0x60000010 (SDM 9.1.1), plus PE
        smsw ax
        PCHECK ax, 0x0011, 45
        str ax
        PCHECK ax, SEL_TSS, 46
        sldt ax
        PCHECK ax, 0x68, 47
        ; POPF at CPL 3 with IOPL 0 keeps IF and IOPL, changes the others
        pushfd
        pop eax
        and eax, 0x3203
        PCHECK eax, 0x0202, 48
        push dword 0x3001
        popfd
        pushfd
        pop eax
        and eax, 0x3203
        PCHECK eax, 0x0203, 49
        ; LAR: DPL 3 data, gate, conforming code visible; DPL 0 ones not
        mov eax, 0x12345678
        lar eax, [ROMBASE + sel_data3]
        jz .lar1
        PFAIL 50
.lar1:  and eax, 0x00F0FF00
        PCHECK eax, 0x00C0F300, 51
        mov eax, 0x12345678
        lar eax, [ROMBASE + sel_data0]
        jnz .lar2
        PFAIL 52
.lar2:  PCHECK eax, 0x12345678, 53
        lar eax, [ROMBASE + sel_conf]
        jz .lar3
        PFAIL 54
.lar3:  and eax, 0x00F0FF00
        PCHECK eax, 0x00409F00, 55
        mov eax, 0x43
        lar eax, eax
        jz .lar4
        PFAIL 56
.lar4:  and eax, 0xFF00
        PCHECK eax, 0xEC00, 57
        mov eax, SEL_TSS
        lar eax, eax
        jnz .lar5
        PFAIL 58
.lar5:  ; LSL: the limit with G applied; gates have none
        lsl eax, [ROMBASE + sel_data3]
        jz .lsl1
        PFAIL 59
.lsl1:  PCHECK eax, 0xFFFFFFFF, 60
        mov eax, 0x43
        lsl ebx, eax
        jnz .lsl2
        PFAIL 61
.lsl2:  mov eax, 0x48
        lsl ebx, eax
        jnz .lsl3
        PFAIL 62
.lsl3:  ; VERR/VERW
        mov ax, 0x53
        verr ax
        jz .v1
        PFAIL 63
.v1:    verw ax
        jz .v2
        PFAIL 64
.v2:    mov ax, 0x73
        verr ax
        jz .v3
        PFAIL 65
.v3:    verw ax
        jnz .v4
        PFAIL 66
.v4:    mov ax, 0x48
        verr ax
        jnz .v5
        PFAIL 67
.v5:    mov ax, 0x58
        verr ax
        jz .v6
        PFAIL 68
.v6:    mov ax, SEL_CODE3
        verr ax
        jz .v7
        PFAIL 69
.v7:    verw ax
        jnz .v8
        PFAIL 70
.v8:    ; conforming code runs at the caller's CPL
        call 0x58:conf_fn
        PCHECK dx, 0x5B, 71
        PCHECK bx, SEL_DATA3, 72
        ; a DPL 3 trap gate leaves IF set
        mov dword [GATE_SEEN + 24], 0
        int 0x82
        PCHECK dword [GATE_SEEN + 24], 0x200, 79
        ; a 16-bit call gate: a 16-bit frame, one word parameter; RETF to
        ; ring 3 nulls ES, which the callee loaded with a DPL 0 selector
        push word 0x7777
        mov [OUTER_ESP], esp
        call 0x80:0
gate16_ret:
        PCHECK esp, RING3_STACK, 80
        PCHECK dword [GATE_SEEN + 4], STACK_TSS0 - 10, 81
        PCHECK dword [GATE_SEEN + 8], gate16_ret, 82
        PCHECK dword [GATE_SEEN + 12], SEL_CODE3, 83
        PCHECK dword [GATE_SEEN + 16], 0x7777, 84
        mov eax, [OUTER_ESP]
        PCHECK [GATE_SEEN + 20], eax, 85
        PCHECK dword [GATE_SEEN + 28], SEL_DATA3, 86
        mov ax, es
        PCHECK ax, 0, 87
        mov ax, ds
        PCHECK ax, SEL_DATA3, 88
        ; data segment loads at ring 3: max(CPL, RPL) <= DPL; SS needs
        ; RPL = DPL = CPL and a writable segment; error codes drop the RPL
        mov ax, 0x48
        EXPECT_FAULT 13, 0x48, 94, mov es, ax
        mov ax, 0x50
        mov es, ax
        EXPECT_FAULT 13, 0x50, 95, mov ss, ax
        mov ax, 0x73
        EXPECT_FAULT 13, 0x70, 96, mov ss, ax
        mov ax, 0x4B
        EXPECT_FAULT 13, 0x48, 97, mov fs, ax
        mov ax, ss
        PCHECK ax, SEL_DATA3, 98
        mov ax, SEL_DATA3
        mov es, ax
        ; ARPL raises a selector's RPL to the caller's
        mov ax, 0x48
        mov bx, cs
        arpl ax, bx
        jz .arpl1
        PFAIL 99
.arpl1: PCHECK ax, 0x4B, 100
        arpl ax, bx
        jnz .arpl2
        PFAIL 101
.arpl2: ; IRET cannot return to an inner ring: #GP(CS selector)
        push dword SEL_DATA0
        push dword 0x7000
        pushfd
        push dword SEL_CODE0
        push dword 0
        EXPECT_FAULT 13, SEL_CODE0, 102, iretd
        add esp, 20
        ; gates to conforming code: no privilege change, no stack switch
        mov [OUTER_ESP], esp
        int 0x83
        PCHECK dword [GATE_SEEN], 0x5B, 89
        mov eax, [OUTER_ESP]
        sub eax, 12
        PCHECK [GATE_SEEN + 4], eax, 90
        PCHECK dword [GATE_SEEN + 8], SEL_DATA3, 91
        call 0x88:0
        PCHECK dword [GATE_SEEN], 0x5B, 92
        mov eax, [OUTER_ESP]
        sub eax, 8
        PCHECK [GATE_SEEN + 4], eax, 93
        ; done: back to ring 0 through a gate
        call 0x78:0
        PFAIL 73

conf_fn:
        mov dx, cs
        mov bx, ss
        retf

; ring 0 through the call gate: record CS, ESP, the copied parameters and the
; outer SS:ESP, the caller's CS, and SS
gate_fn:
        mov [GATE_SEEN + 4], esp
        mov eax, cs
        mov [GATE_SEEN], eax
        mov eax, [esp + 8]
        mov [GATE_SEEN + 8], eax
        mov eax, [esp + 12]
        mov [GATE_SEEN + 12], eax
        mov eax, [esp + 16]
        mov [GATE_SEEN + 16], eax
        movzx eax, word [esp + 20]
        mov [GATE_SEEN + 20], eax
        movzx eax, word [esp + 4]
        mov [GATE_SEEN + 24], eax
        mov eax, ss
        mov [GATE_SEEN + 28], eax
        mov eax, 0x6A7E
        retf 8

int80_fn:
        mov [GATE_SEEN + 4], esp
        mov eax, cs
        mov [GATE_SEEN], eax
        movzx eax, word [esp + 4]
        mov [GATE_SEEN + 8], eax
        mov eax, [esp + 8]
        mov [GATE_SEEN + 12], eax
        mov eax, [esp + 12]
        mov [GATE_SEEN + 16], eax
        movzx eax, word [esp + 16]
        mov [GATE_SEEN + 20], eax
        pushfd
        pop eax
        and eax, 0x200
        mov [GATE_SEEN + 24], eax
        mov eax, 0xABCD
        iretd

trap82_fn:
        pushfd
        pop eax
        and eax, 0x200
        mov [GATE_SEEN + 24], eax
        iretd

gate16_fn:
        mov [GATE_SEEN + 4], esp
        movzx eax, word [esp]
        mov [GATE_SEEN + 8], eax
        movzx eax, word [esp + 2]
        mov [GATE_SEEN + 12], eax
        movzx eax, word [esp + 4]
        mov [GATE_SEEN + 16], eax
        movzx eax, word [esp + 6]
        mov [GATE_SEEN + 20], eax
        movzx eax, word [esp + 8]
        mov [GATE_SEEN + 28], eax
        mov ax, SEL_DATA0
        mov es, ax
        o16 retf 2

conf_int_fn:
        mov [GATE_SEEN + 4], esp
        mov eax, cs
        mov [GATE_SEEN], eax
        mov eax, ss
        mov [GATE_SEEN + 8], eax
        iretd

conf_gate_fn:
        mov [GATE_SEEN + 4], esp
        mov eax, cs
        mov [GATE_SEEN], eax
        retf

ring0_done:
        mov ax, cs
        PCHECK ax, SEL_CODE0, 74
        jmp pm_pass

sel_data3:      dw 0x53
sel_data0:      dw 0x48
sel_conf:       dw 0x5B
        PM_END
