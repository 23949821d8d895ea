"""The committed ABI description (abi/chexpert-abi.txt) and include/chexpert.h agree, and the ABI
only grows.

The description is generated from clang's reading of the header (Tests/python/header_ast.py,
format in its docstring). A line of the committed file that the header no longer gives (a removed
function, constant, macro or type, a changed prototype or value) fails: that is an ABI break. An
item of the header that the committed file lacks fails too, so that every addition is deliberate:
regenerate the file and commit it. Values marked `(mutable)` (the version numbers) may change.
Needs only clang, not the built library.

Other tests read the contract with `header_ast.abi_description()` (re-exported here as
`abi_description`).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

import header_ast
from header_ast import abi_description  # noqa: F401  (for other tests: `from test_abi import abi_description`)

ABI_FILE = header_ast.ABI_FILE
REGENERATE = f"regenerate it with `{header_ast.GENERATE}` and commit it"


@pytest.fixture(scope="module")
def generated() -> list:
    try:
        header_ast.clang()
    except FileNotFoundError as error:
        pytest.fail(str(error))
    return header_ast.abi_lines()


@pytest.fixture(scope="module")
def committed() -> list:
    assert ABI_FILE.is_file(), f"{ABI_FILE} is missing: {REGENERATE}"
    return header_ast.parse_lines(ABI_FILE.read_text())


def test_no_line_removed_or_changed(committed, generated):
    differences = header_ast.compare(committed, generated)
    problems = [f"removed: {line}" for line in differences["removed"]]
    problems += [f"changed: {old}\n     now: {new}" for old, new in differences["changed"]]
    assert not problems, (
        "include/chexpert.h breaks the committed ABI (abi/chexpert-abi.txt); only additions are allowed:\n"
        + "\n".join(problems)
        + "\nRestore these items (a changed signature is a new `_v2` function). A deliberate break needs a "
          "higher CHEXPERT_ABI_VERSION and symbol version node, then "
          f"`{header_ast.GENERATE} --allow-breaking-change`.")


def test_no_unrecorded_addition(committed, generated):
    added = header_ast.compare(committed, generated)["added"]
    assert not added, ("include/chexpert.h has items that abi/chexpert-abi.txt lacks:\n  " + "\n  ".join(added)
                       + f"\nIf the additions are meant, {REGENERATE}.")


def test_committed_file_is_the_generators_output(generated):
    text = ABI_FILE.read_text()
    assert text == header_ast.render(generated), (
        f"abi/chexpert-abi.txt is not what the generator writes for the current header "
        f"(a mutable value, the order or the comments differ): {REGENERATE}.")


def test_lines_are_sorted_and_unique(committed):
    assert committed == sorted(committed)
    keys = [header_ast.line_key(line) for line in committed]
    assert len(keys) == len(set(keys))


def test_history_only_grows(committed):
    """Every committed version of the file with the same CHEXPERT_ABI_VERSION is contained in this
    one (mutable values aside): a line edited away by hand and committed is caught too."""
    git = shutil.which("git")
    # Justified skips: the history exists only in a git checkout (not, say, in an unpacked source
    # archive). CI always runs in a fresh clone, so there a missing git or history fails instead.
    if git is None:
        if os.environ.get("CI"):
            pytest.fail("git not available under CI: the ABI history check cannot run")
        pytest.skip("git not available")
    repo = str(header_ast.REPO)
    relative = str(ABI_FILE.relative_to(header_ast.REPO))
    log = subprocess.run([git, "-C", repo, "log", "--format=%H", "--", relative], capture_output=True, text=True)
    if log.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"not a git checkout under CI: {log.stderr.strip()}")
        pytest.skip(f"not a git checkout: {log.stderr.strip()}")
    version = header_ast.abi_version(committed)
    problems = []
    for commit in log.stdout.split():
        shown = subprocess.run([git, "-C", repo, "show", f"{commit}:{relative}"], capture_output=True, text=True)
        if shown.returncode != 0:
            continue
        old = header_ast.parse_lines(shown.stdout)
        if header_ast.abi_version(old) != version:
            continue  # an earlier ABI: a break was allowed there
        differences = header_ast.compare(old, committed)
        problems += [f"{commit[:12]} removed: {line}" for line in differences["removed"]]
        problems += [f"{commit[:12]} changed: {a}  ->  {b}" for a, b in differences["changed"]]
    assert not problems, ("abi/chexpert-abi.txt lost or changed lines that an earlier commit with the same "
                          "CHEXPERT_ABI_VERSION had:\n" + "\n".join(problems))


def test_description_covers_the_header(generated):
    """Every function, enum constant and contract macro of the header has its line."""
    tree = header_ast.ast()
    description = header_ast.parse_description(generated)
    assert set(description["function"]) == set(header_ast.functions(tree))
    assert set(description["constant"]) == set(header_ast.enum_constants(tree))
    assert set(description["macro"]) == set(header_ast.macro_names())
    assert {"chexpert_dataset", "chexpert_params"} <= {
        name for name, entry in description["type"].items() if entry["opaque"]}
    for frozen in ("CHEXPERT_ABI_VERSION", "CHEXPERT_VERSION_MAJOR", "CHEXPERT_ORDER_VERSION"):
        assert not description["macro"][frozen]["mutable"], frozen
    for mutable in header_ast.MUTABLE_MACROS:
        assert description["macro"][mutable]["mutable"], mutable


def test_description_dict_matches_the_file(committed):
    description = abi_description()
    assert description == header_ast.parse_description(committed)
    labels = description["function"]["chexpert_batch_labels"]
    assert labels["prototype"] == ("int (const chexpert_dataset *, int, const int64_t *, size_t, "
                                   "int64_t *, size_t)")
    assert labels["returns"] == "int" and len(labels["parameters"]) == 6
    assert description["function"]["chexpert_abi_version"]["parameters"] == []
    assert description["constant"]["CHEXPERT_FIT_COVER"] == 0x0C00
    assert description["macro"]["CHEXPERT_ABI_VERSION"] == {"type": "int", "value": 2, "mutable": False}
    assert description["macro"]["CHEXPERT_VERSION_STRING"]["type"] == "string"
    assert description["type"]["chexpert_params"] == {"definition": "struct chexpert_params", "opaque": True}


def test_compare_classifies_differences():
    old = ["constant A = 1", "function f: int (int)", "macro V: int = 1 (mutable)", "type t = enum t"]
    new = ["constant A = 2", "function g: int (void)", "macro V: int = 2 (mutable)", "type t = enum t"]
    differences = header_ast.compare(old, new)
    assert differences["removed"] == ["function f: int (int)"]
    assert differences["changed"] == [("constant A = 1", "constant A = 2")]
    assert differences["added"] == ["function g: int (void)"]
    assert differences["revalued"] == [("macro V: int = 1 (mutable)", "macro V: int = 2 (mutable)")]
    assert header_ast.compare(["macro V: int = 1 (mutable)"], ["macro V: int64_t = 1 (mutable)"])["changed"]
    assert header_ast.compare(["macro V: int = 1 (mutable)"], ["macro V: int = 1"])["changed"]


def test_generator_refuses_a_break(tmp_path, generated):
    """`--abi` will not silently drop or change a committed line."""
    target = tmp_path / "chexpert-abi.txt"
    target.write_text(header_ast.render(generated + ["function chexpert_gone: int (void)"]))
    with pytest.raises(SystemExit, match="chexpert_gone"):
        header_ast.write_abi(target)
    with pytest.raises(SystemExit, match="CHEXPERT_ABI_VERSION"):
        header_ast.write_abi(target, allow_breaking_change=True)
    target.write_text(header_ast.render([line for line in generated if "chexpert_batch_views" not in line]))
    assert header_ast.write_abi(target)["added"] == [
        line for line in generated if line.startswith("function chexpert_batch_views:")]
    assert target.read_text() == header_ast.render(generated)
