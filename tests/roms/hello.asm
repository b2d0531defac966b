; The smallest test ROM: greet on the debug console and pass.
%include "rom.inc"
        ROM_START
        PRINT {"popek test ROM: hello from the reset vector", 10}
        jmp rom_pass
        ROM_END
