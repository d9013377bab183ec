"""The fuzz target: one input through reading, parsing, normalization, units and fingerprints.

``check_input(data)`` is what the coverage-guided fuzzer (``benchmarks.hardening.fuzz``) runs
on every input and what ``tests/hardening`` runs on generated ones.  It raises only when codesim
misbehaves: an exception escaping a stage that promises never to raise for bad input, or an
invariant of the result broken (spans outside the text, a stream not matching itself, the
compiled normalizer disagreeing with the pure-Python one).

Inputs starting with ``NOTEBOOK_PREFIX`` are read as notebook cells instead (the rest of the
input, split into cells at blank lines, is wrapped in a generated nbformat 4 document), so the
fuzzer reaches the IPython neutralising too; inputs starting with ``{`` are also handed to the
notebook reader as they are, which must either read them or raise ``MalformedNotebook``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from codesim import compiled
from codesim.languages import get_language
from codesim.normalize import normalize
from codesim.options import Options
from codesim.pipeline.comparing import align_files
from codesim.pipeline.reading import normalize_file
from codesim.sources.decode import BINARY_SNIFF_BYTES, decode_source
from codesim.sources.model import SourceFile
from codesim.sources.notebooks import MalformedNotebook, extract_notebook

NOTEBOOK_PREFIX = b"%%nb\n"
OPTIONS = Options()
_PATH = "pkg/sub/module.py"


class InvariantError(AssertionError):
    """A result of codesim broke one of its own guarantees on this input."""


def check_input(data: bytes) -> None:
    """Run ``data`` through the stages; raise on a crash or a broken invariant."""
    if data.startswith(NOTEBOOK_PREFIX):
        check_notebook_cells(data[len(NOTEBOOK_PREFIX) :])
        return
    if data.startswith(b"{"):
        try:
            extracted = extract_notebook(data)
        except MalformedNotebook:
            pass
        else:
            check_text(extracted.data, "utf-8")
    decoded = decode_source(data)
    if decoded is None:
        _require(b"\0" in data[:BINARY_SNIFF_BYTES], "only a NUL byte early on means binary")
        return
    check_text(decoded.data, decoded.encoding)


def check_notebook_cells(data: bytes) -> None:
    """Wrap ``data`` (split at blank lines) as a notebook's code cells and read it back."""
    cells = data.decode("utf-8", "replace").split("\n\n")
    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "source": cell, "outputs": []} for cell in cells],
    }
    extracted = extract_notebook(json.dumps(document).encode())
    lines = extracted.data.count(b"\n")
    for cell in extracted.cells:
        _require(cell.start_line >= 1, "a cell starts on line 1 or later")
        _require(cell.start_line + cell.lines - 1 <= lines, "a cell ends inside the text")
    check_text(extracted.data, "utf-8")


def check_text(text: bytes, encoding: str) -> None:
    """Normalize, fingerprint and align UTF-8 ``text`` with itself; check the spans."""
    text.decode("utf-8")  # every stage after reading relies on valid UTF-8
    lines = text.count(b"\n") + (1 if text and not text.endswith(b"\n") else 0)
    source = SourceFile(_PATH, Path(_PATH), "python", text, encoding, lines)
    file = normalize_file(source, OPTIONS, units=True, graph=True)
    tokens = file.tokens
    starts, ends = file.start_bytes, file.end_bytes
    _require(len(starts) == len(ends) == tokens, "one span per token")
    if tokens:
        _require(int(starts.min()) >= 0, "spans start inside the text")
        _require(int(ends.max()) <= len(text), "spans end inside the text")
        _require(bool(np.all(starts <= ends)), "spans do not end before they start")
    graph = file.graph
    _require(graph is not None, "graph facts were asked for")
    assert graph is not None
    line_count = max(1, file.lines.lines)
    for unit in graph.units:
        first, last = unit.lines
        _require(1 <= first <= last <= line_count, f"unit {unit.name!r} lies inside the text")
    pair = align_files(file, file, OPTIONS)
    _require(pair.matched <= tokens, "a stream matches no more tokens than it has")
    if tokens >= OPTIONS.min_match_tokens:
        _require(pair.longest > 0, "a stream long enough to match matches itself")
    check_compiled(text)


def check_compiled(text: bytes) -> None:
    """The normalizer's compiled parts give exactly the Python code's stream (when built)."""
    language = get_language("python")
    stream = normalize(text, language, _PATH)
    with compiled.python_only():
        reference = normalize(text, language, _PATH)
    _require(stream == reference, "the compiled normalizer gives the Python one's stream")


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise InvariantError(what)
