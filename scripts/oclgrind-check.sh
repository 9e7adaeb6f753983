#!/usr/bin/env bash
# Runs the OpenCL parity suite under oclgrind, which simulates every work-item and reports
# out-of-bounds and uninitialized accesses. oclgrind exits 0 even when it finds errors, so this
# script fails when its log is not empty (or when a test fails).
#
# Checked: every global and local access against its allocation, and API misuse (--check-api).
# Operands sit at offsets inside NaN-padded buffers and every output starts as NaN, so a kernel
# that reads an element it should not, or leaves one unwritten, also fails its parity test.
#
# oclgrind 21.10 quirks this works around (each reproduced outside Descent with a small C program):
#  - it mis-simulates some optimized LLVM IR (Philox's quadrant selection came out rotated), so
#    kernels are built with -cl-opt-disable here; the memory accesses are the same;
#  - its --uninitialized plugin is not usable: it aborts on LLVM's `freeze` instruction, reports
#    false positives for data written by the host at a non-zero offset, and crashes
#    (MemoryPool::alloc) when the host's commands come from a thread other than the main one.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

swift build --build-tests || exit 1
tests="$(swift build --show-bin-path)/DescentPackageTests.xctest"
logs=.build/oclgrind
mkdir -p "$logs"
export DESCENT_REDUCED_SHAPES=1 DESCENT_KERNEL_CACHE=off DESCENT_REQUIRE_OPENCL=1
status=0

run_pass() {
  local name=$1; shift
  local log="$logs/$name.log" output="$logs/$name.out"
  rm -f "$log"
  echo "oclgrind pass '$name': $*"
  oclgrind --log "$log" "$@" "$tests" --testing-library swift-testing --no-parallel \
    --filter BackendParityTests > "$output" 2>&1
  local code=$?
  grep -E "Test run with|OpenCL tests run on" "$output"
  if [ $code -ne 0 ]; then
    echo "FAIL: the tests failed under oclgrind (exit $code); see $output"
    grep -E "recorded an issue|error" "$output" | head -20
    status=1
  fi
  if [ -s "$log" ]; then
    echo "FAIL: oclgrind reported errors ($log):"
    head -60 "$log"
    status=1
  elif [ $code -eq 0 ]; then
    echo "ok: oclgrind log is empty"
  fi
}

run_pass memory --check-api --build-options -cl-opt-disable
exit $status
