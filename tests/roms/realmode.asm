; Real-mode instruction battery: each check fails with its own code.
; Exercises arithmetic and flags, the stack, near and far calls, INT through
; the IVT, string instructions with REP, 32-bit operands and addressing in
; real mode, FS/GS, MUL/DIV and #DE through the IVT, BCD, bit scans, shifts.
%include "rom.inc"
        ROM_START
        ; arithmetic and flags
        mov ax, 0x7FFF
        add ax, 1
        jo .of_ok
        FAIL 1
.of_ok: CHECK_EQ ax, 0x8000, 2
        mov bl, 0xFF
        inc bl
        jz .inc_ok
        FAIL 3
.inc_ok:
        stc
        mov cx, 5
        adc cx, 1
        CHECK_EQ cx, 7, 4
        ; stack and near call
        mov ax, 0x1234
        push ax
        call near_fn
        pop bx
        CHECK_EQ bx, 0x1234, 5
        CHECK_EQ dx, 0xBEEF, 6
        ; far call through a pointer in RAM
        mov word [0x1000], far_fn
        mov word [0x1002], 0xF000
        call far [0x1000]
        CHECK_EQ dx, 0xCAFE, 7
        ; INT through the IVT: vector 0x80 -> int_fn
        mov word [0x80*4], int_fn
        mov word [0x80*4+2], 0xF000
        mov dx, 0
        int 0x80
        CHECK_EQ dx, 0x4242, 8
        ; REP STOSB then REPE CMPSB
        mov di, 0x2000
        mov cx, 64
        mov al, 0x5A
        cld
        rep stosb
        CHECK_EQ di, 0x2040, 9
        mov si, 0x2000
        mov di, 0x2001
        mov cx, 63
        repe cmpsb
        jz .cmps_ok
        FAIL 10
.cmps_ok:
        ; REP MOVSW backwards
        std
        mov si, 0x203E
        mov di, 0x303E
        mov cx, 32
        rep movsw
        cld
        CHECK_EQ word [0x3000], 0x5A5A, 11
        ; 32-bit operands and addressing in real mode
        mov eax, 0x12345678
        mov ebx, 0x1000
        mov [ebx+ebx*2], eax      ; 0x3000
        mov ecx, [0x3000]
        CHECK_EQ ecx, 0x12345678, 12
        ; FS and GS
        mov ax, 0x0100
        mov fs, ax
        mov byte [fs:0x10], 0x77  ; physical 0x1010
        mov al, [0x1010]
        CHECK_EQ al, 0x77, 13
        ; MUL and DIV
        mov ax, 300
        mov cx, 300
        mul cx
        CHECK_EQ dx, 1, 14
        CHECK_EQ ax, 0x5F90, 15
        mov dx, 0
        mov ax, 1000
        mov cx, 7
        div cx
        CHECK_EQ ax, 142, 16
        CHECK_EQ dx, 6, 17
        ; divide by zero goes to vector 0, which skips the 2-byte DIV
        mov word [0], de_fn
        mov word [2], 0xF000
        mov bx, 0
        mov ax, 5
        div bl
        CHECK_EQ bx, 0xDE, 18
        ; BCD: 0x19 + 0x28 = 0x47 after DAA
        mov al, 0x19
        add al, 0x28
        daa
        CHECK_EQ al, 0x47, 19
        ; bit scan and shifts
        mov eax, 0x00010000
        bsf ecx, eax
        CHECK_EQ ecx, 16, 20
        mov ax, 0x8001
        rol ax, 1
        CHECK_EQ ax, 0x0003, 21
        mov eax, 0x80000000
        sar eax, 31
        CHECK_EQ eax, 0xFFFFFFFF, 22
        ; MOVZX/MOVSX, SETcc
        mov bl, 0x80
        movsx eax, bl
        CHECK_EQ eax, 0xFFFFFF80, 23
        movzx eax, bl
        CHECK_EQ eax, 0x80, 24
        cmp eax, 0x81
        setb cl
        CHECK_EQ cl, 1, 25
        jmp rom_pass

near_fn:
        mov dx, 0xBEEF
        ret
far_fn:
        mov dx, 0xCAFE
        retf
int_fn:
        mov dx, 0x4242
        iret
de_fn:
        ; the saved IP points at the faulting DIV (a fault): skip its 2 bytes
        push bp
        mov bp, sp
        add word [bp+2], 2
        pop bp
        mov bx, 0xDE
        iret
        ROM_END
