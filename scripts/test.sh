#!/usr/bin/env bash
# scripts/test.sh: set up, then run every test suite in order, stopping at the
# first failure:
#   1. swift test                                  (Swift unit tests)
#   2. bash Tests/c/run.sh                         (ABI checks, C and libffi tests, fork stress, valgrind)
#   3. bash Tests/faults/run.sh                    (allocation and I/O fault injection, memory limits)
#   4. .venv/bin/python -m pytest Tests/python -q  (binding, adapters, CLI, TFDS conformance, ABI, Julia signatures)
#   5. bash Tests/install/run.sh                   (scripts/install.sh; pkg-config and CMake consumers)
#   6. bash Tests/install/wheel.sh                 (the wheel in a fresh venv: binding and TFDS tests)
#   7. bash Tests/r/run.sh                         (the R package: testthat against Python, R CMD check)
# Suites 2, 4, 5 and 7 test .build/release/libchexpert.so, the library that
# setup just built; 3 and 6 build their own variants from the same sources.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash scripts/setup.sh
if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
export CHEXPERT_LIBRARY="$repo/.build/release/libchexpert.so"

summary=()
run() {
    local name="$1"
    shift
    echo
    echo "=== $name: $*"
    local start=$SECONDS status=0
    "$@" || status=$?
    local took=$((SECONDS - start))
    if [[ $status -ne 0 ]]; then
        summary+=("FAILED  $name (${took}s, exit $status)")
        print_summary
        echo "tests: FAILED in $name" >&2
        exit 1
    fi
    summary+=("ok      $name (${took}s)")
}
print_summary() {
    echo
    echo "=== summary"
    printf '  %s\n' "${summary[@]}"
}

run "swift test" swift test
run "C tests" bash Tests/c/run.sh "$CHEXPERT_LIBRARY"
run "fault injection" bash Tests/faults/run.sh
run "Python tests" .venv/bin/python -m pytest Tests/python -q
run "C install" bash Tests/install/run.sh .build/release
run "wheel" bash Tests/install/wheel.sh --scratch-path .build
run "R package" bash Tests/r/run.sh
print_summary
echo "tests: all passed"
