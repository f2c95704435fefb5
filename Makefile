# SPDX-License-Identifier: MIT
#
# The two commands a newcomer needs: `make demo` and `make test`. Both
# install what is missing first (Debian packages, as root; otherwise they
# name the packages to install), then configure, build and run.
# The build itself is CMake's; this file only strings the steps together.
#
#   make deps      install (or name) the missing build and test packages
#   make build     configure and build $(BUILD_DIR)
#   make test      deps, build, then scripts/run-tests.sh: ctest, the
#                  ASan+UBSan build and its ctest, man page lint
#   make demo      deps, build, sealbox probe, then the bundled demo
#                  (examples/shm-pool) natively and under each backend
#   make test-kernels  boot Debian's 6.1 and 5.10 kernels under qemu and run
#                  the conformance steps there (also part of make test)
#   make bench     ratios of sealbox to native, measured in one run
#   make asan      the ASan+UBSan build in $(ASAN_BUILD_DIR) and its ctest
#   make lint-man  mandoc -T lint -W warning sealbox.1
#   make clean     remove both build directories

BUILD_DIR ?= build
ASAN_BUILD_DIR ?= $(BUILD_DIR)-asan
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
CMAKE ?= cmake
MAN_PAGE := sealbox.1
# ./build/sealbox, or the absolute path when BUILD_DIR is one
SEALBOX = $(if $(filter /%,$(BUILD_DIR)),,./)$(BUILD_DIR)/sealbox

# Steps run in the order written (deps before build before tests); the
# parallelism is inside the build.
.NOTPARALLEL:
# cmake --build runs make too; spare the "Entering directory" lines
MAKEFLAGS += --no-print-directory
.DEFAULT_GOAL := build
.PHONY: all deps build test test-kernels bench demo asan lint-man clean help

all: build

deps:
	@bash scripts/deps.sh

build:
	$(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	$(CMAKE) --build $(BUILD_DIR) -j$(JOBS)

test: deps build
	BUILD_DIR=$(BUILD_DIR) ASAN_BUILD_DIR=$(ASAN_BUILD_DIR) JOBS=$(JOBS) \
		bash scripts/run-tests.sh

test-kernels: deps build
	bash tests/kernels/run-kernels.sh $(BUILD_DIR)

bench: deps build
	@bash scripts/deps.sh bench
	bash bench/run-bench.sh $(SEALBOX) $(BUILD_DIR)/bench

demo: deps build
	$(SEALBOX) probe
	@bash examples/run-demo.sh $(SEALBOX) $(BUILD_DIR)/examples/shm-pool \
		$(BUILD_DIR)/tests/legacy-kernel

asan: deps
	BUILD_DIR=$(BUILD_DIR) ASAN_BUILD_DIR=$(ASAN_BUILD_DIR) JOBS=$(JOBS) \
		bash scripts/run-tests.sh asan

lint-man:
	mandoc -T lint -W warning $(MAN_PAGE)
	@if command -v groff >/dev/null 2>&1; then \
		echo "groff -ww -mdoc -z $(MAN_PAGE)"; \
		out=$$(groff -ww -mdoc -z $(MAN_PAGE) 2>&1); \
		if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	fi

clean:
	rm -rf -- $(BUILD_DIR) $(ASAN_BUILD_DIR)

help:
	@sed -n 's/^#   make /make /p' $(firstword $(MAKEFILE_LIST))
