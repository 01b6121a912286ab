# oxtls build entry points. `make` builds the release libraries;
# `make test` runs every check the project has (what CI runs).

CARGO ?= cargo

.PHONY: all build test lint unit clean

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

test: lint unit

clean:
	$(CARGO) clean
