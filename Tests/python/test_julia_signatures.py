"""The Julia package's `ccall`s agree with include/chexpert.h.

Julia cannot be installed on these machines, so bindings/julia is checked, not
run: every `ccall((:chexpert_..., libchexpert), RetType, (ArgTypes...,), ...)`
in its sources is parsed and compared, type by type, with the prototype clang
reads from the header (Tests/python/header_ast.py, the tool that checks the
ctypes binding). A ccall to a function the header lacks, a wrong argument
count or a type that does not map to the header's fails. Every `const
CHEXPERT_* = value` of the package must equal the header's constant or macro.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import header_ast

REPO = header_ast.REPO
JULIA = REPO / "bindings" / "julia"

# Julia scalar type -> the C type it is in the System V x86-64 ABI.
SCALARS = {
    "Cint": "int", "Cuint": "unsigned int", "Int32": "int32_t", "UInt32": "uint32_t",
    "Int64": "int64_t", "UInt64": "uint64_t", "Csize_t": "size_t", "UInt": "size_t",
    "Cfloat": "float", "Float32": "float", "Cdouble": "double", "Float64": "double",
    "Cvoid": "void", "UInt8": "uint8_t", "Cuchar": "uint8_t", "Cchar": "char", "Int8": "char",
    "Clonglong": "int64_t", "Culonglong": "uint64_t",
}
# C types that are opaque handles: a Julia Ptr{Cvoid} stands for a pointer to one.
OPAQUE = {"chexpert_dataset", "chexpert_params", "void"}


def c_canonical(c_type: str) -> str:
    """`const chexpert_dataset *` -> `chexpert_dataset*` (qualifiers dropped, no spaces)."""
    return re.sub(r"\s+", "", re.sub(r"\bconst\b", "", c_type))


def julia_matches(julia_type: str, c_type: str) -> bool:
    """Whether a Julia ccall type passes the C type `c_type` (canonical form)."""
    julia_type = julia_type.replace(" ", "")
    if julia_type == "Cstring":
        return c_type == "char*"
    match = re.fullmatch(r"(?:Ptr|Ref)\{(.+)\}", julia_type)
    if match:
        if not c_type.endswith("*"):
            return False
        inner_julia, inner_c = match.group(1), c_type[:-1]
        if inner_julia == "Cvoid":
            return inner_c in OPAQUE
        if inner_julia == "UInt8":         # bytes: uint8_t buffers and char strings
            return inner_c in ("uint8_t", "char")
        return julia_matches(inner_julia, inner_c)
    if julia_type in SCALARS:
        return SCALARS[julia_type] == c_type
    return False


def split_top_level(text: str) -> list:
    """Splits `text` at commas outside (), {} and []."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    tail = "".join(current).strip()
    if tail:
        parts.append(tail)
    return parts


def strip_comments(source: str) -> str:
    source = re.sub(r"#=.*?=#", "", source, flags=re.S)
    return re.sub(r"#[^\n]*", "", source)


def ccalls(source: str) -> list:
    """(name, library, return type, [argument types], line) of every ccall in Julia `source`."""
    source = strip_comments(source)
    found = []
    for match in re.finditer(r"\bccall\s*\(", source):
        start = match.end()
        depth, position = 1, start
        while depth and position < len(source):
            depth += {"(": 1, ")": -1}.get(source[position], 0)
            position += 1
        if depth:
            raise ValueError(f"unbalanced ccall at line {source.count(chr(10), 0, start) + 1}")
        arguments = split_top_level(source[start:position - 1])
        line = source.count("\n", 0, start) + 1
        if len(arguments) < 3:
            raise ValueError(f"line {line}: a ccall needs (function, library), return type and argument types")
        target = re.fullmatch(r"\(\s*:(\w+)\s*,\s*(\w+)\s*\)", arguments[0])
        if not target:
            raise ValueError(f"line {line}: ccall target must be (:name, libchexpert), not {arguments[0]!r}")
        types = arguments[2].strip()
        if not (types.startswith("(") and types.endswith(")")):
            raise ValueError(f"line {line}: argument types must be a tuple, not {types!r}")
        found.append((target.group(1), target.group(2), arguments[1].strip(),
                      split_top_level(types[1:-1]), line))
    return found


def mismatches(source: str, prototypes: dict) -> list:
    """Every disagreement between the ccalls of `source` and `prototypes`
    (name -> (return C type, [parameter C types]), as header_ast.functions gives)."""
    problems = []
    for name, library, returned, arguments, line in ccalls(source):
        where = f"line {line}: {name}"
        if library != "libchexpert":
            problems.append(f"{where}: library {library!r} is not libchexpert")
        if name not in prototypes:
            problems.append(f"{where}: not a function of include/chexpert.h")
            continue
        c_returned, c_parameters = prototypes[name]
        if not julia_matches(returned, c_canonical(c_returned)):
            problems.append(f"{where}: returns {returned}, the header says {c_returned}")
        if len(arguments) != len(c_parameters):
            problems.append(f"{where}: {len(arguments)} argument types, the header has {len(c_parameters)}")
            continue
        for position, (julia_type, c_type) in enumerate(zip(arguments, c_parameters), 1):
            if not julia_matches(julia_type, c_canonical(c_type)):
                problems.append(f"{where}: argument {position} is {julia_type}, the header says {c_type}")
    return problems


def julia_sources() -> dict:
    return {path: path.read_text() for path in sorted(JULIA.rglob("*.jl"))}


@pytest.fixture(scope="module")
def prototypes() -> dict:
    try:
        header_ast.clang()
    except FileNotFoundError as error:
        pytest.fail(str(error))
    return header_ast.functions(header_ast.ast())


def test_julia_package_layout():
    assert (JULIA / "Project.toml").is_file()
    assert (JULIA / "src" / "Chexpert.jl").is_file()
    project = (JULIA / "Project.toml").read_text()
    assert re.search(r'^name\s*=\s*"Chexpert"', project, re.M)
    assert re.search(r'^uuid\s*=\s*"[0-9a-f-]{36}"', project, re.M)


def test_every_julia_ccall_matches_the_header(prototypes):
    sources = julia_sources()
    assert sources, f"no Julia sources under {JULIA}"
    problems, called = [], set()
    for path, source in sources.items():
        problems += [f"{path.relative_to(REPO)}: {p}" for p in mismatches(source, prototypes)]
        called |= {name for name, *_ in ccalls(source)}
    assert not problems, "\n".join(problems)
    # The core calls the package promises are all wrapped.
    core = {"chexpert_dataset_open", "chexpert_dataset_close", "chexpert_params_create",
            "chexpert_params_set", "chexpert_params_set_floats", "chexpert_params_free",
            "chexpert_split_size", "chexpert_split_label_name", "chexpert_example_image",
            "chexpert_example_labels", "chexpert_example_view", "chexpert_example_name",
            "chexpert_batch_labels", "chexpert_batch_images", "chexpert_batch_resized",
            "chexpert_batch_targets", "chexpert_target_rules", "chexpert_shard_indices",
            "chexpert_last_error", "chexpert_status_name", "chexpert_abi_version"}
    assert core <= called, f"not wrapped: {sorted(core - called)}"
    # Issues 12 and 13: releases, test split, metadata, studies, evaluation, cache, augmentation.
    added = {"chexpert_sex_name", "chexpert_release_name", "chexpert_field_name",
             "chexpert_dataset_release", "chexpert_dataset_has_split", "chexpert_batch_metadata",
             "chexpert_split_study_count", "chexpert_aggregate_scores", "chexpert_patient_split",
             "chexpert_evaluate", "chexpert_cache_build", "chexpert_dataset_attach_cache",
             "chexpert_cache_info", "chexpert_augment_draw"}
    assert added <= called, f"not wrapped: {sorted(added - called)}"
    assert len(called) >= 54, sorted(called)


def test_julia_constants_match_the_header():
    abi = header_ast.abi_description(None)            # generated from the current header
    known = dict(abi["constant"])
    known.update({name: entry["value"] for name, entry in abi["macro"].items()
                  if isinstance(entry["value"], int)})
    declared = {}
    for source in julia_sources().values():
        for name, value in re.findall(r"^const (CHEXPERT_\w+) = (-?(?:0x[0-9A-Fa-f]+|\d+))\s*$",
                                      strip_comments(source), re.M):
            declared[name] = int(value, 0)
    assert len(declared) > 50
    wrong = {name: (value, known.get(name)) for name, value in declared.items() if known.get(name) != value}
    assert not wrong, f"Julia constants that differ from the header (julia, header): {wrong}"


# -- the checker must be able to fail -------------------------------------------

GOOD = 'ccall((:chexpert_split_size, libchexpert), Cint, (Ptr{Cvoid}, Cint, Ptr{Int64}), h, 0, n)'


@pytest.mark.parametrize("source, expected", [
    # int64_t *out_count given as Int32
    ('ccall((:chexpert_split_size, libchexpert), Cint, (Ptr{Cvoid}, Cint, Ptr{Int32}), h, 0, n)',
     "argument 3 is Ptr{Int32}"),
    # a missing argument
    ('ccall((:chexpert_split_size, libchexpert), Cint, (Ptr{Cvoid}, Cint), h, 0)', "2 argument types"),
    # wrong return type
    ('ccall((:chexpert_split_size, libchexpert), Int64, (Ptr{Cvoid}, Cint, Ptr{Int64}), h, 0, n)',
     "returns Int64"),
    # a function the header does not have
    ('ccall((:chexpert_split_sizes, libchexpert), Cint, (Ptr{Cvoid}, Cint, Ptr{Int64}), h, 0, n)',
     "not a function of include/chexpert.h"),
    # size_t given as Cint
    ('ccall((:chexpert_params_set_floats, libchexpert), Cint, (Ptr{Cvoid}, Cint, Ptr{Cfloat}, Cint), p, k, v, 1)',
     "argument 4 is Cint"),
    # int64_t value given as Cint
    ('ccall((:chexpert_params_set, libchexpert), Cint, (Ptr{Cvoid}, Cint, Cint), p, k, v)',
     "argument 3 is Cint"),
    # a string where a handle goes
    ('ccall((:chexpert_dataset_close, libchexpert), Cvoid, (Cstring,), d)', "argument 1 is Cstring"),
    # another library
    ('ccall((:chexpert_abi_version, libc), Int32, ())', "is not libchexpert"),
])
def test_the_checker_detects_a_wrong_signature(prototypes, source, expected):
    assert not mismatches(GOOD, prototypes)
    problems = mismatches(source, prototypes)
    assert any(expected in problem for problem in problems), problems


def test_the_parser_sees_multiline_ccalls_and_skips_comments():
    source = """
    # ccall((:chexpert_nothing, libchexpert), Cint, ())   (a comment)
    x = ccall((:chexpert_split_size, libchexpert), Cint,
              (Ptr{Cvoid}, Cint,
               Ptr{Int64}), h, f(a, b), n)
    """
    calls = ccalls(source)
    assert [(name, arguments) for name, _, _, arguments, _ in calls] == [
        ("chexpert_split_size", ["Ptr{Cvoid}", "Cint", "Ptr{Int64}"])]
