#!/usr/bin/env bash
# Tests/r/run.sh: the R package (bindings/r) against the Python binding.
#
#   bash Tests/r/run.sh
#
# 1. Installs R and testthat with apt when missing (r-base-core, r-cran-testthat).
# 2. Uses $CHEXPERT_LIBRARY if set, else .build/release/libchexpert.so (built
#    with `swift build -c release` when absent), and the chexpert-sample binary
#    next to it.
# 3. Generates a sample tree; Tests/r/reference.py (the repo's .venv Python,
#    the Python binding) writes reference values: pixels, the labels matrices,
#    targets and masks of each preset, resized batches, shard indices.
# 4. Installs the library under a temporary prefix (scripts/install.sh) and the
#    package from a copy (the checkout stays clean) into a temporary R library,
#    found through pkg-config, and runs its testthat suite against it; installs
#    it a second time through $CHEXPERT_LIBRARY (a build folder) and loads it.
#    Then every ```r snippet of docs/r.md and bindings/r/README.md runs.
# 5. R CMD build + R CMD check --no-manual (the check runs the tests again):
#    fails on any ERROR or WARNING; NOTEs are listed.
# Last line: "N passed, M failed": testthat expectations, plus one per
# documentation snippet, one for the $CHEXPERT_LIBRARY install, one for R CMD check.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
start=$SECONDS

# -- 1. R and testthat --------------------------------------------------------
need=()
command -v Rscript > /dev/null || need+=(r-base-core)
command -v gcc > /dev/null || need+=(gcc libc6-dev)
command -v make > /dev/null || need+=(make)
if command -v Rscript > /dev/null && ! Rscript -e 'quit(status = !requireNamespace("testthat", quietly = TRUE))' > /dev/null 2>&1; then
    need+=(r-cran-testthat)
elif ! command -v Rscript > /dev/null; then
    need+=(r-cran-testthat)
fi
if [[ ${#need[@]} -gt 0 ]]; then
    echo "== installing ${need[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${need[@]}" > /dev/null \
        || { apt-get update > /dev/null && apt-get install -y --no-install-recommends "${need[@]}" > /dev/null; }
fi
echo "== $(R --version | head -1); testthat $(Rscript -e 'cat(format(packageVersion("testthat")))')"

# -- 2. the library -------------------------------------------------------------
if ! command -v swift > /dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
library="${CHEXPERT_LIBRARY:-$repo/.build/release/libchexpert.so}"
if [[ ! -f "$library" ]]; then
    echo "== building the library (swift build -c release)"
    swift build -c release
fi
sample="$(dirname "$library")/chexpert-sample"
if [[ ! -x "$sample" ]]; then
    sample="$repo/.build/release/chexpert-sample"
    [[ -x "$sample" ]] || swift build -c release --product chexpert-sample
fi
export CHEXPERT_LIBRARY="$library"
export CHEXPERT_INCLUDE="$repo/include"
echo "== library $CHEXPERT_LIBRARY"

work="$(mktemp -d -t chexpert-r.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# -- 3. sample tree and reference values ----------------------------------------
"$sample" --out "$work/tree" --train-patients 8 --valid-patients 3 --color-fraction 0.25 > /dev/null
"$repo/.venv/bin/python" Tests/r/reference.py --root "$work/tree" --out "$work/reference" \
    || { echo "Tests/r/reference.py failed (does the Python binding match $library?)"; echo "0 passed, 1 failed"; exit 1; }
# An AIMI-layout tree with the test split and the CheXbert label files
# (metadata, test split, label sources, release), recorded in the manifest.
"$sample" --out "$work/aimi" --layout aimi --train-patients 4 --valid-patients 2 --test-patients 3 \
    --label-files metadata > /dev/null
printf 'aimi_root\t%s\n' "$work/aimi" >> "$work/reference/manifest.tsv"
export CHEXPERT_R_REFERENCE="$work/reference"

# -- 4. install and testthat ----------------------------------------------------
# The package is installed as a user of a system install gets it: the library
# installed under a temporary prefix (scripts/install.sh --from its folder) and
# found by configure through pkg-config chexpert. The $CHEXPERT_LIBRARY route (a
# build folder; the SONAME link is installed with the package) is installed and
# smoke-tested too (4c).
cp -r bindings/r "$work/chexpert"
rm -rf "$work/chexpert/src/Makevars" "$work/chexpert/src/"*.o "$work/chexpert/src/"*.so "$work/chexpert/inst/lib"
r_library="$library"
if [[ -f scripts/install.sh ]] && command -v pkg-config > /dev/null; then
    bash scripts/install.sh --prefix "$work/prefix" --from "$(dirname "$library")" > "$work/prefix.log" 2>&1 \
        || { cat "$work/prefix.log"; exit 1; }
    export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    r_library=""
    echo "== library installed under $work/prefix (pkg-config chexpert $(pkg-config --modversion chexpert))"
fi
mkdir "$work/lib"
echo "== R CMD INSTALL"
CHEXPERT_LIBRARY="$r_library" R CMD INSTALL --clean -l "$work/lib" "$work/chexpert" > "$work/install.log" 2>&1 \
    || { cat "$work/install.log"; exit 1; }
grep '^configure:' "$work/install.log" | sed 's/^/  /' || true

echo "== testthat"
R_LIBS="$work/lib" TESTS="$work/chexpert/tests/testthat" COUNTS="$work/counts" Rscript -e '
    library(testthat)
    results <- as.data.frame(test_dir(Sys.getenv("TESTS"), package = "chexpert",
                                      load_package = "installed", reporter = "summary",
                                      stop_on_failure = FALSE, stop_on_warning = FALSE))
    passed <- sum(results$passed)
    failed <- sum(results$failed) + sum(results$error)
    skipped <- sum(results$skipped)
    cat(sprintf("testthat: %d tests, %d expectations passed, %d failed, %d skipped\n",
                nrow(results), passed, failed, skipped))
    writeLines(as.character(c(passed, failed, skipped)), Sys.getenv("COUNTS"))
' 2>&1 \
    | sed 's/^/  /' || true
[[ -f "$work/counts" ]] || { echo "testthat did not run"; echo "0 passed, 1 failed"; exit 1; }
mapfile -t counts < "$work/counts"
passed=${counts[0]} failed=${counts[1]} skipped=${counts[2]}

# -- 4b. the R snippets of the documentation --------------------------------------
# Every ```r block of docs/r.md and bindings/r/README.md, marked by a
# `<!-- r-snippet: NAME -->` line, runs as written on the sample tree
# (`<!-- snippet: -->` is Tests/python/test_readme.py's marker, for python and c only).
echo "== documentation snippets"
snippet_status=0
"$repo/.venv/bin/python" - "$work/snippets" docs/r.md bindings/r/README.md <<'PY' || snippet_status=$?
import re, sys
from pathlib import Path
out = Path(sys.argv[1]); out.mkdir()
problems = []
for document in sys.argv[2:]:
    lines = Path(document).read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip() != "```r":
            continue
        previous = next((l for l in reversed(lines[:i]) if l.strip()), "")
        marker = re.fullmatch(r"<!-- r-snippet: ([\w-]+) -->", previous.strip())
        if not marker:
            problems.append(f"{document}:{i + 1}: an ```r block without a <!-- r-snippet: NAME --> line")
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        (out / f"{marker.group(1)}.R").write_text("\n".join(lines[i + 1:end]) + "\n")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
PY
if [[ $snippet_status -ne 0 ]]; then failed=$((failed + 1)); fi
for snippet in "$work/snippets"/*.R; do
    name="$(basename "$snippet" .R)"
    if (cd "$work" && CHEXPERT_ROOT="$work/tree" R_LIBS="$work/lib" Rscript "$snippet" > "$work/snippet.out" 2>&1); then
        echo "  ok      $name"
        passed=$((passed + 1))
    else
        echo "  FAILED  $name"
        sed 's/^/    /' "$work/snippet.out"
        failed=$((failed + 1))
    fi
done

# -- 4c. the $CHEXPERT_LIBRARY route ---------------------------------------------
if [[ -z "$r_library" ]]; then
    echo "== R CMD INSTALL with CHEXPERT_LIBRARY=$library"
    mkdir "$work/lib-direct"
    if CHEXPERT_LIBRARY="$library" R CMD INSTALL --clean -l "$work/lib-direct" "$work/chexpert" > "$work/install-direct.log" 2>&1 \
        && grep '^configure:' "$work/install-direct.log" | sed 's/^/  /' \
        && R_LIBS="$work/lib-direct" ROOT="$work/tree" Rscript -e '
            library(chexpert)
            ds <- chexpert_open(Sys.getenv("ROOT"))
            stopifnot(length(dim(chexpert_example(ds, "train", 1)$image)) == 3L,
                      ncol(chexpert_labels(ds)) == 14L)
            chexpert_close(ds)' > "$work/direct.out" 2>&1; then
        echo "  ok      installed and loaded through \$CHEXPERT_LIBRARY"
        passed=$((passed + 1))
    else
        echo "  FAILED  the \$CHEXPERT_LIBRARY route"
        cat "$work/install-direct.log" "$work/direct.out" 2>/dev/null | tail -30
        failed=$((failed + 1))
    fi
fi

# -- 5. R CMD build + check -----------------------------------------------------
echo "== R CMD build"
(cd "$work" && R CMD build --no-build-vignettes chexpert > build.log 2>&1) || { cat "$work/build.log"; exit 1; }
tarball="$(cd "$work" && ls chexpert_*.tar.gz)"
echo "== R CMD check --no-manual $tarball"
check_status=0
(cd "$work" && CHEXPERT_LIBRARY="$r_library" _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual "$tarball" > check.log 2>&1) || check_status=$?
log="$work/chexpert.Rcheck/00check.log"
[[ -f "$log" ]] || log="$work/check.log"
errors=$(grep -c '\.\.\. ERROR' "$log" || true)
warnings=$(grep -c '\.\.\. WARNING' "$log" || true)
notes=$(grep -c '\.\.\. NOTE' "$log" || true)
grep -E '\.\.\. (ERROR|WARNING|NOTE)' -A6 "$log" | sed 's/^/  /' || true
grep '^Status:' "$log" | sed 's/^/  /' || true
rout="$work/chexpert.Rcheck/tests/testthat.Rout"
[[ -f "$rout" ]] && grep -h '\[ FAIL' "$rout" "$rout.fail" 2>/dev/null | tail -1 | sed 's/^/  tests under R CMD check: /' || true
echo "R CMD check: $errors ERROR, $warnings WARNING, $notes NOTE (exit $check_status)"
if [[ $errors -ne 0 || $warnings -ne 0 || $check_status -ne 0 ]]; then
    tail -40 "$work/check.log"
    [[ -f "$work/chexpert.Rcheck/tests/testthat.Rout.fail" ]] && tail -40 "$work/chexpert.Rcheck/tests/testthat.Rout.fail"
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi

echo "== R suite took $((SECONDS - start))s (testthat skipped: $skipped)"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
