#!/usr/bin/env bash
# scripts/fuzz.sh: build the libFuzzer targets (Fuzz/, -sanitize=fuzzer,address)
# and run each for a given time.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]   (default 60; csv jpeg abi)
#   bash scripts/fuzz.sh --replay                            (every seed and regression, once)
#
# Targets (Fuzz/Sources/fuzz-*/main.swift):
#   csv   CSV bytes -> SplitTable; selection, targets, order over the table
#   jpeg  image bytes -> header, decode (fast/accurate, RGB/grey), resample
#   abi   bytes -> a program of C API calls with arbitrary arguments
# Corpora grow in .fuzz/corpus/TARGET (seeded from Fuzz/seeds/TARGET and
# Fuzz/regressions/TARGET); Fuzz/dictionaries/TARGET.dict, if present, is
# passed with -dict. A crash (or a timeout: -timeout=20 s per input) is
# written to .fuzz/artifacts/TARGET/ and fails the run: minimise it
# (FUZZER -minimize_crash=1 -runs=10000 ARTIFACT), add it to
# Fuzz/regressions/TARGET, fix, rerun. What replays regressions is
# `bash scripts/fuzz.sh --replay` (every seed and regression input once,
# through the sanitized harnesses; the Swift, C and Python suites do not
# build the fuzz targets). A failed build fails this script.
# Each run's last libFuzzer line (executions, coverage) goes to .fuzz/log.
# CHEXPERT_FUZZ_BUILD names the build folder (default .build-fuzz), so a
# second build can fuzz while another run is going.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

scratch="${CHEXPERT_FUZZ_BUILD:-.build-fuzz}"

build() {
    echo "fuzz: building Fuzz/ ($scratch, -sanitize=fuzzer,address)"
    mkdir -p .fuzz
    local log=".fuzz/build.log" status=0
    swift build --package-path Fuzz --scratch-path "$scratch" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library > "$log" 2>&1 || status=$?
    if ((status)); then
        grep -v "Cannot export local symbol" "$log" | grep -E "error|warning: unre" | head -40 >&2 || true
        echo "fuzz: the build failed (exit $status); full log in $log" >&2
        exit 1
    fi
    grep -E "^Build complete" "$log" || true
    for target in csv jpeg abi; do
        [[ -x $scratch/debug/fuzz-$target ]] || { echo "fuzz: fuzz-$target was not built" >&2; exit 1; }
    done
}

shopt -s nullglob

if [[ "${1:-}" == "--replay" ]]; then
    build
    for target in csv jpeg abi; do
        seeds=(Fuzz/seeds/$target/*)
        ((${#seeds[@]})) || { echo "fuzz: no seeds in Fuzz/seeds/$target" >&2; exit 1; }
        regressions=(Fuzz/regressions/$target/*)
        inputs=("${seeds[@]}" "${regressions[@]}")
        echo "fuzz: replaying ${#seeds[@]} seeds and ${#regressions[@]} regressions on fuzz-$target"
        "$scratch/debug/fuzz-$target" -runs=0 "${inputs[@]}" > .fuzz-replay.log 2>&1 \
            || { cat .fuzz-replay.log >&2; rm -f .fuzz-replay.log; exit 1; }
    done
    rm -f .fuzz-replay.log
    echo "fuzz: replay passed"
    exit 0
fi

seconds="${1:-60}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(csv jpeg abi)
build
mkdir -p .fuzz
for target in "${targets[@]}"; do
    corpus=".fuzz/corpus/$target"
    artifacts=".fuzz/artifacts/$target/"
    mkdir -p "$corpus" "$artifacts"
    for input in Fuzz/seeds/$target/* Fuzz/regressions/$target/*; do
        [[ -e "$corpus/$(basename "$input")" ]] || cp "$input" "$corpus"/
    done
    dict=()
    [[ -f Fuzz/dictionaries/$target.dict ]] && dict=(-dict="Fuzz/dictionaries/$target.dict")
    echo "fuzz: fuzz-$target for ${seconds}s (corpus $corpus)"
    log=".fuzz/$target-$(date +%Y%m%d-%H%M%S).log"
    status=0
    # -rss_limit_mb: the library's own limits keep a run far below it.
    "$scratch/debug/fuzz-$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
        -artifact_prefix="$artifacts" -print_final_stats=1 "${dict[@]}" "$corpus" > "$log" 2>&1 || status=$?
    # A crashed run has no DONE line: the grep finds nothing, which must not
    # end the script (set -e) before the failure is reported below.
    summary="$(grep -E '^#[0-9]+.*DONE|^Done [0-9]+ runs' "$log" | tr '\n' ' ' || true)"
    echo "$(date -u +%FT%TZ) fuzz-$target ${seconds}s status=$status $summary" | tee -a .fuzz/log
    if ((status)); then
        echo "fuzz: fuzz-$target failed; see $log and $artifacts" >&2
        grep -E "ERROR|SUMMARY|Fatal|panic" "$log" | head -5 >&2 || true
        exit 1
    fi
done
