#!/usr/bin/env bash
# Tests/install/wheel.sh: the Python wheel as a user gets it.
#
#   bash Tests/install/wheel.sh [--scratch-path DIR]
#
# 1. bash scripts/wheel.sh [--scratch-path DIR] -> dist/chexpert-*-manylinux_*.whl
#    (DIR: the swift build folder, default .build-wheel; pass .build to reuse
#    the build scripts/setup.sh made).
# 2. A fresh venv in a temporary folder (outside the repository) with
#    requirements-tfds.txt (numpy, pytest, Pillow, tqdm and the real TFDS
#    builder) and `pip install` of the wheel.
# 3. From that temporary folder, with `env -i` (no CHEXPERT_*, no PYTHONPATH):
#    import and read a tree made by the wheel's generator; `chexpert sample`
#    (the console script); and the import error, when the package's library is
#    missing, lists the path tried and the advice for each install route.
# 4. pytest, run from the temporary folder with --rootdir Tests and
#    CHEXPERT_LIBRARY unset, on Tests/install/test_installed_copy.py (the
#    package, library, bundled libturbojpeg and generator are the venv's) and
#    the binding tests that need no torch, jax or checkout: dataset, batch,
#    errors, pixels, resized, loader, targets, order, selection, the tf.data
#    adapter and the TFDS conformance test.
# Ends with "N passed, M failed" for the steps; pytest prints its own summary.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
wheel_args=()
while (($#)); do
    case "$1" in
        --scratch-path) wheel_args+=(--scratch-path "$2"); shift 2 ;;
        *) echo "wheel tests: unknown argument: $1" >&2; exit 2 ;;
    esac
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="$work/venv"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL  $1"; [[ -z "${2:-}" ]] || sed 's/^/      /' "$2" | tail -40; }
check() {
    local name="$1"; shift
    if "$@" > "$work/log" 2>&1; then ok "$name"; else not_ok "$name" "$work/log"; fi
}
finish() { echo "$passed passed, $failed failed"; ((failed == 0)); exit; }
started=$SECONDS

# --- 1. The wheel ------------------------------------------------------------------------
if bash scripts/wheel.sh "${wheel_args[@]}" > "$work/wheel.log" 2>&1; then
    wheel="$repo/$(tail -1 "$work/wheel.log")"
    ok "scripts/wheel.sh: $(basename "$wheel") ($(du -h "$wheel" | cut -f1), $((SECONDS - started)) s)"
else
    not_ok "scripts/wheel.sh" "$work/wheel.log"
    finish
fi
python3 -m zipfile -l "$wheel" > "$work/contents"
contents_ok() {
    local name
    for name in chexpert/__init__.py chexpert/libchexpert.so chexpert/chexpert-sample chexpert.libs/libturbojpeg-; do
        grep -q "^$name" "$work/contents" || { echo "no $name in the wheel"; cat "$work/contents"; return 1; }
    done
}
check "wheel holds chexpert/, libchexpert.so, chexpert-sample and chexpert.libs/libturbojpeg-*" contents_ok

# --- 2. A fresh venv -----------------------------------------------------------------------
step_start=$SECONDS
make_venv() {
    python3 -m venv "$venv" || return 1
    "$venv/bin/python" -m pip --disable-pip-version-check -q install -r requirements-tfds.txt || return 1
    "$venv/bin/python" -m pip --disable-pip-version-check -q install "$wheel"
}
if make_venv > "$work/log" 2>&1; then
    ok "fresh venv in $work: requirements-tfds.txt + the wheel ($((SECONDS - step_start)) s)"
else
    not_ok "fresh venv: requirements-tfds.txt + the wheel" "$work/log"
    finish
fi

# --- 3. Outside the repository, with an empty environment ---------------------------------------
cd "$work"
bare=(env -i "HOME=$work" "PATH=$venv/bin:/usr/bin:/bin")
read_tree() {
    "${bare[@]}" "$venv/bin/python" - "$venv" <<'EOF'
import os, subprocess, sys
from pathlib import Path
import chexpert
venv = Path(sys.argv[1]).resolve()
library = Path(chexpert.library_path).resolve()
assert library.is_relative_to(venv), library
print("library:", library)
tree = venv.parent / "tree"
subprocess.run([str(library.parent / "chexpert-sample"), "--out", str(tree)], check=True,
               stdout=subprocess.DEVNULL)
with chexpert.Dataset(tree) as ds:
    example = ds["train"][0]
    print(len(ds["train"]), "train examples; train[0]:", example["name"].decode(), example["image"].shape)
    assert example["image"].ndim == 3 and example["image"].any()
EOF
}
check "env -i, outside the repo: import chexpert, library in the venv, read a generated tree" read_tree
grep '^library:' "$work/log" | sed 's/^/      /'

if grep -q '^chexpert/cli/' "$work/contents"; then
    cli_sample() {
        "${bare[@]}" "$venv/bin/chexpert" sample "$work/cli-tree" || return 1
        [[ -f "$work/cli-tree/CheXpert-v1.0-small/train.csv" ]]
    }
    check "env -i: chexpert sample OUT (console script)" cli_sample
else
    echo "note  no chexpert/cli in the wheel: 'chexpert sample' not checked"
fi

# The import error of an installed copy whose library is gone.
import_error() {
    local site broken="$work/broken"
    site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
    mkdir -p "$broken"
    cp -r "$site/chexpert" "$broken/"
    rm "$broken/chexpert/libchexpert.so"
    if "${bare[@]}" "PYTHONPATH=$broken" "$venv/bin/python" -c 'import chexpert' > "$work/import.log" 2>&1; then
        echo "import succeeded without the library"; return 1
    fi
    cat "$work/import.log"
    grep -q "package directory: $broken/chexpert/libchexpert.so: .*No such file" "$work/import.log" \
        && grep -q 'pip install --force-reinstall chexpert-\*.whl' "$work/import.log" \
        && grep -q 'bash scripts/setup.sh' "$work/import.log" \
        && grep -q 'pip install ./bindings/python' "$work/import.log" \
        && grep -q 'scripts/install.sh' "$work/import.log" \
        && ! grep -q '^  checkout build:' "$work/import.log"
}
check "library missing: ImportError lists the path tried and what to do per install route" import_error

# --- 4. The binding tests against the installed copy ------------------------------------------------
tests=(Tests/install/test_installed_copy.py)
for name in dataset batch errors pixels resized loader targets order selection tf tfds_conformance; do
    tests+=("Tests/python/test_$name.py")
done
step_start=$SECONDS
(cd "$work" && env -u CHEXPERT_LIBRARY -u CHEXPERT_SAMPLE_BIN -u PYTHONPATH \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$repo/Tests" \
    "${tests[@]/#/$repo/}") 2>&1 | tee "$work/pytest.log" | tail -5
if [[ ${PIPESTATUS[0]} -eq 0 ]]; then
    ok "pytest against the installed copy: $(tail -1 "$work/pytest.log" | sed 's/^=* *//; s/ *=*$//') ($((SECONDS - step_start)) s)"
else
    not_ok "pytest against the installed copy" "$work/pytest.log"
fi

echo "wheel tests: $((SECONDS - started)) s"
finish
