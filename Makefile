# oxtls build entry points.
#
#   make                  liboxtls.so, liboxtls.a, the header, the C examples
#   make test             every check the project has (what CI runs)
#   make demo             fetch a page from a local HTTPS server with examples-c/https_get
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make header           regenerate the committed include/oxtls.h
#   make print-static-libs  the system libraries a static link with liboxtls.a needs
#   make bench            oxtls, rustls and OpenSSL side by side (BENCHMARKS.md)
#   make fuzz FUZZ_TARGET=tls13_scripted FUZZ_SECONDS=300
#                         coverage-guided fuzzing (nightly, cargo-fuzz; fuzz/README.md)

CARGO ?= cargo
CC ?= cc
CXX ?= c++
PREFIX ?= /usr/local
DESTDIR ?=

# The soname's number: changed only when the ABI breaks. Must match
# ABI_VERSION in build.rs (the C tests check the soname).
ABI_VERSION := 0
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)

RELEASE := target/release
CBUILD := target/c
HEADER := include/oxtls.h
GENERATED_HEADER := $(RELEASE)/include/oxtls.h
STATIC_LIBS_FILE := $(RELEASE)/native-static-libs.txt

CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wpedantic -Werror
C_STD := -std=c99
LINK_SHARED := -L$(RELEASE) -Wl,-rpath,$(abspath $(RELEASE)) -loxtls
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

EXAMPLES := $(CBUILD)/https_get $(CBUILD)/nonblocking_get
C_TEST_SOURCES := $(wildcard tests/c/test_*.c) tests/c/harness.c
C_TESTS := $(CBUILD)/c_tests $(CBUILD)/c_tests_asan $(CBUILD)/header_cxx $(CBUILD)/link_static

.PHONY: all build examples header check-header print-static-libs install \
	test lint unit c-test c-programs demo bench bench-smoke bogo-shim python-test fuzz fuzz-build clean FORCE

all: build examples

# One cargo command builds the release libraries and (replayed by cargo
# from its cache when nothing changed) prints the native libraries a
# static link needs, which we keep for print-static-libs and oxtls.pc.
build:
	@mkdir -p $(RELEASE)
	$(CARGO) rustc --release --lib -- --print native-static-libs 2> $(RELEASE)/build.log \
		|| { cat $(RELEASE)/build.log >&2; exit 1; }
	@grep -v -i -e 'native-static-libs' -e '^note: link against' -e '^$$' $(RELEASE)/build.log >&2 || true
	@sed -n 's/^note: native-static-libs: //p' $(RELEASE)/build.log > $(STATIC_LIBS_FILE)
	@test -s $(STATIC_LIBS_FILE) || { echo "rustc did not report native-static-libs" >&2; exit 1; }
	@# Programs linked here record the soname; let them find it in place.
	@ln -sf liboxtls.so $(RELEASE)/liboxtls.so.$(ABI_VERSION)

$(RELEASE)/liboxtls.so $(RELEASE)/liboxtls.a $(GENERATED_HEADER) $(STATIC_LIBS_FILE): build

print-static-libs: build
	@cat $(STATIC_LIBS_FILE)

# The header is generated into target/ by build.rs; the committed copy is
# what users and the C code here include.
header: build
	cp $(GENERATED_HEADER) $(HEADER)

check-header: build
	@cmp -s $(GENERATED_HEADER) $(HEADER) || { \
		echo "$(HEADER) is stale: the code in src/ffi generates a different header." >&2; \
		diff -u $(HEADER) $(GENERATED_HEADER) | head -n 40 >&2; \
		echo "Run 'make header' and commit it." >&2; exit 1; }
	@echo "$(HEADER) is up to date"

examples: $(EXAMPLES)

$(CBUILD):
	mkdir -p $@

$(CBUILD)/%: examples-c/%.c $(HEADER) build | $(CBUILD)
	$(CC) $(C_STD) $(WARNINGS) $(CFLAGS) -Iinclude $< -o $@ $(LINK_SHARED)

# The C tests: once plain (run under valgrind), once with sanitizers.
$(CBUILD)/c_tests: $(C_TEST_SOURCES) tests/c/harness.h $(HEADER) build | $(CBUILD)
	$(CC) $(C_STD) $(WARNINGS) -O1 -g -Iinclude $(C_TEST_SOURCES) -o $@ $(LINK_SHARED) -pthread

$(CBUILD)/c_tests_asan: $(C_TEST_SOURCES) tests/c/harness.h $(HEADER) build | $(CBUILD)
	$(CC) $(C_STD) $(WARNINGS) -O1 -g $(SANITIZE) -Iinclude $(C_TEST_SOURCES) -o $@ $(LINK_SHARED) -pthread

# The header must also be valid C++.
$(CBUILD)/header_cxx: tests/c/header_cxx.cpp $(HEADER) build | $(CBUILD)
	$(CXX) -std=c++11 $(WARNINGS) -Iinclude $< -o $@ $(LINK_SHARED)

# A program linked statically with liboxtls.a and the libraries rustc
# says it needs.
$(CBUILD)/link_static: tests/c/link_check.c $(HEADER) build | $(CBUILD)
	$(CC) $(C_STD) $(WARNINGS) -Iinclude $< -o $@ $(RELEASE)/liboxtls.a $$(cat $(STATIC_LIBS_FILE))

c-programs: $(EXAMPLES) $(C_TESTS)

install: build
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 $(RELEASE)/liboxtls.a $(DESTDIR)$(PREFIX)/lib/liboxtls.a
	install -m 755 $(RELEASE)/liboxtls.so $(DESTDIR)$(PREFIX)/lib/liboxtls.so.$(VERSION)
	ln -sf liboxtls.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/liboxtls.so.$(ABI_VERSION)
	ln -sf liboxtls.so.$(ABI_VERSION) $(DESTDIR)$(PREFIX)/lib/liboxtls.so
	install -m 644 $(HEADER) $(DESTDIR)$(PREFIX)/include/oxtls.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
		-e "s|@STATIC_LIBS@|$$(cat $(STATIC_LIBS_FILE))|" \
		oxtls.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/oxtls.pc

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --lib

# Unit and integration tests; the examples are built (not run) so they
# never rot.
unit:
	$(CARGO) build --examples
	$(CARGO) test --lib --tests

# oxtls, rustls and OpenSSL clients against their floor: about a minute,
# prints one line per figure.
bench:
	$(CARGO) bench --bench compare

# The same benchmark in smoke mode (a handful of iterations, debug build,
# no timing asserted) so it never rots.
bench-smoke:
	OXTLS_BENCH_QUICK=1 $(CARGO) test --bench compare

# The test server is a Rust example (debug build: `unit` has built it).
c-test: check-header c-programs
	$(CARGO) build --example test_server
	MAKE="$(MAKE)" ABI_VERSION=$(ABI_VERSION) tests/c/run.sh

# Every check; the C and Python tests come last, each ending with its own
# count of what passed.
test: lint unit bench-smoke bogo-shim c-test python-test

# The BoGo shim (examples/bogo_shim/) and its flag-parsing tests, so the
# shim never rots between runs of BoringSSL's suite (which `make test`
# does not need).
bogo-shim:
	$(CARGO) test --example bogo_shim

# The Python binding (bindings/python): installed into a venv under
# target/ and tested with pytest against the same servers.
python-test: build
	$(CARGO) build --example test_server
	bindings/python/run-tests.sh

# Coverage-guided fuzzing with libFuzzer (not part of `make test`, which
# replays the committed regressions in tests/fuzz_replay.rs instead).
# Needs a nightly toolchain and `cargo install cargo-fuzz`. One process,
# release build with debug assertions and overflow checks; FUZZ_ARGS adds
# libFuzzer flags.
FUZZ_TARGET ?= tls13_scripted
FUZZ_SECONDS ?= 300
FUZZ_FLAGS := -O --debug-assertions -s none
fuzz:
	cd fuzz && mkdir -p corpus/$(FUZZ_TARGET) && $(CARGO) +nightly fuzz run $(FUZZ_FLAGS) $(FUZZ_TARGET) \
		corpus/$(FUZZ_TARGET) -- -max_total_time=$(FUZZ_SECONDS) \
		-rss_limit_mb=2048 -timeout=10 -max_len=16384 $(FUZZ_ARGS)

fuzz-build:
	cd fuzz && $(CARGO) +nightly fuzz build $(FUZZ_FLAGS)

demo: build $(CBUILD)/https_get
	$(CARGO) build --example test_server
	tests/c/demo.sh

clean:
	$(CARGO) clean
