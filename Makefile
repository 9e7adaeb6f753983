# The README's commands: `make demo` trains the default classifier; `make test` runs the tests;
# `make devices` lists OpenCL devices.
SWIFT ?= swift

.PHONY: test lint format oclgrind devices deps demo intel-opencl anchors

# The Swift sources under the checked-in style (.swift-format: 100 columns, the house's rules).
SWIFT_SOURCES = Package.swift Sources Tests Benchmarks Plugins Kernels

deps:
	@scripts/install-deps.sh

# Every test, with OpenCL required: a machine without an OpenCL device fails instead of skipping.
test:
	@scripts/install-deps.sh --tests
	DESCENT_REQUIRE_OPENCL=1 $(SWIFT) test

# swift-format (it ships with the toolchain) in lint mode: fails on any finding.
lint:
	$(SWIFT) format lint --strict --recursive --parallel --configuration .swift-format $(SWIFT_SOURCES)

# Rewrites the sources in the checked-in style.
format:
	$(SWIFT) format format --in-place --recursive --parallel --configuration .swift-format $(SWIFT_SOURCES)

# The parity suite under oclgrind, on reduced shapes; fails on any error in oclgrind's log.
oclgrind:
	@scripts/install-deps.sh --oclgrind
	scripts/oclgrind-check.sh

# Intel's OpenCL runtime for CPUs, from PyPI, into a cache folder; prints the OCL_ICD_VENDORS line to
# eval, under which the OpenCL loader sees Intel's platform alone.
intel-opencl:
	@scripts/install-intel-opencl.sh

devices: deps
	$(SWIFT) run -c release descent devices

# The main job: train the default Fashion-MNIST classifier on the best device (release build).
demo: deps
	$(SWIFT) build -c release --product descent
	$$($(SWIFT) build -c release --show-bin-path)/descent train

# Benchmark anchors (Benchmarks/anchors/README.md): JAX on the CPU and tinygrad on OpenCL train the
# same Fashion-MNIST MLP and CNN as Descent; one JSON line per framework and model. Takes ~15 min.
ANCHORS_VENV ?= $(HOME)/.cache/descent/anchors-venv
anchors: deps
	test -x "$(ANCHORS_VENV)/bin/python" || python3 -m venv "$(ANCHORS_VENV)"
	"$(ANCHORS_VENV)/bin/pip" install --quiet --disable-pip-version-check -r Benchmarks/anchors/requirements.txt
	"$(ANCHORS_VENV)/bin/python" Benchmarks/anchors/jax_anchor.py
	"$(ANCHORS_VENV)/bin/python" Benchmarks/anchors/tinygrad_anchor.py
