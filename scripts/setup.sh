#!/usr/bin/env bash
# scripts/setup.sh: everything the other scripts need, idempotent.
#
#   bash scripts/setup.sh          # the tests (scripts/test.sh): steps 1-3 below
#   bash scripts/setup.sh --main   # only what scripts/main.sh needs: step 1's
#                                  # libturbojpeg0-dev, pkg-config and
#                                  # python3-venv, step 2, and .venv-main
#                                  # (step 3m); no TensorFlow, PyTorch or JAX
#
#   1. System packages (apt, only those missing): libturbojpeg0-dev (the
#      library's JPEG decoder), libjpeg-turbo-progs (jpegtran, for the
#      hostile-input corpus), libffi-dev + pkg-config + gcc/g++ (C tests),
#      valgrind (memory checks), python3-venv (only if `python3 -m venv`
#      cannot work).
#   2. swift build -c release  ->  .build/release/libchexpert.so and
#      .build/release/chexpert-sample (the sample-tree generator).
#      With --main, $CHEXPERT_SCRATCH names another build folder
#      (`--scratch-path`, default .build).
#   3. .venv with requirements-test.txt, requirements-tfds.txt,
#      requirements-adapters.txt (torch, from a local CPU wheel in /opt/wheels
#      when there is one; jax) and the binding (`pip install -e
#      bindings/python`); skipped while a stamp of those files (and the
#      interpreter, and the torch wheel used) is unchanged.
#   3m. (--main) .venv-main with numpy and matplotlib at the versions pinned in
#      requirements-test.txt and the binding (`pip install -e
#      bindings/python`); skipped while its stamp is unchanged.
#
# Expects a Debian 12 machine with the Swift toolchain at /opt/swift (or
# `swift` on PATH). Run as root, or as a user with sudo, for step 1.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

say() { echo "setup: $*"; }

mode=test
case "${1:-}" in
    "") ;;
    --main) mode=main ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown argument '$1' (use --main, or nothing)" >&2; exit 2 ;;
esac

if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift > /dev/null || { echo "setup: no Swift toolchain (expected /opt/swift/usr/bin/swift)" >&2; exit 1; }

# --- 1. System packages ------------------------------------------------------

installed() { dpkg-query -W -f='${Status}' "$1" 2> /dev/null | grep -q "install ok installed"; }

if [[ $mode == main ]]; then
    # The build (libturbojpeg0-dev; SwiftPM reads its pkg-config file) and a venv.
    wanted_packages=(libturbojpeg0-dev pkg-config)
else
    wanted_packages=(libturbojpeg0-dev libjpeg-turbo-progs libffi-dev pkg-config valgrind gcc g++)
fi
missing=()
for package in "${wanted_packages[@]}"; do
    installed "$package" || missing+=("$package")
done
if ! command -v python3 > /dev/null; then
    missing+=(python3 python3-venv)
elif ! python3 -c 'import ensurepip, venv' 2> /dev/null; then
    missing+=(python3-venv)
fi

if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo > /dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    say "system packages present"
fi

# --- 2. Build ------------------------------------------------------------------

if [[ $mode == main ]]; then
    scratch="${CHEXPERT_SCRATCH:-.build}"
    say "swift build -c release --scratch-path $scratch"
    swift build -c release --scratch-path "$scratch"
    [[ -f $scratch/release/libchexpert.so && -x $scratch/release/chexpert-sample ]] \
        || { echo "setup: $scratch/release/libchexpert.so or chexpert-sample was not built" >&2; exit 1; }
    bash scripts/link-soname.sh "$scratch/release/libchexpert.so" > /dev/null
else
    say "swift build -c release"
    swift build -c release
    [[ -f .build/release/libchexpert.so ]] || { echo "setup: .build/release/libchexpert.so was not built" >&2; exit 1; }
    bash scripts/link-soname.sh .build/release/libchexpert.so > /dev/null
fi

# --- 3m. The main job's Python environment (--main) ------------------------------

if [[ $mode == main ]]; then
    venv=.venv-main
    if [[ ! -x $venv/bin/python ]]; then
        say "creating $venv"
        python3 -m venv "$venv"
    fi
    # numpy and matplotlib at the test venv's pins: one place for versions.
    pins=()
    while IFS= read -r line; do pins+=("$line"); done \
        < <(grep -E '^(numpy|matplotlib)==' requirements-test.txt)
    ((${#pins[@]} == 2)) || { echo "setup: requirements-test.txt lacks the numpy or matplotlib pin" >&2; exit 1; }
    stamp=$venv/.chexpert-setup-stamp
    wanted="$({
        "$venv/bin/python" -c 'import sys; print(sys.version)'
        printf '%s\n' "${pins[@]}"
        sha256sum bindings/python/pyproject.toml
    } | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        say "Python packages up to date ($venv)"
    else
        say "installing into $venv: ${pins[*]} + bindings/python (editable)"
        pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
        "${pip[@]}" install "${pins[@]}" -e bindings/python
        echo "$wanted" > "$stamp"
    fi
    say "done"
    exit 0
fi

# --- 3. The tests' Python environment -------------------------------------------

if [[ ! -x .venv/bin/python ]]; then
    say "creating .venv"
    python3 -m venv .venv
fi

requirements=(requirements-test.txt requirements-tfds.txt requirements-adapters.txt)
# A local CPU build of the pinned torch, if the machine has one (PyPI's is CUDA, several GB).
torch_pin="$(sed -n 's/^torch==\([0-9.]*\)$/\1/p' requirements-adapters.txt)"
local_torch=()
for wheel in /opt/wheels/torch-"$torch_pin"+cpu-cp311-*.whl; do
    if [[ -f "$wheel" ]]; then local_torch=("$wheel"); fi
done
stamp=.venv/.chexpert-setup-stamp
wanted="$({
    .venv/bin/python -c 'import sys; print(sys.version)'
    sha256sum "${requirements[@]}" bindings/python/pyproject.toml
    echo "${local_torch[@]}"
} | sha256sum | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    say "Python packages up to date (.venv)"
else
    say "installing Python packages into .venv: ${requirements[*]} + bindings/python"
    pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
    args=()
    for file in "${requirements[@]}"; do args+=(-r "$file"); done
    # One resolver run, so the test, TFDS and adapter pins are solved together;
    # a local torch wheel satisfies torch==X (its +cpu label is ignored).
    "${pip[@]}" install "${local_torch[@]}" "${args[@]}"
    "${pip[@]}" install -e bindings/python
    echo "$wanted" > "$stamp"
fi

say "done"
