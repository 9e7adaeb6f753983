#!/usr/bin/env bash
# Installs the Debian packages Descent needs, when they are missing:
#   the OpenCL ICD loader and headers (to build), clinfo (to see devices), and PoCL (an OpenCL
#   driver for the CPU) when no OpenCL driver is registered yet; zlib (to read gzip-compressed data)
#   and the Fashion-MNIST data set (files under /usr/share/datasets/fashion-mnist); with --oclgrind,
#   also oclgrind.
# With --tests, also Open MPI (openmpi-bin: the distributed tests run descent under mpirun) and
# Python's safetensors and numpy (pip), which a test uses to read Descent's checkpoints. As root it installs what is missing; otherwise it prints the exact command and fails.
set -euo pipefail

packages=(ocl-icd-opencl-dev opencl-headers clinfo zlib1g-dev dataset-fashion-mnist)
if ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
  packages+=(pocl-opencl-icd)
fi
[ "${1:-}" = "--oclgrind" ] && packages+=(oclgrind)
[ "${1:-}" = "--tests" ] && packages+=(openmpi-bin)

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  command="apt-get install -y ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Descent needs these Debian packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get update && sudo $command" >&2
    exit 1
  fi
  echo "Installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $command -qq >/dev/null
fi

if [ "${1:-}" = "--tests" ] && ! python3 -c "import safetensors.numpy, numpy" >/dev/null 2>&1; then
  pip_command="python3 -m pip install --quiet safetensors numpy"
  if [ "$(id -u)" -ne 0 ]; then
    echo "The checkpoint tests read files with Python's safetensors. Install it with:  $pip_command" >&2
    exit 1
  fi
  echo "Installing safetensors and numpy (pip)"
  $pip_command
fi
