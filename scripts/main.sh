#!/usr/bin/env bash
# scripts/main.sh: the main job. Sets up only what it needs (`bash
# scripts/setup.sh --main`: the release build and .venv-main with numpy,
# matplotlib and the binding; no TensorFlow, PyTorch or JAX), then looks at a
# CheXpert folder with the `chexpert` command line (docs/cli.md):
#
#   chexpert info   ROOT                       examples, patients, labels, image sizes, decode speed
#   chexpert stats  ROOT --plot OUT/stats.png  labels, views and image sizes of each split, drawn
#   chexpert show   ROOT --grid OUT/grid.png   16 train images titled with their positive findings
#
# and prints where the two pictures are.
#
#   bash scripts/main.sh                      # a generated sample tree in .sample/
#   CHEXPERT_ROOT=/path/to/folder-containing-CheXpert-v1.0-small bash scripts/main.sh
#
# OUT is .main-output/ in the repository, or $CHEXPERT_MAIN_OUTPUT. Extra
# arguments go to `chexpert info` (see `chexpert info --help`).
# $CHEXPERT_SCRATCH names the Swift build folder (default .build).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
caller_dir="$PWD"
cd "$repo"

absolute() { [[ "$1" == /* ]] && echo "$1" || echo "$2/$1"; }

bash scripts/setup.sh --main

scratch="$(absolute "${CHEXPERT_SCRATCH:-.build}" "$repo")"
build="$scratch/release"
export CHEXPERT_LIBRARY="$build/libchexpert.so"
export CHEXPERT_SAMPLE_BIN="$build/chexpert-sample"

if [[ -n "${CHEXPERT_ROOT:-}" ]]; then
    root="$(absolute "$CHEXPERT_ROOT" "$caller_dir")"   # relative to where the script was started
    echo "main: CheXpert folder from CHEXPERT_ROOT: $root"
else
    root="$repo/.sample"
    if [[ ! -f "$root/CheXpert-v1.0-small/train.csv" || ! -f "$root/CheXpert-v1.0-small/valid.csv" ]]; then
        echo "main: CHEXPERT_ROOT is not set; generating a sample tree in .sample/"
        # Written next to the build (ignored by git) and moved into place, so an
        # interrupted run never leaves a half-written .sample/ behind.
        partial="$scratch/sample-partial"
        rm -rf "$partial"
        "$CHEXPERT_SAMPLE_BIN" --out "$partial" --train-patients 200 --valid-patients 20
        rm -rf "$root"
        mv "$partial" "$root"
    else
        echo "main: CHEXPERT_ROOT is not set; using the sample tree in .sample/"
    fi
fi

out="$(absolute "${CHEXPERT_MAIN_OUTPUT:-.main-output}" "$caller_dir")"
[[ -n "${CHEXPERT_MAIN_OUTPUT:-}" ]] || out="$repo/.main-output"
mkdir -p "$out"

chexpert=(.venv-main/bin/chexpert)       # the console script of bindings/python
[[ -x ${chexpert[0]} ]] || chexpert=(.venv-main/bin/python -m chexpert)
echo
"${chexpert[@]}" info "$root" "$@"
echo
"${chexpert[@]}" stats "$root" --plot "$out/stats.png"
"${chexpert[@]}" show "$root" --grid "$out/grid.png"
echo
echo "main: pictures in $out/"
echo "  stats.png  per split: the four label classes of each finding, views and projections,"
echo "             image sizes, images per study"
echo "  grid.png   16 train images, each titled with its name and positive findings"
