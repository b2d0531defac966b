; Virtual-8086 mode (SDM vol. 3A 20.2-20.3): a 32-bit ring-0 kernel with a
; TSS enters v86 by IRET with VM=1; v86 code uses real-mode segment
; arithmetic; with IOPL 3, CLI/STI/PUSHF/POPF work (POPF leaves IOPL alone)
; and INT n goes through the IDT to a ring-0 handler that sees the v86 frame
; (EIP CS EFLAGS ESP SS ES DS FS GS) with null data segment registers;
; exceptions (#DE, #GP from the 64 KiB limit, MOV CR0, INT n through a DPL 0
; gate) reach ring 0 with a v86 frame; IRET and a 32-bit PUSHF (VM and RF
; clear in the image) with IOPL 3; IN/OUT always obey the I/O bitmap; with
; IOPL 0, CLI/STI/PUSHF/POPF/INT n/IRET fault #GP(0) to a monitor that
; emulates them and reflects INT n through the real-mode IVT; INT 0x80
; returns to the kernel. Then a v86 task entered by CALL to a TSS with VM
; set, which returns through a ring-0 IRET with NT.
; Expected values come from the SDM. Not compared with Bochs: Debian 12's
; Bochs 2.7 has no nogui/term display and aborts ("buffer overflow
; detected") while starting its rfb display on the build host.
%include "pm.inc"
MON_N           equ 0x6100          ; count of instructions the monitor saw
MON_LOG         equ 0x6110          ; their opcodes
FRAME_SEEN      equ 0x6200          ; the INT 0x80 frame, 9 dwords
SEGS_SEEN       equ 0x6240          ; DS ES FS GS in the handler, then ESP
V86_SS          equ 0x0800
V86_SP          equ 0x1F00
VM              equ 0x20000
TSS_V           equ 0x5300
SEL_TSS_V       equ 0x40

gdt_rom:
        PM_GDT_COMMON
        DESC TSS_V, 0x67, 0x89, 0x0             ; 0x40 a v86 task
gdt_rom_end:

        ROM_START
        PM_ENTER

        bits 32
pm_main:
        PPRINT "v86", 10
        SET_GATE 13, gp_monitor, 0x8E
        SET_GATE 0x80, int80_fn, 0xEE
        mov eax, 0x81
        btr [IOMAP], eax
        mov word [0x21 * 4], v86_int21
        mov word [0x21 * 4 + 2], 0xF000
        mov dword [0x10010], 0xABCD
        mov dword [MON_N], 0
        ; IRET to v86: GS FS DS ES SS ESP EFLAGS CS EIP
        push dword 0x4000
        push dword 0x3000
        push dword 0x1000
        push dword 0x2000
        push dword V86_SS
        push dword V86_SP
        push dword VM | 0x3002
        push dword 0xF000
        push dword v86_code
        iretd

v86_exit:
        ; ring 0 again, on the monitor's stack; the kernel takes back its own
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov esp, STACK0_TOP
        pushfd
        pop eax
        test eax, VM
        jz .novm
        PFAIL 40
.novm:  PCHECK word [0x20020], 0x1234, 41
        PCHECK dword [MON_N], 10, 42
        ; a task whose TSS has VM set runs in v86; its INT 0x85 reaches
        ; ring 0 on the task's SS0:ESP0, where IRET with NT returns to us
        mov edi, TSS_V
        mov ecx, 0x68
        xor eax, eax
        rep stosb
        mov dword [TSS_V + 4], 0x7800           ; ESP0
        mov dword [TSS_V + 8], SEL_DATA0        ; SS0
        mov dword [TSS_V + 0x20], v86_task
        mov dword [TSS_V + 0x24], VM | 0x3002
        mov dword [TSS_V + 0x28], 0x1357        ; EAX
        mov dword [TSS_V + 0x38], V86_SP
        mov word [TSS_V + 0x4C], 0xF000         ; CS
        mov word [TSS_V + 0x50], V86_SS         ; SS
        mov word [TSS_V + 0x54], 0x1000         ; DS
        mov word [TSS_V + 0x66], 0x68           ; no I/O bitmap
        SET_GATE 0x85, v86_task_ret, 0xEE
        mov dword [0x10030], 0
        mov ebx, 0xB0B
        call SEL_TSS_V:0
        PCHECK ebx, 0xB0B, 53
        PCHECK dword [0x10030], 0x1357, 54
        PCHECK word [0x10034], 0xF000, 55
        PCHECK word [0x10036], 0xABCD, 56
        PCHECK dword [0x10038], 0x7800 - 36, 57
        test dword [TSS_V + 0x24], VM
        jz .tvm
        PFAIL 58
.tvm:   str ax
        PCHECK ax, SEL_TSS, 59
        jmp pm_pass

; ring 0 in the v86 task: back to the task that called it
v86_task_ret:
        mov [ss:0x10038], esp                   ; DS is null here
        pushfd
        or dword [esp], 0x4000
        popfd
        iretd

; INT 0x80 through a DPL 3 gate from v86 with IOPL 3: record the frame;
; AH=1 drops the v86 IOPL to 0
int80_fn:
        mov [ss:SEGS_SEEN], ds
        mov [ss:SEGS_SEEN + 4], es
        mov [ss:SEGS_SEEN + 8], fs
        mov [ss:SEGS_SEEN + 12], gs
        mov [ss:SEGS_SEEN + 16], esp
        push eax
        push ecx
        mov ecx, 9
.copy:  mov eax, [esp + 4 + ecx * 4]
        mov [ss:FRAME_SEEN - 4 + ecx * 4], eax
        loop .copy
        pop ecx
        pop eax
        cmp ah, 1
        jne .ret
        and dword [esp + 8], ~0x3000
.ret:   iretd

; #GP monitor for v86: emulate or reflect the faulting instruction
gp_monitor:
        test dword [esp + 12], VM
        jz exc_stub_13
        cmp dword [ss:REC_FIXUP], 0             ; an expected fault
        jne exc_stub_13
        pushad
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov ebp, esp
        cmp dword [ebp + 32], 0
        je .err_ok
        PFAIL 0xF1
.err_ok:
        movzx eax, word [ebp + 40]
        shl eax, 4
        movzx ebx, word [ebp + 36]
        add eax, ebx
        movzx ecx, byte [eax]
        mov edx, [MON_N]
        and edx, 0x0F
        mov [MON_LOG + edx], cl
        inc dword [MON_N]
        cmp cl, 0xFA
        je .skip1
        cmp cl, 0xFB
        je .skip1
        cmp cl, 0x9C
        je .skip1
        cmp cl, 0x9D
        je .skip1
        cmp cl, 0xE4
        je .in
        cmp cl, 0xE6
        je .out
        cmp cl, 0xCD
        je .int
        cmp cl, 0xCF
        je .iret
        PFAIL 0xF2
.skip1: inc word [ebp + 36]
        jmp .ret
.out:   add word [ebp + 36], 2
        jmp .ret
.in:    add word [ebp + 36], 2
        mov byte [ebp + 28], 0x5A
        jmp .ret
.int:   movzx ebx, byte [eax + 1]
        cmp bl, 0x80
        je v86_exit
        ; reflect: push FLAGS CS IP on the v86 stack, vector through the IVT
        movzx edi, word [ebp + 52]
        shl edi, 4
        movzx edx, word [ebp + 48]
        sub dx, 6
        mov [ebp + 48], dx
        add edi, edx
        mov ax, [ebp + 36]
        add ax, 2
        mov [edi], ax
        mov ax, [ebp + 40]
        mov [edi + 2], ax
        mov ax, [ebp + 44]
        mov [edi + 4], ax
        mov ax, [ebx * 4]
        mov [ebp + 36], ax
        mov ax, [ebx * 4 + 2]
        mov [ebp + 40], ax
        jmp .ret
.iret:  movzx edi, word [ebp + 52]
        shl edi, 4
        movzx edx, word [ebp + 48]
        add edi, edx
        add word [ebp + 48], 6
        mov ax, [edi]
        mov [ebp + 36], ax
        mov ax, [edi + 2]
        mov [ebp + 40], ax
        mov ax, [edi + 4]
        and ax, 0x0DD5                          ; arithmetic flags, DF, TF
        and word [ebp + 44], ~0x0DD5
        or [ebp + 44], ax
.ret:   popad
        add esp, 4
        iretd

        bits 16
v86_code:
        ; real-mode segment arithmetic
        CHECK_EQ word [0x10], 0xABCD, 1
        mov word [es:0x20], 0x1234
        mov ax, cs
        CHECK_EQ ax, 0xF000, 2
        mov ax, fs
        CHECK_EQ ax, 0x3000, 3
        mov ax, gs
        CHECK_EQ ax, 0x4000, 4
        mov ax, ss
        CHECK_EQ ax, V86_SS, 5
        CHECK_EQ sp, V86_SP, 6
        ; IOPL 3: the flag instructions work, POPF keeps IOPL
        pushf
        pop ax
        and ax, 0x3200
        CHECK_EQ ax, 0x3000, 7
        sti
        pushf
        pop ax
        and ax, 0x3200
        CHECK_EQ ax, 0x3200, 8
        cli
        mov ax, 0x0001
        push ax
        popf
        pushf
        pop ax
        and ax, 0x3201
        CHECK_EQ ax, 0x3001, 9
        ; the I/O bitmap decides even with IOPL 3
        mov al, 0
        in al, 0x81
        CHECK_EQ al, 0xFF, 10
        in al, 0x82
        CHECK_EQ al, 0x5A, 11
        ; INT 0x80 through the IDT: the v86 frame
        mov ah, 0
        int 0x80
.after_int:
        mov ax, 0x0600
        mov ds, ax
        CHECK_EQ word [FRAME_SEEN - 0x6000], .after_int, 12
        CHECK_EQ word [FRAME_SEEN - 0x6000 + 4], 0xF000, 13
        mov eax, [FRAME_SEEN - 0x6000 + 8]
        and eax, VM | 0x3000
        CHECK_EQ eax, VM | 0x3000, 14
        CHECK_EQ dword [FRAME_SEEN - 0x6000 + 12], V86_SP, 15
        CHECK_EQ dword [FRAME_SEEN - 0x6000 + 16], V86_SS, 16
        CHECK_EQ dword [FRAME_SEEN - 0x6000 + 20], 0x2000, 17
        CHECK_EQ dword [FRAME_SEEN - 0x6000 + 24], 0x1000, 18
        CHECK_EQ dword [FRAME_SEEN - 0x6000 + 28], 0x3000, 19
        CHECK_EQ dword [FRAME_SEEN - 0x6000 + 32], 0x4000, 20
        CHECK_EQ word [SEGS_SEEN - 0x6000], 0, 21
        CHECK_EQ word [SEGS_SEEN - 0x6000 + 4], 0, 22
        CHECK_EQ word [SEGS_SEEN - 0x6000 + 8], 0, 23
        CHECK_EQ word [SEGS_SEEN - 0x6000 + 12], 0, 24
        CHECK_EQ dword [SEGS_SEEN - 0x6000 + 16], STACK_TSS0 - 36, 25
        ; exceptions in v86 reach ring 0 with a v86 frame
        mov dword [REC_FIXUP - 0x6000], .de_done
        xor cx, cx
.de_at: div cx
        FAIL 34
.de_done:
        CHECK_EQ dword [REC_VEC - 0x6000], 0, 35
        CHECK_EQ dword [REC_EIP - 0x6000], .de_at, 36
        CHECK_EQ dword [REC_CS - 0x6000], 0xF000, 37
        test dword [REC_EFL - 0x6000], VM
        jnz .de_vm
        FAIL 38
.de_vm: ; the 64 KiB limit: a word at offset 0xFFFF is #GP(0)
        mov dword [REC_FIXUP - 0x6000], .lim_done
        mov bx, 0xFFFF
        mov ax, [bx]
        FAIL 39
.lim_done:
        CHECK_EQ dword [REC_VEC - 0x6000], 13, 43
        CHECK_EQ dword [REC_ERR - 0x6000], 0, 44
        ; v86 runs at CPL 3: MOV from CR0 is #GP(0)
        mov dword [REC_FIXUP - 0x6000], .cr_done
        mov eax, cr0
        FAIL 45
.cr_done:
        CHECK_EQ dword [REC_VEC - 0x6000], 13, 46
        ; INT n with IOPL 3 needs a DPL 3 gate: vector 0x21's is DPL 0
        mov dword [REC_FIXUP - 0x6000], .int_done
        int 0x21
        FAIL 47
.int_done:
        CHECK_EQ dword [REC_VEC - 0x6000], 13, 48
        CHECK_EQ dword [REC_ERR - 0x6000], 0x21 * 8 + 2, 49
        ; IRET with IOPL 3 runs in v86
        pushf
        push cs
        push word .iret_to
        iret
        FAIL 50
.iret_to:
        ; a 32-bit PUSHF stores VM and RF clear
        o32 pushf
        pop eax
        test eax, VM | 0x10000
        jz .pushfd_ok
        FAIL 51
.pushfd_ok:
        and eax, 0x3000
        CHECK_EQ eax, 0x3000, 52
        ; the kernel drops IOPL to 0
        mov ah, 1
        int 0x80
        ; IOPL 0: each of these faults to the monitor
        cli
        sti
        pushf
        mov ax, 0x0001
        push ax
        popf
        pop ax
        in al, 0x82
        CHECK_EQ al, 0x5A, 26
        out 0x81, al
        out 0x82, al
        in al, 0x81
        CHECK_EQ al, 0xFF, 27
        mov bx, 0
        int 0x21
        CHECK_EQ bx, 0x2121, 28
        CHECK_EQ dword [MON_N - 0x6000], 9, 29
        ; IN (IOPL 3), CLI STI PUSHF POPF IN OUT INT 0x21 and the handler's
        ; IRET
        CHECK_EQ dword [MON_LOG - 0x6000], 0x9CFBFAE4, 30
        CHECK_EQ dword [MON_LOG - 0x6000 + 4], 0xCDE6E49D, 31
        CHECK_EQ byte [MON_LOG - 0x6000 + 8], 0xCF, 60
        CHECK_EQ sp, V86_SP, 32
        int 0x80
        FAIL 33
v86_task:
        mov [0x30], eax
        mov [0x34], cs
        mov ax, [0x10]
        mov [0x36], ax
        int 0x85
v86_int21:
        mov bx, 0x2121
        iret
        PM_END
