#!/usr/bin/env bash
# scripts/sanitize.sh: the Swift test suite under AddressSanitizer and under
# ThreadSanitizer, and the C programs under valgrind memcheck. Slow (each
# sanitizer is its own full build), so not part of scripts/test.sh; CI runs
# memcheck through Tests/c/run.sh.
#
#   bash scripts/sanitize.sh [address] [thread] [valgrind]   (default: all three)
#
# address  swift test --sanitize=address (.build-asan): heap/stack overflows,
#          use-after-free, leaks at exit (LeakSanitizer) in the library and
#          its tests
# thread   swift test --sanitize=thread (.build-tsan): data races, among them
#          ConcurrencyTests (8 readers + an opener/closer on the C API)
# valgrind Tests/c/run.sh: the C example and C tests against the release
#          .so under memcheck (0 errors, no definite or possible leaks)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
kinds=("$@")
((${#kinds[@]})) || kinds=(address thread valgrind)
# Sanitizer runtimes live in the test executable: no `-z defs` (Package.swift).
export CHEXPERT_SANITIZE=1
for kind in "${kinds[@]}"; do
    case "$kind" in
        address|thread)
            scratch=".build-${kind:0:1}san"
            echo "=== swift test --sanitize=$kind ($scratch)"
            # detect_leaks: LeakSanitizer with ASan; halt on the first report.
            ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" \
                LSAN_OPTIONS="suppressions=$repo/Tests/sanitize/lsan.supp:print_suppressions=0" \
                TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
                swift test --sanitize="$kind" --scratch-path "$scratch" 2>&1 | tee ".sanitize-$kind.log" | tail -n 4
            if grep -qE "ERROR: (Address|Thread|Leak)Sanitizer|WARNING: ThreadSanitizer" ".sanitize-$kind.log"; then
                echo "sanitize: $kind found problems (.sanitize-$kind.log)" >&2
                exit 1
            fi
            ;;
        valgrind)
            echo "=== Tests/c/run.sh (memcheck)"
            CHEXPERT_SANITIZE= bash Tests/c/run.sh
            ;;
        *) echo "sanitize: unknown kind $kind (address, thread, valgrind)" >&2; exit 2 ;;
    esac
done
echo "sanitize: ${kinds[*]}: clean"
