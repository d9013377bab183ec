"""Jupyter notebooks (``.ipynb``) read as Python: the code of their code cells as one text.

The text is every non-blank code cell's source in notebook order, each ending in a newline;
markdown and raw cells and all outputs are left out.  No separator lines are added, so every
line of the text belongs to exactly one cell, and a ``CodeCell`` per cell tells which lines:
line ``L`` of the text is line ``L - start_line + 1`` of its cell, at the same columns.

IPython syntax that is not Python (``%magic``, ``!shell``, ``x = !ls``, ``obj?``, ``%%cell``
magics) is neutralised line for line, so every line keeps its number and tree-sitter parses the
rest: a statement's first line becomes ``pass  # <the original line>`` (``pass`` so that a block
whose only statement was a magic still parses; the normalizer emits nothing for it), its other
lines comments.  A cell magic whose body is Python (``%%time``, ``%%capture``,
``%%writefile x.py``) keeps its body; any other (``%%bash``, ``%%html``) is commented out whole.

Only the JSON structure needed to find code cells is checked, with the standard library's
parser; anything else wrong with the file raises ``MalformedNotebook`` with a sentence that
says what, for the caller to record as a skipped file.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass
from typing import Any

NOTEBOOK_EXTENSION = ".ipynb"

NOTEBOOK_SIZE_FACTOR = 16
"""A notebook file may be this many times ``max_file_bytes``: its outputs (plots as base64
images, long logs) often dwarf its code, and only the extracted code has to fit the limit."""

PYTHON = "python"
"""The language id a Python notebook's code is compared as; other kernels' notebooks are not
read (their cells are not Python, and the neutralising above is Python's)."""

_PYTHON_BODY_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "python", "python3", "pypy"}
)
_CELL_MAGIC = re.compile(r"%%\s*(\w*)(.*)")
# When a cell cannot be tokenized (a syntax error, an unterminated string), lines are judged
# one by one instead of as statements.
_LINE_MAGIC = re.compile(r"\s*(?:[%!?]|[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!])")
_SKIPPED_TOKENS = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT})


class MalformedNotebook(ValueError):
    """The bytes are not a notebook whose code cells can be read; the message says why."""


@dataclass(frozen=True, slots=True)
class CodeCell:
    """Where one code cell's source sits in the extracted text.

    ``index`` is the cell's position in the notebook's ``cells`` list (0-based, markdown and
    raw cells counted), as ``nb["cells"][index]`` finds it; ``id`` is its nbformat 4.5 id when
    it has one; it fills lines ``start_line`` (1-based) to ``start_line + lines - 1``.
    """

    index: int
    id: str | None
    start_line: int
    lines: int


@dataclass(frozen=True, slots=True)
class ExtractedNotebook:
    """A notebook's code as UTF-8 ``data``, the cells it came from, and the kernel language
    the notebook names (lower case; ``"python"`` when it names none)."""

    data: bytes
    language: str
    cells: tuple[CodeCell, ...]


def is_notebook(name: str) -> bool:
    """Whether a file called ``name`` is read as a Jupyter notebook (by its extension)."""
    return len(name) > len(NOTEBOOK_EXTENSION) and name.lower().endswith(NOTEBOOK_EXTENSION)


def extract_notebook(raw: bytes) -> ExtractedNotebook:
    """The code cells of the notebook file ``raw`` (nbformat 4, or 3's worksheets) as text.

    Raises ``MalformedNotebook`` when ``raw`` is not JSON, not a notebook of a known format,
    or a code cell's source is neither a string nor a list of strings.
    """
    try:
        notebook = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MalformedNotebook(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except UnicodeDecodeError:
        raise MalformedNotebook("not valid JSON: not UTF-8 text") from None
    except RecursionError:
        raise MalformedNotebook("not valid JSON: nested too deeply") from None
    if not isinstance(notebook, dict):
        raise MalformedNotebook(f"not a notebook: the top level is a JSON {_json_type(notebook)}")
    cells, source_key = _cells(notebook)
    parts: list[str] = []
    code_cells: list[CodeCell] = []
    line = 1
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            raise MalformedNotebook(f"cell {index} is a JSON {_json_type(cell)}, not an object")
        if cell.get("cell_type") != "code":
            continue
        source = _source(cell.get(source_key, ""), index)
        if not source.strip():
            continue
        text = neutralize_ipython(source.removesuffix("\n")) + "\n"
        count = text.count("\n")
        cell_id = cell.get("id")
        code_cells.append(
            CodeCell(index, cell_id if isinstance(cell_id, str) else None, line, count)
        )
        parts.append(text)
        line += count
    # "replace": a JSON string may hold a lone surrogate, which UTF-8 cannot encode.
    data = "".join(parts).encode("utf-8", "replace")
    return ExtractedNotebook(data, _language(notebook), tuple(code_cells))


def neutralize_ipython(source: str) -> str:
    """``source`` (one cell) with IPython-only lines made Python, every line kept in place."""
    lines = source.split("\n")
    first = next((i for i, text in enumerate(lines) if text.strip()), None)
    body = 0
    if first is not None and lines[first].lstrip().startswith("%%"):
        if not _body_is_python(lines[first]):
            _neutralize(lines, first, len(lines) - 1)
            return "\n".join(lines)
        _neutralize(lines, first, first)
        body = first + 1
    statements = _statements("\n".join(lines[body:]) + "\n", body)
    if statements is None:
        statements = [(row, row) for row, text in enumerate(lines) if _LINE_MAGIC.match(text)]
    for start, end in statements:
        _neutralize(lines, start, end)
    return "\n".join(lines)


def _cells(notebook: dict[str, Any]) -> tuple[list[Any], str]:
    """The notebook's cells and the key of a code cell's source, by its format version."""
    version = notebook.get("nbformat")
    if version == 4:
        cells = notebook.get("cells")
        if not isinstance(cells, list):
            raise MalformedNotebook(f"'cells' is a JSON {_json_type(cells)}, not a list")
        return cells, "source"
    if version == 3:
        worksheets = notebook.get("worksheets")
        if not isinstance(worksheets, list) or not all(
            isinstance(w, dict) and isinstance(w.get("cells"), list) for w in worksheets
        ):
            raise MalformedNotebook("'worksheets' is not a list of objects holding cell lists")
        return [cell for sheet in worksheets for cell in sheet["cells"]], "input"
    if version is None:
        raise MalformedNotebook("not a notebook: no 'nbformat' version")
    raise MalformedNotebook(f"nbformat {version!r} is not supported (3 and 4 are)")


def _source(value: object, index: int) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "".join(value)
    raise MalformedNotebook(f"cell {index}: its source is neither a string nor a list of strings")


def _language(notebook: dict[str, Any]) -> str:
    metadata = notebook.get("metadata")
    if isinstance(metadata, dict):
        for key, field in (("kernelspec", "language"), ("language_info", "name")):
            section = metadata.get(key)
            if isinstance(section, dict) and isinstance(section.get(field), str):
                return str(section[field]).lower()
    return PYTHON


def _json_type(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _body_is_python(magic_line: str) -> bool:
    match = _CELL_MAGIC.match(magic_line.strip())
    if match is None:
        return False
    name, arguments = match.groups()
    if name == "writefile":
        words = arguments.split()
        return bool(words) and words[-1].endswith(".py")
    return name in _PYTHON_BODY_MAGICS


def _statements(text: str, offset: int) -> list[tuple[int, int]] | None:
    """First and last row (0-based, plus ``offset``) of each statement of ``text`` to
    neutralise; ``None`` when Python's tokenizer rejects it (inconsistent indentation).

    IPython-only statements are neutralised, and so is a last statement that never ends (an
    unclosed bracket or string): the cells are joined, so it would swallow the next cells'
    code into one syntax error, where in Jupyter it breaks only its own cell.
    """
    found: list[tuple[int, int]] = []
    statement: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in _SKIPPED_TOKENS or (
                token.type == tokenize.ERRORTOKEN and not token.string.strip()
            ):
                continue
            if token.type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
                statement.append(token)
                continue
            if statement and _is_ipython(statement):
                found.append((statement[0].start[0] - 1 + offset, token.start[0] - 1 + offset))
            statement = []
    except tokenize.TokenError as exc:
        unfinished = statement[0].start[0] if statement else exc.args[1][0]
        last = text.count("\n")
        # An unclosed string's error names the row it opens on; a stray closing bracket
        # (which tokenize counts as an open statement at the end) names the row past the
        # last one, and then nothing is left unfinished.
        if unfinished <= last:
            found.append((unfinished - 1 + offset, last - 1 + offset))
    except SyntaxError:
        return None
    return found


def _is_ipython(statement: list[tokenize.TokenInfo]) -> bool:
    """Whether a logical line's tokens are IPython syntax: an escape first (``%``, ``!``,
    ``?``), a help ``?`` last, or names assigned the output of an escape."""
    if statement[0].string in ("%", "!", "?") or statement[-1].string == "?":
        return True
    for position, token in enumerate(statement):
        if token.string == "=":
            following = statement[position + 1 : position + 2]
            return bool(following) and following[0].string in ("%", "!")
        if token.type != tokenize.NAME and token.string not in (".", ","):
            return False
    return False


def _neutralize(lines: list[str], start: int, end: int) -> None:
    first = lines[start]
    body = first.lstrip()
    lines[start] = f"{first[: len(first) - len(body)]}pass  # {body}"
    for row in range(start + 1, end + 1):
        lines[row] = f"# {lines[row]}"
