"""The ctypes declarations in chexpert/_ffi.py agree with include/chexpert.h.

The header is read by clang (its JSON AST for functions and enums, `-dM -E`
for macros, `_Static_assert` to evaluate macro values), not by regexes.
"""

from __future__ import annotations

import ctypes
import json
import re
import subprocess
from ctypes import (
    POINTER, c_char, c_char_p, c_float, c_int, c_int32, c_int64, c_size_t, c_uint8, c_uint32,
    c_uint64, c_void_p)

import pytest

import header_ast
from chexpert import _ffi

REPO = header_ast.REPO
HEADER = header_ast.HEADER


def _clang() -> str:
    try:
        return header_ast.clang()
    except FileNotFoundError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def ast():
    _clang()
    return header_ast.ast()


@pytest.fixture(scope="module")
def functions(ast) -> dict:
    """name -> (return qualType, [parameter qualTypes]) for the header's chexpert_* functions."""
    return header_ast.functions(ast)


def test_every_function_has_a_libffi_sweep_code(ast):
    table = header_ast.ffi_table(ast)
    assert table.count('{"chexpert_') == len(header_ast.functions(ast))


@pytest.fixture(scope="module")
def enum_constants(ast) -> dict:
    values = {}
    for decl in ast["inner"]:
        if decl.get("kind") != "EnumDecl":
            continue
        for constant in decl.get("inner", []):
            if constant.get("kind") != "EnumConstantDecl":
                continue
            exprs = [e for e in constant.get("inner", []) if "value" in e]
            assert exprs, f"{constant['name']} has no evaluated value in the AST"
            values[constant["name"]] = int(exprs[0]["value"])
    return values


@pytest.fixture(scope="module")
def macros() -> dict:
    result = subprocess.run([_clang(), "-dM", "-E", "-x", "c", str(HEADER)],
                            check=True, capture_output=True, text=True)
    found = {}
    for line in result.stdout.splitlines():
        match = re.match(r"#define (CHEXPERT_\w+)(?:\s+(.*))?$", line)
        if match:
            found[match.group(1)] = (match.group(2) or "").strip()
    return found


dataset_p = _ffi.dataset_p
params_p = _ffi.params_p
# C type spelled in the header -> the ctypes type the binding must use for it.
CTYPES = {
    "void": None,
    "int": c_int,
    "int32_t": c_int32,
    "int64_t": c_int64,
    "size_t": c_size_t,
    "uint32_t": c_uint32,
    "uint64_t": c_uint64,
    "const char *": c_char_p,
    "char *": POINTER(c_char),
    "uint8_t *": POINTER(c_uint8),
    "int32_t *": POINTER(c_int32),
    "const int32_t *": POINTER(c_int32),
    "int64_t *": POINTER(c_int64),
    "const int64_t *": POINTER(c_int64),
    "size_t *": POINTER(c_size_t),
    "uint32_t *": POINTER(c_uint32),
    "float *": POINTER(c_float),
    "const float *": POINTER(c_float),
    "double *": POINTER(ctypes.c_double),
    "const double *": POINTER(ctypes.c_double),
    "void *": c_void_p,
    "chexpert_dataset *": dataset_p,
    "const chexpert_dataset *": dataset_p,
    "chexpert_dataset **": POINTER(dataset_p),
    "chexpert_params *": params_p,
    "const chexpert_params *": params_p,
    "chexpert_params **": POINTER(params_p),
    "chexpert_job *": _ffi.job_p,
    "const chexpert_job *": _ffi.job_p,
    "chexpert_job **": POINTER(_ffi.job_p),
}


def _ctype(spelling: str):
    assert spelling in CTYPES, f"no ctypes mapping for C type {spelling!r}: add it to CTYPES"
    return CTYPES[spelling]


def test_every_header_function_is_declared_and_nothing_else(functions):
    assert len(functions) >= 20
    assert set(functions) == set(_ffi.FUNCTIONS)


def test_argtypes_and_restype_match_the_prototypes(functions):
    mismatches = []
    for name, (returned, parameters) in sorted(functions.items()):
        function = _ffi.FUNCTIONS[name]
        expected_args = [_ctype(p) for p in parameters]
        if function.argtypes is None or list(function.argtypes) != expected_args:
            mismatches.append(f"{name}: argtypes {function.argtypes} != {expected_args} {parameters}")
        if function.restype is not _ctype(returned):
            mismatches.append(f"{name}: restype {function.restype} != {_ctype(returned)} ({returned})")
    assert not mismatches, "\n".join(mismatches)


def test_status_functions_have_errcheck_and_others_not(functions):
    for name, (returned, _) in functions.items():
        function = _ffi.FUNCTIONS[name]
        has_check = getattr(function, "errcheck", None) is _ffi._check_status
        # Every `int`-returning function of the header returns a chexpert_status.
        assert has_check == (returned == "int"), name


def test_ctypes_sizes_match_the_c_sizes():
    assert ctypes.sizeof(c_size_t) == ctypes.sizeof(ctypes.c_void_p)
    assert ctypes.sizeof(c_int32) == 4 and ctypes.sizeof(c_int64) == 8


def _binding_constants() -> dict:
    return {name: value for name, value in vars(_ffi).items() if name.startswith("CHEXPERT_")}


def test_binding_constants_exist_in_the_header(enum_constants, macros):
    missing = [name for name in _binding_constants() if name not in enum_constants and name not in macros]
    assert not missing


def test_enum_constants_equal_the_header(enum_constants):
    declared = {k: v for k, v in _binding_constants().items() if k in enum_constants}
    assert declared, "the binding declares no enum constant?"
    for name, value in declared.items():
        assert value == enum_constants[name], name
    # The binding declares every status code (it maps them all to ChexpertError).
    statuses = {k for k in enum_constants if k == "CHEXPERT_OK" or k.startswith("CHEXPERT_E_")}
    assert statuses <= set(declared)


def test_macro_values_equal_the_header(macros, tmp_path):
    declared = {k: v for k, v in _binding_constants().items() if k in macros}
    assert "CHEXPERT_ABI_VERSION" in declared
    source = ['#include "chexpert.h"']
    for name, value in declared.items():
        if isinstance(value, str):
            assert macros[name] == json.dumps(value), name
        else:
            source.append(f'_Static_assert(({name}) == ({value}LL), "{name} is not {value}");')
    probe = tmp_path / "probe.c"
    probe.write_text("\n".join(source) + "\n")
    result = subprocess.run(
        [_clang(), "-fsyntax-only", "-std=c11", "-I", str(HEADER.parent), str(probe)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_header_constant_is_declared(enum_constants, macros):
    """The binding declares every enum constant and every numeric CHEXPERT_ macro."""
    declared = _binding_constants()
    missing = [name for name in enum_constants if name not in declared]
    missing += [name for name, value in macros.items()
                if name not in declared and name != "CHEXPERT_H" and value]
    assert not missing, missing


def test_binding_refuses_another_abi_version():
    assert _ffi.CHEXPERT_ABI_VERSION == 2
    from chexpert import _library
    assert _library.EXPECTED_ABI_VERSION == _ffi.CHEXPERT_ABI_VERSION
    with pytest.raises(ImportError, match=re.escape(_ffi.LIBRARY_PATH)):
        _library.check_abi(1, _ffi.LIBRARY_PATH, _ffi.CHEXPERT_ABI_VERSION)


def test_package_version_is_the_library_version_is_the_header_version(macros):
    """The version is written once, in the header: the package metadata (read
    by setup.py from the header), chexpert.__version__ and the library agree."""
    import chexpert
    from importlib import metadata
    header = json.loads(macros["CHEXPERT_VERSION_STRING"])
    assert chexpert.__version__ == chexpert.library_version == header
    assert metadata.version("chexpert") == header, "reinstall the binding: pip install -e bindings/python"
    from chexpert import _version
    assert _version.header_version() == header
    assert _ffi.CHEXPERT_VERSION_STRING == header


def test_library_agrees_with_header_versions(macros):
    assert _ffi.chexpert_abi_version() == int(macros["CHEXPERT_ABI_VERSION"])
    assert _ffi.chexpert_version_number() == int(macros["CHEXPERT_VERSION_NUMBER"])
    assert _ffi.chexpert_version_string().decode() == json.loads(macros["CHEXPERT_VERSION_STRING"])


# -- against the committed ABI description (abi/chexpert-abi.txt) -------------

@pytest.fixture(scope="module")
def abi():
    path = REPO / "abi" / "chexpert-abi.txt"
    if not path.is_file():
        pytest.fail(f"{path} is missing (Tests/python/header_ast.py --abi writes it)")
    return header_ast.abi_description(path)


def test_ffi_functions_match_the_abi_description(abi):
    """Every function of the description is declared with its prototype's
    types, and the binding declares nothing the description lacks."""
    assert set(abi["function"]) == set(_ffi.FUNCTIONS)
    mismatches = []
    for name, entry in sorted(abi["function"].items()):
        function = _ffi.FUNCTIONS[name]
        expected = [_ctype(p) for p in entry["parameters"]]
        if list(function.argtypes) != expected or function.restype is not _ctype(entry["returns"]):
            mismatches.append(f"{name}: {function.argtypes} -> {function.restype} != {entry['prototype']}")
        has_check = getattr(function, "errcheck", None) is _ffi._check_status
        if has_check != (entry["returns"] == "int"):
            mismatches.append(f"{name}: errcheck {has_check}")
    assert not mismatches, "\n".join(mismatches)


def test_ffi_constants_match_the_abi_description(abi):
    declared = _binding_constants()
    for name, value in abi["constant"].items():
        assert declared.get(name) == value, name
    for name, entry in abi["macro"].items():
        assert name in declared, name
        assert declared[name] == entry["value"], name
    unknown = set(declared) - set(abi["constant"]) - set(abi["macro"])
    assert not unknown, f"constants the ABI description does not have: {sorted(unknown)}"
