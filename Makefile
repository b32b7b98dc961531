# Berth — see README.md. `make help` lists the targets.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
PREFIX ?= /usr/local
RELEASE_FLAGS := -c release --static-swift-stdlib
BINARIES := berth berthd berth-shim berth-runtime berth-init berth-archive berth-fetch

.PHONY: help deps build release install quickstart test unit integration bench check check-fork clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

deps: ## install the Debian packages Berth needs to build and run
	@bash scripts/deps.sh

build: ## debug build of everything
	swift build

release: ## release build, Swift runtime linked statically
	swift build $(RELEASE_FLAGS)

install: release ## install the binaries into $(PREFIX)/bin
	@bin=$$(swift build $(RELEASE_FLAGS) --show-bin-path); \
	for b in $(BINARIES); do install -m 0755 "$$bin/$$b" $(PREFIX)/bin/$$b; done; \
	echo "installed $(BINARIES) into $(PREFIX)/bin"

quickstart: deps install ## install, build, and run a real container
	@bash scripts/quickstart.sh

test: ## install what the tests need and run them all
	@bash scripts/deps.sh --test
	swift build --build-tests
	$(MAKE) --no-print-directory unit integration

unit: ## Swift unit tests
	swift test --skip-build

integration: ## integration tests: real containers as root, real peers (podman, containerd, skopeo, docker CLI)
	BERTH_BIN_DIR=$$(swift build --show-bin-path) python3 -m pytest -q tests

bench: ## benchmarks side by side with runc, crun, docker, podman (not part of make test)
	@bash scripts/deps.sh --test --bench
	swift build $(RELEASE_FLAGS)
	BERTH_BIN_DIR=$$(swift build $(RELEASE_FLAGS) --show-bin-path) python3 bench/run.py $(BENCH_ARGS)

check: check-fork ## static checks: fork/namespace calls only where DESIGN.md allows, warnings as errors
	swift build -Xswiftc -warnings-as-errors

check-fork: ## fork/clone/unshare/setns/pivot_root only in CBerth and the runtime's init path
	@! grep -rnE '\b(fork|vfork|berth_clone|berth_unshare|berth_setns|berth_pivot_root)\(' Sources --include='*.swift' \
		| grep -vE '^Sources/BerthRuntime/(Init/|Container\.swift|Container\+Exec\.swift|Hooks\.swift)'

clean: ## remove build output
	rm -rf .build
