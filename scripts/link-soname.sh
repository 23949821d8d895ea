#!/usr/bin/env bash
# scripts/link-soname.sh LIBRARY [DIR]: make DIR/<SONAME> a symbolic link to
# LIBRARY, so that programs linked with -lchexpert against LIBRARY's folder
# (which record NEEDED libchexpert.so.<ABI>, the SONAME) find it at run time.
# DIR defaults to LIBRARY's folder. Prints DIR.
#
# SwiftPM names its output libchexpert.so; scripts/install.sh installs the
# versioned file and both links properly. This is for build folders only.
set -euo pipefail

library="$(realpath "${1:?usage: link-soname.sh LIBRARY [DIR]}")"
dir="${2:-$(dirname "$library")}"
soname="$(readelf -d "$library" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')"
[[ -n "$soname" ]] || { echo "link-soname: $library has no SONAME" >&2; exit 1; }
mkdir -p "$dir"
if [[ "$(realpath "$dir/$soname" 2> /dev/null || true)" != "$library" ]]; then
    ln -sfn "$library" "$dir/$soname"
fi
echo "$dir"
