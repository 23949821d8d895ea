#!/usr/bin/env bash
# The benchmark in one command: setup (.venv-bench), data (chexpert-sample), build (library + C contenders), run.
#   bash bench/run.sh [run.py options, e.g. --rounds 3 --count 1000 --only A --memory-epochs 0]
# Environment: CHEXPERT_BENCH_DATA (default /tmp/chexpert-bench: ~1 GB of generated JPEGs, outside the repo),
# CHEXPERT_BENCH_VENV (default <repo>/.venv-bench), CHEXPERT_BENCH_PEERS (default 1: also install the optional
# loader peers DALI and FFCV, `bench/setup.sh --peers`; 0: skip them, their rows then say "not installed").
# Writes bench/RESULTS.md; raw JSON and logs go to $CHEXPERT_BENCH_DATA/bench-work/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
data="${CHEXPERT_BENCH_DATA:-/tmp/chexpert-bench}"
venv="${CHEXPERT_BENCH_VENV:-$repo/.venv-bench}"
scratch="$repo/.build-bench"
work="$data/bench-work"
# ~20,500 images (8,300 train patients); baseline JPEGs like the real CheXpert-v1.0-small files, quality chosen
# so that the mean file size (~50 KiB) matches the real set (~11 GB / 223,648 images).
sample_args="--train-patients 8300 --valid-patients 20 --seed 1 --progressive-fraction 0 --quality 94-97"

bash "$here/setup.sh"
if [[ "${CHEXPERT_BENCH_PEERS:-1}" != 0 ]]; then
    bash "$here/setup.sh" --peers || echo "bench/run.sh: the loader peers did not install; their rows will say so"
fi

cd "$repo"
echo "bench/run.sh: building the library and chexpert-sample (release, $scratch)"
swift build -c release --scratch-path "$scratch" 2>&1 | tail -1
swift build -c release --scratch-path "$scratch" --product chexpert-sample 2>&1 | tail -1

stamp="$data/.bench-data-stamp"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$sample_args" ]]; then
    echo "bench/run.sh: generating the dataset in $data"
    rm -rf "$data/CheXpert-v1.0-small"
    mkdir -p "$data"
    # shellcheck disable=SC2086
    "$scratch/release/chexpert-sample" --out "$data" $sample_args
    echo "$sample_args" > "$stamp"
fi

mkdir -p "$work"
bash "$repo/scripts/link-soname.sh" "$scratch/release/libchexpert.so" > /dev/null
# The ceiling is the machine's limit: built for this CPU (AVX2/AVX-512, FMA), unlike the portable library.
cc -O3 -march=native -Wall -Wextra -o "$work/ceiling" "$here/ceiling.c" -lturbojpeg -lpthread -lm
cc -O3 -Wall -Wextra -I"$repo/include" -o "$work/libchexpert_batch" "$here/libchexpert_batch.c" \
    -L"$scratch/release" -lchexpert -Wl,-rpath,"$scratch/release"

images=$(find "$data/CheXpert-v1.0-small" -name '*.jpg' | wc -l)
kib=$(du -sk "$data/CheXpert-v1.0-small" | cut -f1)
exec "$venv/bin/python" "$here/run.py" --root "$data" --ceiling "$work/ceiling" --libc "$work/libchexpert_batch" \
    --library "$scratch/release/libchexpert.so" --workdir "$work" --sample-args "$sample_args" \
    --dataset-note "$images images, $((kib / 1024)) MiB on disk" --command "bash bench/run.sh${*:+ $*}" "$@"
