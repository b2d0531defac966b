# Build fragment included by Makefile.am: test ROMs built with nasm. Each ROM
# boots from the reset vector, reports on port 0xE9 and passes with CLI; HLT.
TEST_ROM_SOURCES = tests/roms/hello.asm tests/roms/realmode.asm \
	tests/roms/pm_basic.asm tests/roms/pm_rings.asm \
	tests/roms/pm_paging.asm tests/roms/pm_v86.asm \
	tests/roms/pm_exc.asm
EXTRA_DIST += tests/roms/rom.inc tests/roms/pm.inc $(TEST_ROM_SOURCES)
if HAVE_NASM
TEST_ROMS = $(TEST_ROM_SOURCES:.asm=.rom)
noinst_DATA = $(TEST_ROMS)
CLEANFILES += $(TEST_ROMS)
SUFFIXES = .asm .rom
.asm.rom:
	@$(MKDIR_P) $(@D)
	$(AM_V_GEN)$(NASM) -f bin -I $(srcdir)/tests/roms/ -o $@ $<
endif
tests_unit_SOURCES += tests/test_roms.c
tests_unit_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_ROM_DIR='"$(abs_builddir)/tests/roms"'
