"""include/chexpert.h as clang reads it: its functions, for the tests that
check the bindings against it (test_header.py) and for the C libffi sweep
(Tests/c/run.sh writes the sweep's signature table with this script):

    python Tests/python/header_ast.py --ffi-table OUT.h
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEADER = REPO / "include" / "chexpert.h"


def clang() -> str:
    for candidate in ("/opt/swift/usr/bin/clang", "/usr/bin/clang", shutil.which("clang")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise FileNotFoundError("clang not found (needed to parse include/chexpert.h; gcc has no JSON AST)")


def ast() -> dict:
    result = subprocess.run([clang(), "-Xclang", "-ast-dump=json", "-fsyntax-only", "-x", "c", str(HEADER)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def functions(tree: dict) -> dict:
    """name -> (return qualType, [parameter qualTypes]) of the header's chexpert_* functions."""
    found = {}
    for decl in tree["inner"]:
        if decl.get("kind") != "FunctionDecl" or not decl.get("name", "").startswith("chexpert_"):
            continue
        if str(decl.get("loc", {}).get("includedFrom", {}).get("file", "")):
            continue
        signature = decl["type"]["qualType"]
        returned = signature[: signature.index("(")].strip()
        parameters = [p["type"]["qualType"] for p in decl.get("inner", []) if p.get("kind") == "ParmVarDecl"]
        found[decl["name"]] = (returned, parameters)
    return found


# C type -> the sweep's one-letter code (Tests/c/test_ffi.c, `sweep`).
FFI_CODES = {
    "void": "v", "int": "i", "int32_t": "I", "uint32_t": "u", "int64_t": "q", "uint64_t": "Q", "size_t": "z",
    "const char *": "s", "chexpert_dataset *": "d", "const chexpert_dataset *": "d", "chexpert_dataset **": "D",
}


def ffi_code(c_type: str) -> str:
    if c_type in FFI_CODES:
        return FFI_CODES[c_type]
    if c_type.endswith("*"):
        return "p"
    raise ValueError(f"no libffi code for C type {c_type!r}: add it to FFI_CODES and to test_ffi.c")


def ffi_table(tree: dict) -> str:
    rows = [f'    {{"{name}", "{ffi_code(returned)}", "{"".join(ffi_code(p) for p in parameters)}"}},'
            for name, (returned, parameters) in sorted(functions(tree).items())]
    return ("/* Generated from include/chexpert.h by Tests/python/header_ast.py; do not edit. */\n"
            "static const struct signature { const char *name, *returns, *arguments; } SIGNATURES[] = {\n"
            + "\n".join(rows) + "\n};\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ffi-table", required=True, help="C header to write")
    arguments = parser.parse_args()
    Path(arguments.ffi_table).write_text(ffi_table(ast()))


if __name__ == "__main__":
    main()
