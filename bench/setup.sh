#!/usr/bin/env bash
# Creates <repo>/.venv-bench (git-ignored by .venv*) with the benchmark's peers, pinned in
# bench/requirements-bench.txt, plus the chexpert binding (editable). Idempotent: a stamp holding the hash of the
# requirements file and of this script skips the install when nothing changed. Needs Python 3.11 and PyPI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="${CHEXPERT_BENCH_VENV:-$repo/.venv-bench}"
python="${PYTHON:-python3}"
stamp="$venv/.bench-setup-stamp"
want="$(cat "$here/requirements-bench.txt" "$here/setup.sh" | sha256sum | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "bench/setup.sh: $venv is up to date"
    exit 0
fi

start=$(date +%s)
if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --progress-bar off -r "$here/requirements-bench.txt"
"$venv/bin/python" -m pip install --progress-bar off -e "$repo/bindings/python"
"$venv/bin/python" - <<'PY'
import importlib, importlib.util
for name in ("torch", "torchvision", "torchxrayvision", "PIL", "simplejpeg", "turbojpeg", "tensorflow", "numpy",
             "tqdm", "psutil"):
    mod = importlib.import_module(name)
    print(f"  {name} {getattr(mod, '__version__', '?')}")
print("  chexpert (binding) at", importlib.util.find_spec("chexpert").origin)
PY
echo "$want" > "$stamp"
echo "bench/setup.sh: installed in $(( $(date +%s) - start )) s; $(du -sh "$venv" | cut -f1) in $venv"
