#!/usr/bin/env bash
# Runs the OpenCL parity suite under oclgrind, which simulates every work-item and reports
# out-of-bounds and uninitialized accesses. oclgrind exits 0 even when it finds errors, so this
# script fails when its log is not empty (or when a test fails).
#
# Two passes, on the reduced shape set (DESCENT_REDUCED_SHAPES=1: oclgrind is ~100x slower):
#  1. memory: every global/local access checked against its allocation, and API misuse
#     (--check-api); operands sit at offsets inside NaN-padded buffers, so an access outside a
#     view also shows up as a wrong result.
#  2. uninitialized: --uninitialized, single-threaded (the plugin is not thread-safe), with the
#     kernel compiler's optimizations off (oclgrind 21.10's plugin aborts on LLVM's `freeze`),
#     and operands at offset 0 (DESCENT_TEST_PADDING=0: the plugin mis-tracks host writes at a
#     non-zero offset and reports false positives for them).
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

run_pass memory --check-api
DESCENT_TEST_PADDING=0 run_pass uninitialized --check-api --uninitialized --num-threads 1 \
  --build-options -cl-opt-disable
exit $status
