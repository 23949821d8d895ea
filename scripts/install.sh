#!/usr/bin/env bash
# scripts/install.sh: installs libchexpert for C and C++ users under a prefix.
#
#   bash scripts/install.sh [--prefix DIR] [--scratch-path DIR | --from DIR]
#
#   --prefix DIR        where to install (default /usr/local); $DESTDIR, if
#                       set, is prepended to every installed path (packagers),
#                       not to the paths written into the files
#   --scratch-path DIR  build with `swift build -c release --scratch-path DIR`
#                       (default .build); the build is incremental
#   --from DIR          do not build: install the libchexpert.so and
#                       chexpert-sample found in DIR (e.g. .build/release)
#
# Installs, with VERSION = CHEXPERT_VERSION_STRING and ABI = CHEXPERT_ABI_VERSION
# read from include/chexpert.h:
#   lib/libchexpert.so.VERSION        the library (SONAME libchexpert.so.ABI)
#   lib/libchexpert.so.ABI  -> libchexpert.so.VERSION   (what programs load)
#   lib/libchexpert.so      -> libchexpert.so.ABI       (what -lchexpert finds)
#   include/chexpert.h
#   lib/pkgconfig/chexpert.pc         pkg-config --cflags --libs chexpert
#   lib/cmake/chexpert/chexpertConfig.cmake, chexpertConfigVersion.cmake
#                                     find_package(chexpert 1) -> chexpert::chexpert
#   bin/chexpert-sample               the sample-tree generator
#
# The library needs libturbojpeg.so.0 at run time (Debian: libturbojpeg0);
# compiling against it needs nothing else (the header includes only
# <stddef.h> and <stdint.h>).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

prefix=/usr/local
scratch=.build
from=""
while (($#)); do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#*=}"; shift ;;
        --scratch-path) scratch="$2"; shift 2 ;;
        --from) from="$2"; shift 2 ;;
        -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }

[[ "$prefix" == /* ]] || prefix="$(pwd)/$prefix"
prefix="${prefix%/}"
[[ -n "$prefix" ]] || prefix=/  # --prefix / is unusual, but exact
destdir="${DESTDIR:-}"

macro() {  # the value of a #define in the header (quotes stripped)
    sed -n "s/^#define $1 \"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" include/chexpert.h
}
version="$(macro CHEXPERT_VERSION_STRING)"
abi="$(macro CHEXPERT_ABI_VERSION)"
major="$(macro CHEXPERT_VERSION_MAJOR)"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ && "$abi" =~ ^[0-9]+$ && "$major" =~ ^[0-9]+$ ]] \
    || die "cannot read the versions from include/chexpert.h (got '$version', '$abi', '$major')"

# --- Build (or take a build) -------------------------------------------------------
if [[ -n "$from" ]]; then
    build="$(cd "$from" && pwd)"
else
    if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    command -v swift > /dev/null || die "no Swift toolchain (expected /opt/swift/usr/bin/swift); or pass --from DIR"
    say "swift build -c release --scratch-path $scratch"
    swift build -c release --scratch-path "$scratch"
    build="$(cd "$scratch/release" && pwd)"
fi
for file in libchexpert.so chexpert-sample; do
    [[ -f "$build/$file" ]] || die "$build/$file does not exist"
done
soname="$(readelf -d "$build/libchexpert.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')"
[[ "$soname" == "libchexpert.so.$abi" ]] \
    || die "$build/libchexpert.so has SONAME '$soname', expected libchexpert.so.$abi (rebuild it)"

# --- Install -------------------------------------------------------------------------
libdir="$prefix/lib"
includedir="$prefix/include"
bindir="$prefix/bin"
pcdir="$libdir/pkgconfig"
cmakedir="$libdir/cmake/chexpert"
real="libchexpert.so.$version"

install -d "$destdir$libdir" "$destdir$includedir" "$destdir$bindir" "$destdir$pcdir" "$destdir$cmakedir"
install -m 755 "$build/libchexpert.so" "$destdir$libdir/$real"
ln -sfn "$real" "$destdir$libdir/$soname"
ln -sfn "$soname" "$destdir$libdir/libchexpert.so"
install -m 644 include/chexpert.h "$destdir$includedir/chexpert.h"
install -m 755 "$build/chexpert-sample" "$destdir$bindir/chexpert-sample"

# pkg-config. No Requires.private/Libs.private: only the shared library is
# installed, and it records NEEDED libturbojpeg.so.0 itself, so neither
# compiling nor linking a consumer needs libturbojpeg's development files
# (which Requires.private would demand even for --cflags).
cat > "$destdir$pcdir/chexpert.pc" <<EOF
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include
abi_version=$abi

Name: chexpert
Description: CheXpert chest X-ray dataset reader (C ABI $abi, SONAME $soname)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lchexpert
EOF

# CMake package. Relocatable: paths are relative to this file's folder.
cat > "$destdir$cmakedir/chexpertConfig.cmake" <<EOF
# CMake package of libchexpert $version (scripts/install.sh).
#
#   find_package(chexpert 1 REQUIRED)
#   target_link_libraries(app PRIVATE chexpert::chexpert)
#
# Defines the imported target chexpert::chexpert (the shared library and its
# header) and chexpert_ABI_VERSION ($abi, the number in the SONAME).
# chexpertConfigVersion.cmake accepts a request of the same major release
# version (SameMajorVersion on $version).

get_filename_component(_chexpert_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(chexpert_ABI_VERSION $abi)
if(NOT TARGET chexpert::chexpert)
  add_library(chexpert::chexpert SHARED IMPORTED)
  set_target_properties(chexpert::chexpert PROPERTIES
    IMPORTED_LOCATION "\${_chexpert_prefix}/lib/$real"
    IMPORTED_SONAME "$soname"
    INTERFACE_INCLUDE_DIRECTORIES "\${_chexpert_prefix}/include")
endif()
set(chexpert_INCLUDE_DIRS "\${_chexpert_prefix}/include")
set(chexpert_LIBRARIES chexpert::chexpert)
unset(_chexpert_prefix)
EOF

# Same rules as CMake's write_basic_package_version_file(... SameMajorVersion).
cat > "$destdir$cmakedir/chexpertConfigVersion.cmake" <<EOF
# libchexpert $version: compatible with a request for $major.x up to $version
# (SameMajorVersion); 64-bit only.
set(PACKAGE_VERSION "$version")
if(PACKAGE_FIND_VERSION_RANGE)
  if((PACKAGE_FIND_VERSION_RANGE_MIN STREQUAL "INCLUDE" AND PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MIN)
     OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "INCLUDE" AND PACKAGE_VERSION VERSION_GREATER PACKAGE_FIND_VERSION_MAX)
     OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "EXCLUDE" AND PACKAGE_VERSION VERSION_GREATER_EQUAL PACKAGE_FIND_VERSION_MAX))
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
  else()
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
elseif(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
elseif(PACKAGE_FIND_VERSION_MAJOR STREQUAL "$major")
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
else()
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
endif()
if(NOT "\${CMAKE_SIZEOF_VOID_P}" STREQUAL "" AND NOT "\${CMAKE_SIZEOF_VOID_P}" STREQUAL "8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} (64bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
EOF
chmod 644 "$destdir$pcdir/chexpert.pc" "$destdir$cmakedir"/*.cmake

say "installed libchexpert $version (SONAME $soname) under $destdir$prefix"
# Refresh the loader cache for system prefixes (as root, no DESTDIR).
if [[ -z "$destdir" && $(id -u) -eq 0 && ( "$prefix" == /usr/local || "$prefix" == /usr ) ]] \
    && command -v ldconfig > /dev/null; then
    ldconfig
elif [[ -z "$destdir" ]]; then
    case "$prefix" in
        /usr|/usr/local) say "run ldconfig as root so programs find $soname" ;;
        *) say "programs find $soname through -Wl,-rpath,$libdir (or LD_LIBRARY_PATH=$libdir)" ;;
    esac
fi
