#!/usr/bin/env bash
# scripts/main.sh: the main job. Sets up, then reports on a CheXpert folder:
# examples per split and view, label prevalence, and decode throughput
# (`python -m chexpert`).
#
#   bash scripts/main.sh                      # a generated sample tree in .sample/
#   CHEXPERT_ROOT=/path/to/folder-containing-CheXpert-v1.0-small bash scripts/main.sh
#
# Extra arguments go to `python -m chexpert` (see its --help).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
caller_dir="$PWD"
cd "$repo"

bash scripts/setup.sh

if [[ -n "${CHEXPERT_ROOT:-}" ]]; then
    root="$CHEXPERT_ROOT"
    [[ "$root" == /* ]] || root="$caller_dir/$root"  # relative to where the script was started
    echo "main: CheXpert folder from CHEXPERT_ROOT: $root"
else
    root="$repo/.sample"
    if [[ ! -f "$root/CheXpert-v1.0-small/train.csv" || ! -f "$root/CheXpert-v1.0-small/valid.csv" ]]; then
        echo "main: CHEXPERT_ROOT is not set; generating a sample tree in .sample/"
        # Written next to the build (ignored by git) and moved into place, so an
        # interrupted run never leaves a half-written .sample/ behind.
        partial="$repo/.build/sample-partial"
        rm -rf "$partial"
        .build/release/chexpert-sample --out "$partial" --train-patients 200 --valid-patients 20
        rm -rf "$root"
        mv "$partial" "$root"
    else
        echo "main: CHEXPERT_ROOT is not set; using the sample tree in .sample/"
    fi
fi

export CHEXPERT_LIBRARY="$repo/.build/release/libchexpert.so"
exec .venv/bin/python -m chexpert --root "$root" "$@"
