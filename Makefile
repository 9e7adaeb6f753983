# The two commands of the README: `make test` runs the tests; `make devices` lists OpenCL devices.
SWIFT ?= swift

.PHONY: test oclgrind devices deps

deps:
	@scripts/install-deps.sh

# Every test, with OpenCL required: a machine without an OpenCL device fails instead of skipping.
test: deps
	DESCENT_REQUIRE_OPENCL=1 $(SWIFT) test

# The parity suite under oclgrind, on reduced shapes; fails on any error in oclgrind's log.
oclgrind:
	@scripts/install-deps.sh --oclgrind
	scripts/oclgrind-check.sh

devices: deps
	$(SWIFT) run -c release descent devices
