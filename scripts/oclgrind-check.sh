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

options=(--check-api --build-options -cl-opt-disable)

# The canary: a kernel that overruns its buffers on purpose. oclgrind must report it, else an
# empty log below would prove nothing.
DESCENT_OCLGRIND_CANARY=1 oclgrind --log "$logs/canary.log" "${options[@]}" "$tests" \
  --testing-library swift-testing --no-parallel --filter OclgrindCanaryTests > "$logs/canary.out" 2>&1
if grep -q "Invalid write" "$logs/canary.log" 2>/dev/null; then
  echo "ok: oclgrind reports the canary's out-of-bounds write"
else
  echo "FAIL: oclgrind did not report the canary's out-of-bounds write; the check is not working"
  cat "$logs/canary.out" "$logs/canary.log" 2>/dev/null | tail -20
  exit 1
fi

log="$logs/parity.log" output="$logs/parity.out"
rm -f "$log"
echo "oclgrind: the parity suite and the peak kernels with ${options[*]}"
oclgrind --log "$log" "${options[@]}" "$tests" --testing-library swift-testing --no-parallel \
  --filter "BackendParityTests|PeakKernelTests" > "$output" 2>&1
code=$?
grep -E "Test run with|OpenCL tests run on" "$output"
status=0
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
exit $status
