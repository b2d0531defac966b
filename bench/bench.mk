# Benchmark (bench/README.md): `make bench` builds the stand-in loader and the
# shared benchmark guest, then times popek on it. Never part of make check.
EXTRA_PROGRAMS = bench/popek-bench
CLEANFILES += bench/popek-bench
EXTRA_DIST += bench/README.md bench/RESULTS.md bench/run.sh
bench_popek_bench_SOURCES = bench/popek_bench.c
bench_popek_bench_LDADD = libpopekfe.a libpopek.a $(ZLIB_LIBS)

BENCH_SRC = $(abs_top_srcdir)/../shared/bench
BENCH_GUEST = $(abs_builddir)/bench/guest
BENCH_ITERS = 20

bench/guest/payload.bin:
	$(MAKE) -C $(BENCH_SRC) B=$(BENCH_GUEST) $(BENCH_GUEST)/payload.bin

bench: bench/popek-bench bench/guest/payload.bin
	./bench/popek-bench bench/guest/payload.bin $(BENCH_ITERS)
	./bench/popek-bench bench/guest/payload.bin $(BENCH_ITERS) --paging

.PHONY: bench bench/guest/payload.bin

libpopek_a_SOURCES += cpu/ops_fast.c cpu/ops_fast.h
tests_unit_SOURCES += tests/test_perf.c
