#!/usr/bin/env bash
# Creates <repo>/.venv-bench (git-ignored by .venv*) with the benchmark's peers, pinned in
# bench/requirements-bench.txt, plus the chexpert binding (editable). Idempotent: a stamp holding the hash of the
# requirements file and of this script skips the install when nothing changed. Needs Python 3.11 and PyPI.
#   bash bench/setup.sh            the peers of bench/requirements-bench.txt
#   bash bench/setup.sh --peers    also the optional loader peers (DALI, FFCV: bench/requirements-peers.txt), with
#                                  the Debian packages FFCV's build needs (apt-get, as root or through sudo; ~680 MB)
# Not part of CI (scripts/test.sh never calls it).
set -euo pipefail
peers=0
for arg in "$@"; do
    case "$arg" in
        --peers) peers=1 ;;
        *) echo "bench/setup.sh: unknown option $arg (use --peers)" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="${CHEXPERT_BENCH_VENV:-$repo/.venv-bench}"
python="${PYTHON:-python3}"
stamp="$venv/.bench-setup-stamp"
want="$(cat "$here/requirements-bench.txt" "$here/setup.sh" | sha256sum | cut -d' ' -f1)"

install_peers() {
    local peer_stamp="$venv/.bench-peers-stamp" peer_want sudo=""
    peer_want="$(cat "$here/requirements-peers.txt" "$here/setup.sh" | sha256sum | cut -d' ' -f1)"
    if [[ -f "$peer_stamp" && "$(cat "$peer_stamp")" == "$peer_want" ]]; then
        echo "bench/setup.sh: loader peers in $venv are up to date"
        return 0
    fi
    local t0
    t0=$(date +%s)
    if ! pkg-config --exists opencv4 libturbojpeg || ! command -v g++ > /dev/null; then
        [[ "$(id -u)" == 0 ]] || sudo="sudo"
        echo "bench/setup.sh: apt-get install libopencv-dev libturbojpeg0-dev pkg-config g++ (for FFCV's build)"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            libopencv-dev libturbojpeg0-dev pkg-config g++ > /dev/null
    fi
    "$venv/bin/python" -m pip install --progress-bar off -r "$here/requirements-peers.txt"
    "$venv/bin/python" - <<'PY'
import importlib
for name in ("nvidia.dali", "ffcv", "numba", "cv2", "torch", "numpy"):
    mod = importlib.import_module(name)
    print(f"  {name} {getattr(mod, '__version__', '?')}")
PY
    echo "$peer_want" > "$peer_stamp"
    echo "bench/setup.sh: loader peers installed in $(( $(date +%s) - t0 )) s"
}

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "bench/setup.sh: $venv is up to date"
    if [[ "$peers" == 1 ]]; then install_peers; fi
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
if [[ "$peers" == 1 ]]; then install_peers; fi
