#!/usr/bin/env bash
# Tests/install/run.sh: the system install for C (scripts/install.sh), as a C
# user meets it.
#
#   bash Tests/install/run.sh [LIB_BUILD_DIR]
#
# LIB_BUILD_DIR holds a built libchexpert.so and chexpert-sample (default
# .build/release); nothing is built here. Installs them with
# `scripts/install.sh --from LIB_BUILD_DIR` into a temporary prefix (and once
# more under a DESTDIR), then checks:
#   - the layout: libchexpert.so.VERSION, the links libchexpert.so.ABI and
#     libchexpert.so, the header, chexpert.pc, the CMake package, chexpert-sample;
#   - `readelf -d`: SONAME libchexpert.so.ABI (ABI from the header), NEEDED only
#     libturbojpeg and glibc/libstdc++/libgcc (no Swift runtime);
#   - pkg-config (PKG_CONFIG_PATH=prefix/lib/pkgconfig): version, flags, and
#     examples/c/chexpert_summary.c built with them;
#   - CMake (Debian's cmake): Tests/install/cmake-consumer, find_package(chexpert 1)
#     and the imported target chexpert::chexpert; requests for 2 and 1.1 refused;
#   - both programs run on a tree made by the installed chexpert-sample, load the
#     installed libchexpert.so.ABI and print the same report.
# Ends with "N passed, M failed". Installs cmake, pkg-config and gcc with apt
# when missing (as root, or with sudo), like scripts/setup.sh.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
build="${1:-.build/release}"
[[ -f "$build/libchexpert.so" && -f "$build/chexpert-sample" ]] \
    || { echo "install tests: $build has no libchexpert.so and chexpert-sample (swift build -c release)" >&2; exit 2; }
build="$(cd "$build" && pwd)"

# --- Tools ------------------------------------------------------------------------------
missing=()
command -v cmake > /dev/null || missing+=(cmake)
command -v pkg-config > /dev/null || missing+=(pkg-config)
command -v cc > /dev/null || missing+=(gcc)
command -v make > /dev/null || missing+=(make)
if ((${#missing[@]})); then
    echo "install tests: installing ${missing[*]}"
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo > /dev/null || { echo "install tests: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q > /dev/null
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" > /dev/null \
        || { echo "install tests: apt-get install ${missing[*]} failed" >&2; exit 2; }
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL  $1"; [[ -z "${2:-}" ]] || sed 's/^/      /' "$2" | tail -40; }
# check NAME COMMAND...: runs COMMAND, output to a log shown on failure.
check() {
    local name="$1"; shift
    if "$@" > "$work/log" 2>&1; then ok "$name"; else not_ok "$name" "$work/log"; fi
}

macro() { sed -n "s/^#define $1 \"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" include/chexpert.h; }
version="$(macro CHEXPERT_VERSION_STRING)"
abi="$(macro CHEXPERT_ABI_VERSION)"
soname="libchexpert.so.$abi"
echo "install tests: libchexpert $version, ABI $abi, from $build"

# --- Install ----------------------------------------------------------------------------
check "scripts/install.sh --prefix $prefix --from $build" \
    bash scripts/install.sh --prefix "$prefix" --from "$build"

layout() {
    local lib="$prefix/lib"
    [[ -f "$lib/libchexpert.so.$version" && ! -L "$lib/libchexpert.so.$version" ]] || { echo "no file libchexpert.so.$version"; return 1; }
    [[ "$(readlink "$lib/$soname")" == "libchexpert.so.$version" ]] || { echo "$soname -> $(readlink "$lib/$soname")"; return 1; }
    [[ "$(readlink "$lib/libchexpert.so")" == "$soname" ]] || { echo "libchexpert.so -> $(readlink "$lib/libchexpert.so")"; return 1; }
    cmp "$build/libchexpert.so" "$lib/libchexpert.so.$version" || return 1
    cmp include/chexpert.h "$prefix/include/chexpert.h" || return 1
    for file in lib/pkgconfig/chexpert.pc lib/cmake/chexpert/chexpertConfig.cmake \
                lib/cmake/chexpert/chexpertConfigVersion.cmake; do
        [[ -f "$prefix/$file" ]] || { echo "no $file"; return 1; }
    done
    [[ -x "$prefix/bin/chexpert-sample" ]] || { echo "no bin/chexpert-sample"; return 1; }
}
check "layout: lib/libchexpert.so.$version, $soname -> it, libchexpert.so -> $soname, header, .pc, CMake, bin" layout

# DESTDIR: files go under it, the paths written into them do not.
destdir_install() {
    DESTDIR="$work/stage" bash scripts/install.sh --prefix /opt/chexpert --from "$build" || return 1
    [[ -f "$work/stage/opt/chexpert/lib/libchexpert.so.$version" ]] || return 1
    grep -qx 'prefix=/opt/chexpert' "$work/stage/opt/chexpert/lib/pkgconfig/chexpert.pc"
}
check "DESTDIR=stage --prefix /opt/chexpert: staged files, prefix=/opt/chexpert in chexpert.pc" destdir_install

# --- readelf -d --------------------------------------------------------------------------
readelf -d "$prefix/lib/libchexpert.so.$version" > "$work/dynamic" 2>&1
echo "      readelf -d lib/libchexpert.so.$version:"
grep -E 'SONAME|NEEDED|RUNPATH|RPATH' "$work/dynamic" | sed 's/^ *0x[0-9a-f]* /        /'
sonames() { sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p' "$work/dynamic"; }
check "SONAME is $soname (CHEXPERT_ABI_VERSION $abi)" test "$(sonames)" == "$soname"
needed_ok() {
    local needed allowed=" libturbojpeg.so.0 libm.so.6 libstdc++.so.6 libgcc_s.so.1 libc.so.6 ld-linux-x86-64.so.2 "
    needed="$(sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' "$work/dynamic")"
    echo "NEEDED: $(echo $needed)"
    grep -qx 'libturbojpeg.so.0' <<< "$needed" || { echo "libturbojpeg.so.0 not needed"; return 1; }
    local lib
    for lib in $needed; do
        [[ "$allowed" == *" $lib "* ]] || { echo "unexpected NEEDED $lib (no Swift runtime or other library may appear)"; return 1; }
    done
}
check "NEEDED: libturbojpeg.so.0 and only glibc, libstdc++, libgcc_s (no Swift runtime)" needed_ok

# --- pkg-config ---------------------------------------------------------------------------
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
check "pkg-config --modversion chexpert = $version" test "$(pkg-config --modversion chexpert)" == "$version"
check "pkg-config --atleast-version=1.0 chexpert" pkg-config --atleast-version=1.0 chexpert
check "pkg-config: abi_version = $abi, flags -I$prefix/include -L$prefix/lib -lchexpert" test \
    "$(echo $(pkg-config --variable=abi_version chexpert) $(pkg-config --cflags --libs chexpert))" \
    == "$abi -I$prefix/include -L$prefix/lib -lchexpert"
pkg_build() {
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags chexpert) examples/c/chexpert_summary.c \
        $(pkg-config --libs chexpert) -Wl,-rpath,"$(pkg-config --variable=libdir chexpert)" \
        -o "$work/summary-pkgconfig" || return 1
    grep -q "NEEDED.*\[$soname\]" <<< "$(readelf -d "$work/summary-pkgconfig")"
}
check "pkg-config: cc examples/c/chexpert_summary.c \$(pkg-config --cflags --libs chexpert) (NEEDED $soname)" pkg_build
unset PKG_CONFIG_PATH

# --- CMake ----------------------------------------------------------------------------------
cmake_build() {
    cmake -S Tests/install/cmake-consumer -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_BUILD_TYPE=Release || return 1
    cmake --build "$work/cmake" || return 1
    grep -q "NEEDED.*\[$soname\]" <<< "$(readelf -d "$work/cmake/chexpert_summary")"
}
check "CMake: find_package(chexpert 1 REQUIRED) + chexpert::chexpert builds examples/c (NEEDED $soname)" cmake_build
# The consumer's status line, in the configure output just logged.
grep -q "chexpert $version (ABI $abi) from $prefix/lib/cmake/chexpert" "$work/log" \
    && ok "CMake: chexpert_VERSION $version, chexpert_ABI_VERSION $abi" \
    || not_ok "CMake: chexpert_VERSION $version, chexpert_ABI_VERSION $abi" "$work/log"

# Version requests, configure only (no compiler): which find_package calls succeed.
find_request() {  # find_request ARGS EXPECT(found|refused)
    local dir="$work/request-$RANDOM"
    mkdir -p "$dir"
    printf 'cmake_minimum_required(VERSION 3.16)\nproject(request LANGUAGES NONE)\nfind_package(chexpert %s REQUIRED)\n' "$1" > "$dir/CMakeLists.txt"
    if cmake -S "$dir" -B "$dir/build" -DCMAKE_PREFIX_PATH="$prefix"; then
        [[ "$2" == found ]]
    else
        [[ "$2" == refused ]]
    fi
}
check "CMake: find_package(chexpert) and (chexpert 1.0 EXACT...) found; 2 and 1.1 refused" bash -c "
    set -e
    $(declare -f find_request); work='$work'; prefix='$prefix'
    find_request '' found; find_request '1.0' found; find_request '$version EXACT' found
    find_request '2' refused; find_request '1.1' refused; find_request '0.9' refused"

# --- Run on a generated tree -----------------------------------------------------------------
check "installed bin/chexpert-sample writes a tree" \
    "$prefix/bin/chexpert-sample" --out "$work/tree" --train-patients 6 --valid-patients 2 --seed 5
loads_installed() {
    grep -q "$soname => $prefix/lib/$soname" <<< "$(ldd "$1")"
}
check "pkg-config build loads $prefix/lib/$soname" loads_installed "$work/summary-pkgconfig"
check "CMake build loads $prefix/lib/$soname" loads_installed "$work/cmake/chexpert_summary"
run_summary() {  # run_summary PROGRAM OUT
    env -u CHEXPERT_ROOT -u LD_LIBRARY_PATH "$1" "$work/tree" > "$2" || return 1
    grep -q "^libchexpert $version (header $version, ABI $abi)" "$2"
}
check "pkg-config build runs on the tree" run_summary "$work/summary-pkgconfig" "$work/out-pkgconfig"
check "CMake build runs on the tree" run_summary "$work/cmake/chexpert_summary" "$work/out-cmake"
check "both builds print the same report" cmp "$work/out-pkgconfig" "$work/out-cmake"
sed 's/^/      | /' "$work/out-cmake" | head -6

echo "$passed passed, $failed failed"
((failed == 0))
