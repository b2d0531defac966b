; Paging (SDM vol. 3A 4.3 32-bit paging, 4.7 page-fault error codes, 4.8
; accessed and dirty flags, 4.10.4 TLB invalidation, 4.6 access rights with
; CR0.WP): an identity map of the first 4 MiB, #PF from ring 3 and ring 0 with
; the error code and CR2, a handler that maps the page and restarts the
; instruction (also PUSH, POP to memory and CALL, without a double ESP
; update), read-only and supervisor pages (in the PTE or the PDE), A/D
; bits, INVLPG and CR3 reloads, a 4 MiB page with CR4.PSE, a REP MOVSB that
; crosses into a missing page and resumes after the handler maps it,
; instruction fetches from a missing page and across into one, and code
; rewritten through its own and an aliased linear address, and a code page
; remapped under the same linear address, and a store into the next
; instruction.
; Expected values come from the SDM. Not compared with Bochs: Debian 12's
; Bochs 2.7 has no nogui/term display and aborts ("buffer overflow
; detected") while starting its rfb display on the build host.
%include "pm.inc"
PDIR            equ 0x10000
PT0             equ 0x11000
PT1             equ 0x12000             ; 4-8 MiB: a supervisor PDE
PT2             equ 0x13000             ; 16-20 MiB: a read-only PDE
SEL_FLATCODE    equ 0x48
PF_MODE         equ 0x6100          ; 1: the #PF handler maps the page
PF_CR2          equ 0x6104
PF_ERR          equ 0x6108
PF_COUNT        equ 0x610C
RING3_STACK     equ 0x9F00
SRC             equ 0x100000

%define PTE(a) (PT0 + ((a) >> 12) * 4)

gdt_rom:
        PM_GDT_COMMON
        GATE SEL_CODE0, ring0_part2, 0, 0xEC    ; 0x40 call gate back to ring 0
        DESC 0, 0xFFFFF, 0x9B, 0xC              ; 0x48 flat code, ring 0
gdt_rom_end:

        ROM_START
        PM_ENTER

        bits 32
pm_main:
        PPRINT "paging", 10
        ; data placed before paging, at physical addresses
        mov dword [0x302010], 0xD00DFEED
        mov dword [0x307000], 0x1111
        mov dword [0x308000], 0x2222
        mov dword [0x401234], 0xB16B00B5
        mov edi, SRC
        mov ecx, 32
        mov al, 1
.pat:   stosb
        inc al
        loop .pat
        ; page directory and the identity page table
        mov edi, PDIR
        mov ecx, 1024
        xor eax, eax
        rep stosd
        mov edi, PT0
        mov eax, 7
.pt:    stosd
        add eax, 0x1000
        cmp edi, PT0 + 4096
        jb .pt
        mov dword [PDIR], PT0 | 7
        ; user PTEs under a supervisor PDE, writable PTEs under a read-only
        ; PDE: the stricter of the two applies
        mov edi, PT1
        mov eax, 0x400007
.pt1:   stosd
        add eax, 0x1000
        cmp edi, PT1 + 4096
        jb .pt1
        mov edi, PT2
        mov eax, 0x500007
.pt2:   stosd
        add eax, 0x1000
        cmp edi, PT2 + 4096
        jb .pt2
        mov dword [PDIR + 1 * 4], PT1 | 3
        mov dword [PDIR + 4 * 4], PT2 | 5
        ; code in RAM: MOV EAX, imm32; RETF in a missing page, and one that
        ; straddles into a missing page
        mov dword [PTE(0x30E000)], 0x30E006
        mov dword [PTE(0x310000)], 0x310006
        mov byte [0x30E000], 0xB8
        mov dword [0x30E001], 0x1234
        mov byte [0x30E005], 0xCB
        mov byte [0x30FFFE], 0xB8
        mov dword [0x30FFFF], 0x12345678
        mov byte [0x310003], 0xCB
        mov byte [0x311000], 0xB8
        mov dword [0x311001], 1
        mov byte [0x311005], 0xCB
        mov dword [PTE(0x312000)], 0x311007     ; an alias of 0x311000
        mov byte [0x313000], 0xB8
        mov dword [0x313001], 7
        mov byte [0x313005], 0xCB
        mov byte [0x314000], 0xB8
        mov dword [0x314001], 8
        mov byte [0x314005], 0xCB
        mov dword [PTE(0x315000)], 0x313007
        mov dword [PTE(0x318000)], 0x318006     ; ring-3 stack pages, missing
        mov dword [PTE(0x31A000)], 0x31A006
        mov dword [PTE(0x31C000)], 0x31C006
        ; MOV BYTE [0x316008], 9; MOV EAX, 1; RETF: the store rewrites the
        ; immediate of the very next instruction
        mov dword [0x316000], 0x600805C6
        mov dword [0x316004], 0xB8090031
        mov dword [0x316008], 1
        mov byte [0x31600C], 0xCB
        mov dword [PDIR + 2 * 4], 0x400000 | 0x87   ; 4 MiB page at 8 MiB
        mov dword [PDIR + 3 * 4], 0x400000 | 0x87   ; and its alias at 12 MiB
        mov dword [PTE(0x302000)], 0x302006         ; not present
        mov dword [PTE(0x303000)], 0x303006
        mov dword [PTE(0x304000)], 0x304006
        mov dword [PTE(0x305000)], 0x305005         ; read-only, user
        mov dword [PTE(0x306000)], 0x306003         ; supervisor
        mov dword [PTE(0x30C000)], 0x30C006
        mov dword [PF_MODE], 1
        mov dword [PF_COUNT], 0
        SET_GATE 14, pf_handler, 0x8E
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, PDIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .paged
.paged: mov eax, [SRC]
        PCHECK eax, 0x04030201, 1
        ; to ring 3
        push dword SEL_DATA3
        push dword RING3_STACK
        push dword 0x002
        push dword SEL_CODE3
        push dword ring3
        iretd

ring3:
        mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        ; user read of a not-present page: #PF(U), restarted after mapping
        mov eax, [0x302010]
        PCHECK eax, 0xD00DFEED, 2
        PCHECK dword [PF_ERR], 4, 3
        PCHECK dword [PF_CR2], 0x302010, 4
        PCHECK dword [PF_COUNT], 1, 5
        ; user write: #PF(U|W)
        mov dword [0x303008], 0x55AA
        PCHECK dword [0x303008], 0x55AA, 6
        PCHECK dword [PF_ERR], 6, 7
        PCHECK dword [PF_CR2], 0x303008, 8
        PCHECK dword [PF_COUNT], 2, 9
        ; stack accesses that fault restart without a double update of ESP
        mov dword [PF_COUNT], 0
        mov esp, 0x319000
        push dword 0x77
        PCHECK esp, 0x318FFC, 70
        PCHECK dword [0x318FFC], 0x77, 71
        PCHECK dword [PF_CR2], 0x318FFC, 72
        PCHECK dword [PF_ERR], 6, 73
        pop dword [0x31A010]                    ; the destination faults
        PCHECK esp, 0x319000, 74
        PCHECK dword [0x31A010], 0x77, 75
        PCHECK dword [PF_CR2], 0x31A010, 76
        mov esp, 0x31D000
        xor ebx, ebx
        call .near_fn
        PCHECK esp, 0x31D000, 77
        PCHECK ebx, 1, 78
        PCHECK dword [PF_COUNT], 3, 79
        mov esp, RING3_STACK
        ; protection faults, taken by the generic recorder
        mov dword [PF_MODE], 0
        mov eax, [0x305000]
        EXPECT_FAULT 14, 7, 10, mov dword [0x305000], 1
        PCHECK dword [REC_CR2], 0x305000, 11
        EXPECT_FAULT 14, 5, 12, mov eax, [0x306004]
        PCHECK dword [REC_CR2], 0x306004, 13
        EXPECT_FAULT 14, 7, 14, mov byte [0x306FFF], 1
        PCHECK dword [REC_CR2], 0x306FFF, 15
        ; the stricter of PDE and PTE: supervisor PDE, read-only PDE
        EXPECT_FAULT 14, 5, 50, mov eax, [0x400100]
        PCHECK dword [REC_CR2], 0x400100, 51
        mov eax, [0x1000100]
        EXPECT_FAULT 14, 7, 52, mov dword [0x1000100], 1
        PCHECK dword [REC_CR2], 0x1000100, 53
        mov dword [PF_MODE], 1
        call 0x40:0
        PFAIL 16

.near_fn:
        inc ebx
        ret

ring0_part2:
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        ; ring 0 writes a read-only page when CR0.WP is clear...
        mov dword [0x305000], 0x77
        PCHECK dword [0x305000], 0x77, 17
        ; ...and faults #PF(P|W) when it is set
        mov dword [PF_MODE], 0
        mov eax, cr0
        or eax, 0x10000
        mov cr0, eax
        EXPECT_FAULT 14, 3, 18, mov dword [0x305004], 1
        PCHECK dword [REC_CR2], 0x305004, 19
        mov eax, cr0
        and eax, ~0x10000
        mov cr0, eax
        mov dword [PF_MODE], 1
        ; supervisor write to a not-present page: #PF(W)
        mov dword [PF_COUNT], 0
        mov byte [0x304123], 0x42
        PCHECK dword [PF_ERR], 2, 20
        PCHECK dword [PF_CR2], 0x304123, 21
        PCHECK byte [0x304123], 0x42, 22
        ; accessed and dirty bits, in the PTE and the PDE
        mov dword [PTE(0x301000)], 0x301007
        and dword [PDIR], ~0x20
        mov eax, 0x301000
        invlpg [eax]
        mov eax, [0x301000]
        mov eax, [PTE(0x301000)]
        and eax, 0x60
        PCHECK eax, 0x20, 23
        mov eax, [PDIR]
        and eax, 0x20
        PCHECK eax, 0x20, 24
        mov dword [0x301000], 5
        mov eax, [PTE(0x301000)]
        and eax, 0x60
        PCHECK eax, 0x60, 25
        ; INVLPG makes a changed PTE visible; so does a CR3 reload
        PCHECK dword [0x307000], 0x1111, 26
        mov dword [PTE(0x307000)], 0x308007
        mov eax, 0x307000
        invlpg [eax]
        PCHECK dword [0x307000], 0x2222, 27
        mov dword [PTE(0x307000)], 0x307007
        mov eax, cr3
        mov cr3, eax
        PCHECK dword [0x307000], 0x1111, 28
        ; a 4 MiB page: linear 8 MiB is physical 4 MiB; D set in the PDE
        PCHECK dword [0x801234], 0xB16B00B5, 29
        mov eax, [PDIR + 2 * 4]
        and eax, 0x60
        PCHECK eax, 0x20, 30
        mov dword [0xBFFFFC], 0x4D4D
        PCHECK dword [0xFFFFFC], 0x4D4D, 31
        mov eax, [PDIR + 2 * 4]
        and eax, 0x60
        PCHECK eax, 0x60, 32
        ; REP MOVSB into a missing page: the copy stops at the page end,
        ; the handler maps the page, and the copy resumes
        mov dword [PF_COUNT], 0
        mov esi, SRC
        mov edi, 0x30BFF0
        mov ecx, 32
        cld
        rep movsb
        PCHECK ecx, 0, 33
        PCHECK edi, 0x30C010, 34
        PCHECK esi, SRC + 32, 35
        PCHECK dword [PF_COUNT], 1, 36
        PCHECK dword [PF_CR2], 0x30C000, 37
        PCHECK dword [PF_ERR], 2, 38
        mov esi, SRC
        mov edi, 0x30BFF0
        mov ecx, 8
        repe cmpsd
        PCHECK ecx, 0, 39
        ; supervisor writes obey a read-only PDE only with WP
        mov dword [0x1000104], 0x99
        PCHECK dword [0x500104], 0x99, 54
        mov dword [0x400108], 0x98
        PCHECK dword [0x400108], 0x98, 55
        ; instruction fetch from a missing page: #PF(0), CR2 = EIP
        mov dword [PF_COUNT], 0
        xor eax, eax
        call SEL_FLATCODE:0x30E000
        PCHECK eax, 0x1234, 56
        PCHECK dword [PF_ERR], 0, 57
        PCHECK dword [PF_CR2], 0x30E000, 58
        ; an instruction straddling into a missing page: CR2 = the page
        xor eax, eax
        call SEL_FLATCODE:0x30FFFE
        PCHECK eax, 0x12345678, 59
        PCHECK dword [PF_CR2], 0x310000, 60
        PCHECK dword [PF_COUNT], 2, 61
        ; code rewritten after it ran, directly and through another
        ; linear alias of the same physical page
        call SEL_FLATCODE:0x311000
        PCHECK eax, 1, 62
        mov dword [0x311001], 2
        call SEL_FLATCODE:0x311000
        PCHECK eax, 2, 63
        mov dword [0x312001], 3
        call SEL_FLATCODE:0x311000
        PCHECK eax, 3, 64
        ; the same linear code page remapped to other physical code
        call SEL_FLATCODE:0x315000
        PCHECK eax, 7, 65
        mov dword [PTE(0x315000)], 0x314007
        mov eax, 0x315000
        invlpg [eax]
        call SEL_FLATCODE:0x315000
        PCHECK eax, 8, 66
        ; a store into the next instruction takes effect (SDM 11.6: P6 and
        ; later detect it without a branch)
        call SEL_FLATCODE:0x316000
        PCHECK eax, 9, 67
        jmp pm_pass

; #PF: in mapping mode, make the page present and restart the instruction;
; otherwise hand the fault to the recorder
pf_handler:
        cmp dword [ss:PF_MODE], 0
        je exc_stub_14
        push eax
        mov eax, cr2
        mov [ss:PF_CR2], eax
        mov eax, [esp + 4]
        mov [ss:PF_ERR], eax
        inc dword [ss:PF_COUNT]
        mov eax, cr2
        cmp eax, 0x400000
        jb .map
        PFAIL 0xFE
.map:   shr eax, 12
        and eax, 0x3FF
        or dword [ss:PT0 + eax * 4], 1
        mov eax, cr2
        invlpg [eax]
        pop eax
        add esp, 4
        iretd
        PM_END
