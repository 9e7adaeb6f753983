#!/usr/bin/env bash
# Installs Intel's OpenCL runtime for CPUs from PyPI into a cache folder (no root, nothing in /etc)
# and registers it for the OpenCL ICD loader through OCL_ICD_VENDORS: under that variable the
# loader sees Intel's platform alone, so a CI leg knows which device it tests.
#   scripts/install-intel-opencl.sh [--env] [CACHE_DIR]
# CACHE_DIR defaults to ${DESCENT_DRIVER_CACHE:-$HOME/.cache/descent/drivers}/intel-opencl; a
# finished install there is kept. Progress goes to stderr; stdout gets only the line to eval, and only
# on success:  eval "$(scripts/install-intel-opencl.sh | tail -1)". --env prints that line alone.
# Exits 3 when the runtime installs but offers no device on this CPU, so CI can report a skip.
set -euo pipefail

# Pinned together for reproducible CI. intel-opencl-rt's metadata omits intel-cmplr-lib-rt, yet
# libintelocl.so needs its libimf, libsvml, libirng and libintlc.
wheels=(intel-opencl-rt==2026.2.0 intel-cmplr-lib-rt==2026.2.0 intel-cmplr-lic-rt==2026.2.0
        tbb==2023.2.0 tcmlib==1.6.0)

quiet=()
if [ "${1:-}" = "--env" ]; then quiet=(--quiet); shift; fi
say() { [ ${#quiet[@]} -gt 0 ] || echo "$*" >&2; }
exec 3>&1 1>&2  # fd 3 is the caller's stdout, kept for the export line

dir=${1:-${DESCENT_DRIVER_CACHE:-$HOME/.cache/descent/drivers}/intel-opencl}
mkdir -p "$(dirname "$dir")"
dir="$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")"  # the .icd needs an absolute path
library=$dir/lib/libintelocl.so
icd=$dir/vendors/intel-cpu.icd

if [ -f "$library" ] && [ "$(cat "$dir/VERSION" 2>/dev/null)" = "${wheels[*]}" ]; then
  say "Intel's OpenCL runtime is already in $dir"
else
  if ! python3 -m pip --version >/dev/null 2>&1; then
    echo "Installing Intel's OpenCL runtime needs pip (python3 -m pip): apt-get install -y python3-pip" >&2
    exit 1
  fi
  # Built beside $dir and renamed into place, so a failed run never leaves a half install.
  staging=$(mktemp -d "$dir.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  say "Downloading ${wheels[*]} (about 270 MB)"
  if ! python3 -m pip download "${quiet[@]}" --no-deps --only-binary=:all: --no-cache-dir \
      --disable-pip-version-check --dest "$staging/wheels" "${wheels[@]}"; then
    echo "pip could not download Intel's OpenCL runtime (${wheels[*]})" >&2
    exit 1
  fi
  # Unzipped by hand, not `pip install --prefix`: Debian's pip moves a prefix's data under local/.
  # Wheels cannot hold symlinks, so libfoo.so and libfoo.so.N arrive as copies; link them instead
  # (saves 300 MB of cache).
  python3 - "$staging" "$staging"/wheels/*.whl <<'EOF'
import pathlib, shutil, sys, zipfile
dest, seen = pathlib.Path(sys.argv[1]), {}
for wheel in sys.argv[2:]:
    with zipfile.ZipFile(wheel) as archive:
        for entry in archive.infolist():
            parts = entry.filename.split("/", 2)
            if len(parts) < 3 or not parts[0].endswith(".data") or parts[1] != "data" or entry.is_dir():
                continue
            target = dest / parts[2]
            target.parent.mkdir(parents=True, exist_ok=True)
            twin = seen.setdefault((target.parent, entry.file_size, entry.CRC), target.name)
            if twin != target.name:
                target.symlink_to(twin)
                continue
            with archive.open(entry) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
EOF
  rm -rf "$staging/wheels"
  # RUNPATH $ORIGIN finds the sibling libraries; a missing one would make the loader skip Intel silently.
  missing=$(ldd "$staging/lib/libintelocl.so" | awk '/not found/ {print $1}' | sort -u | tr '\n' ' ')
  if [ -n "$missing" ]; then
    echo "Intel's OpenCL runtime in $staging lacks these libraries: $missing" >&2
    exit 1
  fi
  echo "${wheels[*]}" >"$staging/VERSION"
  chmod 755 "$staging"
  rm -rf "$dir"
  mv "$staging" "$dir"
  trap - EXIT
  say "Installed Intel's OpenCL runtime in $dir"
fi

# The .icd names the library by absolute path: rewritten when it differs, so a cache restored under
# another path works. Its folder holds nothing else, so the loader sees Intel's platform alone.
if [ "$(cat "$icd" 2>/dev/null)" != "$library" ]; then
  mkdir -p "$dir/vendors"
  echo "$library" >"$icd"
fi

if ! command -v clinfo >/dev/null; then
  echo "Checking Intel's OpenCL device needs clinfo: apt-get install -y clinfo (or scripts/install-deps.sh)" >&2
  exit 1
fi
devices=$(OCL_ICD_VENDORS="$dir/vendors" clinfo -l) || true  # a driver that fails to start offers no device
if ! grep -q 'Device #' <<<"$devices"; then
  cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  echo "Intel's OpenCL runtime offers no device on this CPU ($cpu)" >&2
  exit 3
fi
say "$devices"
echo "export OCL_ICD_VENDORS=$dir/vendors" >&3
