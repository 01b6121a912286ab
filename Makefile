# oxtls build entry points. `make` builds the release libraries;
# `make test` runs every check the project has (what CI runs).

CARGO ?= cargo

.PHONY: all build test lint unit bogo-shim clean

all: build

build:
	$(CARGO) build --release --lib

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

unit:
	$(CARGO) test --all-targets

# The BoGo shim (examples/bogo_shim/) and its flag-parsing tests. `unit`
# covers it too; naming it here keeps it in `make test` even if `unit`
# changes. BoringSSL's runner is not needed for this.
bogo-shim:
	$(CARGO) test --example bogo_shim

test: lint unit bogo-shim

clean:
	$(CARGO) clean
