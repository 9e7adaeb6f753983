#!/usr/bin/env bash
# The device matrix (DESIGN.md §6): on every OpenCL driver reachable here, the parity suite, the
# OpenCL runtime tests, a short end-to-end `descent train` (Fashion-MNIST, 10 classes, so the
# softmax cross-entropy path runs) and the bad-input corpus on OpenCL, each as a fresh process.
#   scripts/device-matrix.sh [LEG ...]    legs: pocl, pocl-loops, intel, oclgrind (default: all)
# pocl and pocl-loops are PoCL under its default work-group method and under `loops` (PoCL
# compiles barriers differently in each, and differently on each CPU); each gets its own PoCL
# kernel cache, so one leg never runs the other's compiled work-group functions. intel is Intel's
# CPU runtime, installed from PyPI by install-intel-opencl.sh and seen through OCL_ICD_VENDORS
# alone; where it installs but offers no device on this CPU, the leg is a visible skip. oclgrind
# is oclgrind-check.sh (reduced shapes). Any failing leg fails the script; every leg still runs.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

legs=("$@")
[ ${#legs[@]} -gt 0 ] || legs=(pocl pocl-loops intel oclgrind)

# Each leg's logs stay here (and are printed in part when it fails); the caches go at exit.
work="$PWD/.build/device-matrix"
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"/*-cache' EXIT
swift build --build-tests >"$work/build.log" 2>&1 || { echo "FAIL: the tests do not build"; tail -30 "$work/build.log"; exit 1; }
swift build -c release --product descent >"$work/build-release.log" 2>&1 \
  || { echo "FAIL: descent does not build (release)"; tail -30 "$work/build-release.log"; exit 1; }
tests="$(swift build --show-bin-path)/DescentPackageTests.xctest"
descent="$(swift build -c release --show-bin-path)/descent"
export DESCENT_REQUIRE_OPENCL=1

failed=()
summary=()

# run_leg NAME VAR=VALUE...: the tests and a training run with these variables set.
run_leg() {
  local name=$1 started=$SECONDS
  shift
  local log="$work/$name.tests.log" json="$work/$name.train.json"
  echo "== leg $name: $*"
  if ! env "$@" "$tests" --testing-library swift-testing \
      --filter "BackendParityTests|OpenCLRuntimeTests" >"$log" 2>&1; then
    echo "FAIL: leg $name: the parity and runtime tests failed:"
    grep -aE "recorded an issue|crashed|Signal|Test run with" "$log" | head -20
    failed+=("$name")
    return
  fi
  grep -aE "OpenCL tests run on|Test run with" "$log"
  if ! grep -aqE "Test run with [1-9][0-9]* tests" "$log"; then
    echo "FAIL: leg $name: no test ran"
    failed+=("$name")
    return
  fi
  local tested=$((SECONDS - started))
  if ! env "$@" "$descent" train --epochs 1 --hidden 64 --no-sanity-checks --patience 0 \
      --report "$work/$name.report" --json >"$json" 2>"$work/$name.train.log"; then
    echo "FAIL: leg $name: descent train failed:"
    tail -20 "$work/$name.train.log"
    failed+=("$name")
    return
  fi
  # One epoch of this MLP reaches ~0.83; 0.75 tells a working softmax path from a broken one.
  if ! python3 - "$json" <<'EOF'
import json, sys
result = json.load(open(sys.argv[1]))
accuracy = result["test_accuracy"]
print(f"   train: {result['device']}, test accuracy {accuracy:.4f}, {result['samples_per_second']:.0f} samples/s")
sys.exit(0 if result["backend"] == "opencl" and accuracy >= 0.75 else 1)
EOF
  then
    echo "FAIL: leg $name: the training run did not reach 0.75 test accuracy on OpenCL"
    failed+=("$name")
    return
  fi
  # The bad-input corpus on this driver: every case whose backend matters runs on OpenCL.
  if ! env "$@" DESCENT_CORPUS_BACKEND=opencl "$tests" --testing-library swift-testing \
      --filter BadInputCorpusTests >"$work/$name.corpus.log" 2>&1; then
    echo "FAIL: leg $name: the bad-input corpus failed:"
    grep -aE "recorded an issue|->|bad-input corpus" "$work/$name.corpus.log" | head -20
    failed+=("$name")
    return
  fi
  if ! grep -aqE "bad-input corpus \(opencl\): ([0-9]+)/\1 " "$work/$name.corpus.log"; then
    echo "FAIL: leg $name: the bad-input corpus did not run on OpenCL"
    failed+=("$name")
    return
  fi
  grep -a "bad-input corpus" "$work/$name.corpus.log" | sed 's/^/   /'
  summary+=("$name: ok, tests ${tested} s, total $((SECONDS - started)) s")
}

for leg in "${legs[@]}"; do
  case $leg in
    pocl)
      run_leg pocl DESCENT_DEVICE="Portable Computing Language" POCL_CACHE_DIR="$work/pocl-cache" ;;
    pocl-loops)
      run_leg pocl-loops DESCENT_DEVICE="Portable Computing Language" POCL_WORK_GROUP_METHOD=loops \
        POCL_CACHE_DIR="$work/pocl-loops-cache" ;;
    intel)
      started=$SECONDS
      status=0
      line=$(scripts/install-intel-opencl.sh --env) || status=$?
      if [ $status -eq 3 ]; then
        echo "SKIP: leg intel: Intel's OpenCL runtime installed but offers no device on this CPU"
        summary+=("intel: SKIPPED (no device on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2))")
      elif [ $status -ne 0 ]; then
        echo "FAIL: leg intel: Intel's OpenCL runtime could not be installed (exit $status)"
        failed+=(intel)
      else
        echo "   installed in $((SECONDS - started)) s"
        run_leg intel DESCENT_DEVICE="Intel(R) OpenCL" "${line#export }"
      fi ;;
    oclgrind)
      started=$SECONDS
      echo "== leg oclgrind"
      if scripts/install-deps.sh --oclgrind && scripts/oclgrind-check.sh; then
        summary+=("oclgrind: ok, $((SECONDS - started)) s")
      else
        failed+=(oclgrind)
      fi ;;
    *)
      echo "unknown leg '$leg': use pocl, pocl-loops, intel or oclgrind"
      exit 2 ;;
  esac
done

echo "== device matrix"
printf '   %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAIL: legs ${failed[*]}"
  exit 1
fi
