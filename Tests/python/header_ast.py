"""include/chexpert.h as clang reads it: its functions, for the tests that
check the bindings against it (test_header.py), for the C libffi sweep
(Tests/c/run.sh writes the sweep's signature table with this script), and the
committed ABI description abi/chexpert-abi.txt (checked by test_abi.py):

    python Tests/python/header_ast.py --ffi-table OUT.h
    python Tests/python/header_ast.py --abi abi/chexpert-abi.txt

Only clang is needed (no built library): functions, enum constants and types
come from clang's JSON AST, macro values from a tiny C program that clang
compiles and runs (the preprocessor and the compiler evaluate them, not a
regex).

The ABI description is one line per item, sorted, `#` lines are comments:

    constant NAME = VALUE                       an enum constant
    function NAME: RETURN (PARAMETER, ...)      an exported function's prototype
    macro NAME: TYPE = VALUE                    a contract macro (TYPE int, int64_t or string)
    macro NAME: TYPE = VALUE (mutable)          a macro whose value may change (version numbers)
    type NAME = DEFINITION                      a typedef (`struct X (opaque)`, `enum X`)

Other tests and bindings read it with `abi_description()` (a dict).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEADER = REPO / "include" / "chexpert.h"
ABI_FILE = REPO / "abi" / "chexpert-abi.txt"


def clang() -> str:
    for candidate in ("/opt/swift/usr/bin/clang", "/usr/bin/clang", shutil.which("clang")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise FileNotFoundError("clang not found (needed to parse include/chexpert.h; gcc has no JSON AST)")


def ast(header: Path = HEADER) -> dict:
    result = subprocess.run([clang(), "-Xclang", "-ast-dump=json", "-fsyntax-only", "-x", "c", str(header)],
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
    "chexpert_params *": "m", "const chexpert_params *": "m", "chexpert_params **": "M",
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


# --------------------------------------------------------------------------
# The ABI description (abi/chexpert-abi.txt)
# --------------------------------------------------------------------------

# Macros that are part of the contract, by name pattern. Any other CHEXPERT_*
# macro (the include guard aside) stops the generator until it is classified.
CONTRACT_MACROS = re.compile(r"CHEXPERT_(VERSION_\w+|ABI_VERSION|MAX_\w+|DEFAULT_\w+|SELECT_\w+|NUM_\w+|ORDER_VERSION|ID_MISSING|AGE_MISSING)$")
NOT_CONTRACT_MACROS = {"CHEXPERT_H"}
# Contract macros whose value may change from release to release: their line must stay, its value may not.
MUTABLE_MACROS = {"CHEXPERT_VERSION_MINOR", "CHEXPERT_VERSION_PATCH", "CHEXPERT_VERSION_NUMBER",
                  "CHEXPERT_VERSION_STRING"}
MUTABLE = " (mutable)"
GENERATE = "python Tests/python/header_ast.py --abi abi/chexpert-abi.txt"
PREAMBLE = f"""\
# The public ABI of libchexpert, generated from include/chexpert.h by
#   {GENERATE}
# Lines are sorted. Tests/python/test_abi.py fails on any removed or changed line
# (values marked (mutable) aside) and on any header item missing here: additions
# are made by regenerating this file and committing it. Format: Tests/python/header_ast.py.
"""


def enum_constants(tree: dict) -> dict:
    """name -> value of every enum constant of the header (values as clang evaluates them)."""
    values = {}
    for decl in tree["inner"]:
        if decl.get("kind") != "EnumDecl" or decl.get("loc", {}).get("includedFrom"):
            continue
        for constant in decl.get("inner", []):
            if constant.get("kind") != "EnumConstantDecl":
                continue
            exprs = [e for e in constant.get("inner", []) if "value" in e]
            if not exprs:
                raise ValueError(f"{constant['name']} has no evaluated value in clang's AST")
            values[constant["name"]] = int(exprs[0]["value"])
    return values


def types(tree: dict) -> dict:
    """name -> definition of the header's chexpert_* typedefs: `struct X (opaque)`, `enum X`."""
    complete = {decl["name"] for decl in tree["inner"]
                if decl.get("kind") == "RecordDecl" and decl.get("name") and decl.get("completeDefinition")}
    found = {}
    for decl in tree["inner"]:
        if decl.get("kind") != "TypedefDecl" or not decl.get("name", "").startswith("chexpert_"):
            continue
        definition = decl["type"]["qualType"]
        if definition.startswith("struct ") and definition[len("struct "):] not in complete:
            definition += " (opaque)"
        found[decl["name"]] = definition
    return found


def macro_names(header: Path = HEADER) -> list:
    """The contract macros the header defines (`clang -dM -E`, so #if'd-out ones do not count)."""
    result = subprocess.run([clang(), "-dM", "-E", "-x", "c", str(header)],
                            check=True, capture_output=True, text=True)
    names = []
    for line in result.stdout.splitlines():
        match = re.match(r"#define (CHEXPERT_\w+)\b", line)
        if not match or match.group(1) in NOT_CONTRACT_MACROS:
            continue
        if not CONTRACT_MACROS.match(match.group(1)):
            raise ValueError(f"macro {match.group(1)} is neither in CONTRACT_MACROS nor in NOT_CONTRACT_MACROS "
                             "of Tests/python/header_ast.py: classify it")
        names.append(match.group(1))
    return sorted(names)


def macros(header: Path = HEADER) -> dict:
    """name -> (type, value) of the contract macros: type "int", "int64_t" or "string", evaluated by
    compiling and running a C program that includes the header."""
    names = macro_names(header)
    program = ["#include <stdio.h>", "#include <stdint.h>", f'#include "{header.resolve()}"',
               "#define KIND(x) _Generic((x), int: \"int\", int64_t: \"int64_t\", char *: \"string\", "
               "const char *: \"string\", default: \"unsupported\")",
               "int main(void) {"]
    for name in names:
        program.append(f'    if (_Generic(({name}), char *: 1, const char *: 1, default: 0))')
        program.append(f'        printf("{name} %s %s\\n", KIND({name}), (const char *)(uintptr_t)({name}));')
        program.append("    else")
        program.append(f'        printf("{name} %s %lld\\n", KIND({name}), (long long)(intptr_t)({name}));')
    program += ["    return 0;", "}"]
    with tempfile.TemporaryDirectory() as work:
        source, binary = Path(work) / "macros.c", Path(work) / "macros"
        source.write_text("\n".join(program) + "\n")
        subprocess.run([clang(), "-std=c11", "-Wall", "-Wno-int-conversion", "-Wno-pointer-to-int-cast",
                        "-Wno-int-to-pointer-cast", str(source), "-o", str(binary)],
                       check=True, capture_output=True, text=True)
        output = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout
    found = {}
    for line in output.splitlines():
        name, kind, value = line.split(" ", 2)
        if kind == "unsupported":
            raise ValueError(f"macro {name} has a type the ABI description does not know (int, int64_t, string)")
        found[name] = (kind, value if kind == "string" else int(value))
    return found


def abi_lines(tree: dict | None = None, header: Path = HEADER) -> list:
    """The sorted lines of the ABI description of `header`."""
    tree = ast(header) if tree is None else tree
    lines = [f"function {name}: {returned} ({', '.join(parameters) or 'void'})"
             for name, (returned, parameters) in functions(tree).items()]
    lines += [f"constant {name} = {value}" for name, value in enum_constants(tree).items()]
    for name, (kind, value) in macros(header).items():
        shown = json.dumps(value) if kind == "string" else str(value)
        lines.append(f"macro {name}: {kind} = {shown}" + (MUTABLE if name in MUTABLE_MACROS else ""))
    lines += [f"type {name} = {definition}" for name, definition in types(tree).items()]
    return sorted(lines)


def render(lines: list) -> str:
    return PREAMBLE + "".join(line + "\n" for line in sorted(lines))


def parse_lines(text: str) -> list:
    """The item lines of an ABI description's text (comments and blank lines dropped)."""
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def line_key(line: str) -> tuple:
    """(kind, name): what identifies an item across versions."""
    kind, rest = line.split(" ", 1)
    return kind, re.split(r"[:= ]", rest, maxsplit=1)[0]


def frozen_part(line: str) -> str:
    """The part of a line that may never change: all of it, or up to the value for a mutable line."""
    return line.split(" = ", 1)[0] if line.endswith(MUTABLE) else line


def compare(old: list, new: list) -> dict:
    """Differences between two descriptions: "removed" (old lines whose item is gone), "changed"
    ((old, new) pairs whose frozen part differs), "added" (new lines with no old item), "revalued"
    ((old, new) pairs of mutable lines whose value changed)."""
    old_items = {line_key(line): line for line in old}
    new_items = {line_key(line): line for line in new}
    result = {"removed": [], "changed": [], "added": [], "revalued": []}
    for key, line in sorted(old_items.items()):
        if key not in new_items:
            result["removed"].append(line)
        elif frozen_part(line) != frozen_part(new_items[key]) or line.endswith(MUTABLE) != new_items[key].endswith(MUTABLE):
            result["changed"].append((line, new_items[key]))
        elif line != new_items[key]:
            result["revalued"].append((line, new_items[key]))
    result["added"] = [line for key, line in sorted(new_items.items()) if key not in old_items]
    return result


def abi_version(lines: list) -> int | None:
    for line in lines:
        if line_key(line) == ("macro", "CHEXPERT_ABI_VERSION"):
            return int(line.rsplit(" = ", 1)[1])
    return None


def parse_description(lines: list) -> dict:
    """A description's lines as a dict:
    {"function": {name: {"returns": str, "parameters": [str, ...], "prototype": str}},
     "constant": {name: int},
     "macro": {name: {"type": "int" | "int64_t" | "string", "value": int | str, "mutable": bool}},
     "type": {name: {"definition": str, "opaque": bool}}}"""
    description = {"function": {}, "constant": {}, "macro": {}, "type": {}}
    for line in lines:
        kind, name = line_key(line)
        rest = line.split(" ", 1)[1][len(name):]
        if kind == "function":
            prototype = rest[len(": "):]
            returned, parameters = prototype.split(" (", 1)
            parameters = parameters[:-1]
            description[kind][name] = {
                "returns": returned,
                "parameters": [] if parameters == "void" else parameters.split(", "),
                "prototype": prototype}
        elif kind == "constant":
            description[kind][name] = int(rest[len(" = "):])
        elif kind == "macro":
            mutable = rest.endswith(MUTABLE)
            rest = rest[: -len(MUTABLE)] if mutable else rest
            c_type, value = rest[len(": "):].split(" = ", 1)
            description[kind][name] = {"type": c_type, "value": json.loads(value) if c_type == "string" else int(value),
                                       "mutable": mutable}
        elif kind == "type":
            definition = rest[len(" = "):]
            description[kind][name] = {"definition": definition.removesuffix(" (opaque)"),
                                       "opaque": definition.endswith(" (opaque)")}
        else:
            raise ValueError(f"unknown kind of ABI line: {line!r}")
    return description


def abi_description(path: Path | None = ABI_FILE) -> dict:
    """The ABI description as a dict (see parse_description): of the committed file by default, or
    generated from the current header with path=None. For binding tests that compare their
    declarations against the contract."""
    lines = abi_lines() if path is None else parse_lines(Path(path).read_text())
    return parse_description(lines)


def write_abi(path: Path, allow_breaking_change: bool = False) -> dict:
    """(Re)writes the description at `path`. Refuses to remove or change a line of an existing file
    unless allow_breaking_change and the header's CHEXPERT_ABI_VERSION is higher than the file's."""
    lines = abi_lines()
    if path.exists():
        old = parse_lines(path.read_text())
        differences = compare(old, lines)
        breaking = differences["removed"] + [f"{a}  ->  {b}" for a, b in differences["changed"]]
        if breaking:
            listing = "\n  ".join(breaking)
            if not allow_breaking_change:
                raise SystemExit(f"{path}: the header removes or changes ABI items:\n  {listing}\n"
                                 "That breaks the ABI: restore them, or raise CHEXPERT_ABI_VERSION (and the symbol "
                                 "version node) and pass --allow-breaking-change.")
            if (abi_version(lines) or 0) <= (abi_version(old) or 0):
                raise SystemExit(f"{path}: --allow-breaking-change needs CHEXPERT_ABI_VERSION above "
                                 f"{abi_version(old)}; breaking changes:\n  {listing}")
    else:
        differences = {"added": lines, "removed": [], "changed": [], "revalued": []}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(lines))
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ffi-table", help="C header to write: the libffi sweep's signature table")
    parser.add_argument("--abi", type=Path, help="ABI description to (re)write, e.g. abi/chexpert-abi.txt")
    parser.add_argument("--allow-breaking-change", action="store_true",
                        help="with --abi: allow removed or changed lines (needs a higher CHEXPERT_ABI_VERSION)")
    arguments = parser.parse_args()
    if not arguments.ffi_table and not arguments.abi:
        parser.error("give --ffi-table OUT.h and/or --abi FILE")
    if arguments.ffi_table:
        Path(arguments.ffi_table).write_text(ffi_table(ast()))
    if arguments.abi:
        differences = write_abi(arguments.abi, arguments.allow_breaking_change)
        for line in differences["added"]:
            print(f"added:    {line}", file=sys.stderr)
        for old, new in differences["revalued"] + differences["changed"]:
            print(f"changed:  {old}  ->  {new}", file=sys.stderr)
        for line in differences["removed"]:
            print(f"removed:  {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
