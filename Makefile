# oxtls build entry points. `make` builds the release libraries;
# `make test` runs every check the project has (what CI runs);
# `make bench` runs the side-by-side benchmark (BENCHMARKS.md).

CARGO ?= cargo

.PHONY: all build test lint unit bench bench-smoke clean

all: build

build:
	$(CARGO) build --release --lib

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

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
# no timing asserted) so it never rots. `cargo test --all-targets` in
# `unit` runs it this way too.
bench-smoke:
	OXTLS_BENCH_QUICK=1 $(CARGO) test --bench compare

test: lint unit bench-smoke

clean:
	$(CARGO) clean
