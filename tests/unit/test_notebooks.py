"""Jupyter notebooks read as Python: extraction, IPython syntax, cell mapping, malformed files.

Every notebook is written by the test as nbformat 4 JSON (one as nbformat 3), so nothing here
depends on Jupyter being installed.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from codesim.errors import InputError, SkipReason
from codesim.options import make_options
from codesim.sources.model import Discovery
from codesim.sources.notebooks import (
    MalformedNotebook,
    extract_notebook,
    is_notebook,
    neutralize_ipython,
)
from codesim.sources.walk import discover

LANGUAGES = {".py": "python"}
SHEBANGS = {"python": "python"}


def cell(kind: str, source: str | list[str], **extra: Any) -> dict[str, Any]:
    """A cell as nbformat 4 writes it: the source split into lines, code cells with outputs."""
    item: dict[str, Any] = {
        "cell_type": kind,
        "metadata": {},
        "source": source.splitlines(keepends=True) if isinstance(source, str) else source,
    }
    if kind == "code":
        item |= {"execution_count": None, "outputs": []}
    return item | extra


def notebook(*cells: dict[str, Any], language: str = "python") -> bytes:
    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": language}
        },
        "cells": list(cells),
    }
    return json.dumps(document, indent=1).encode()


def run(path: Path, **options: object) -> Discovery:
    return discover(path, make_options(**options), LANGUAGES, SHEBANGS)


def text(raw: bytes) -> str:
    return extract_notebook(raw).data.decode()


def test_code_cells_are_joined_in_order_and_everything_else_is_dropped() -> None:
    raw = notebook(
        cell("markdown", "# Title\n\nSome prose.\n"),
        cell("code", "import math\nx = math.pi\n", id="first"),
        cell("raw", "raw text\n"),
        cell("code", "", id="empty"),
        cell("code", "  \n\n", id="blank"),
        cell(
            "code",
            "y = x * 2",
            outputs=[{"output_type": "stream", "name": "stdout", "text": ["6.28\n"]}],
        ),
    )
    extracted = extract_notebook(raw)
    assert extracted.data == b"import math\nx = math.pi\ny = x * 2\n"
    assert extracted.language == "python"
    assert [(c.index, c.id, c.start_line, c.lines) for c in extracted.cells] == [
        (1, "first", 1, 2),
        (5, None, 3, 1),
    ]


def test_a_source_given_as_one_string_and_trailing_blank_lines_keep_their_lines() -> None:
    raw = notebook(cell("code", ["a = 1\nb = 2\n\n"]), cell("code", "c = 3\n"))
    extracted = extract_notebook(raw)
    assert extracted.data == b"a = 1\nb = 2\n\nc = 3\n"
    assert [(c.start_line, c.lines) for c in extracted.cells] == [(1, 3), (4, 1)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("%matplotlib inline\nx = 1", "pass  # %matplotlib inline\nx = 1"),
        ("!pip install tqdm", "pass  # !pip install tqdm"),
        ("files = !ls *.csv", "pass  # files = !ls *.csv"),
        ("a, b.c = %who_ls", "pass  # a, b.c = %who_ls"),
        ("np.mean?", "pass  # np.mean?"),
        ("??np.mean", "pass  # ??np.mean"),
        ("if ready:\n    %time train()\nx = 2", "if ready:\n    pass  # %time train()\nx = 2"),
        ("!pip install \\\n    tqdm", "pass  # !pip install \\\n#     tqdm"),
        ("%time f(\n  1)", "pass  # %time f(\n#   1)"),
        ("%%time\nx = 1\n!ls", "pass  # %%time\nx = 1\npass  # !ls"),
        ("%%writefile util.py\ndef f(): ...", "pass  # %%writefile util.py\ndef f(): ..."),
        ("\n%%bash\necho hi\n\nls", "\npass  # %%bash\n# echo hi\n# \n# ls"),
        ("%%writefile notes.txt\nhello", "pass  # %%writefile notes.txt\n# hello"),
    ],
)
def test_ipython_syntax_is_neutralised_line_for_line(source: str, expected: str) -> None:
    result = neutralize_ipython(source)
    assert result == expected
    ast.parse(result)


@pytest.mark.parametrize(
    "source",
    [
        "x = (a\n     % b)",  # a modulo continuing a bracketed line is no magic
        "s = '''\n%s of %s\n!important\n'''",  # nor is a line inside a string
        "x = 1  # why?",
        "if a != b:\n    c = a % b",
    ],
)
def test_python_that_only_looks_like_ipython_is_kept(source: str) -> None:
    assert neutralize_ipython(source) == source


def test_an_unfinished_last_statement_cannot_swallow_the_next_cells() -> None:
    raw = notebook(
        cell("code", "a = 1\nresult = compute(1, 2\nprint(result"),
        cell("code", "def f(x):\n    return x + 1\n"),
        cell("code", "!ls\ndoc = '''never closed\nmore"),
        cell("code", "def g(y):\n    return y * 2\n"),
    )
    code = text(raw)
    assert code.splitlines() == [
        "a = 1",
        "pass  # result = compute(1, 2",
        "# print(result",
        "def f(x):",
        "    return x + 1",
        "pass  # !ls",
        "pass  # doc = '''never closed",
        "# more",
        "def g(y):",
        "    return y * 2",
    ]
    ast.parse(code)


def test_a_cell_the_tokenizer_rejects_is_neutralised_line_by_line() -> None:
    # Inconsistent dedenting stops Python's tokenizer; magic lines are then found one by one.
    source = "if x:\n        y = 1\n    z = 2\n%time f()"
    assert neutralize_ipython(source).splitlines()[-1] == "pass  # %time f()"


def test_the_kernel_language_and_nbformat_3_are_read() -> None:
    assert extract_notebook(notebook(cell("code", "x <- 1"), language="R")).language == "r"
    version3 = {
        "nbformat": 3,
        "metadata": {},
        "worksheets": [
            {"cells": [{"cell_type": "markdown", "source": "hi"}]},
            {"cells": [{"cell_type": "code", "input": ["x = 1\n", "y = 2"], "outputs": []}]},
        ],
    }
    extracted = extract_notebook(json.dumps(version3).encode())
    assert extracted.data == b"x = 1\ny = 2\n"
    assert extracted.cells[0].index == 1  # counted across worksheets


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b'{"nbformat": 4, "cells": [', "not valid JSON (line 1, column 27"),
        (b"\xff\xfe\xfa not json", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"[1, 2]", "the top level is a JSON array"),
        (b'{"cells": []}', "no 'nbformat' version"),
        (b'{"nbformat": 5, "cells": []}', "nbformat 5 is not supported"),
        (b'{"nbformat": 4, "cells": {"0": {}}}', "'cells' is a JSON object, not a list"),
        (b'{"nbformat": 4}', "'cells' is a JSON null, not a list"),
        (b'{"nbformat": 4, "cells": ["x = 1"]}', "cell 0 is a JSON string"),
        (b'{"nbformat": 3, "worksheets": [{}]}', "'worksheets' is not a list"),
        (
            b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": ["x", 1]}]}',
            "cell 0: its source is neither a string nor a list of strings",
        ),
    ],
)
def test_malformed_notebooks_raise_with_a_reason(raw: bytes, detail: str) -> None:
    with pytest.raises(MalformedNotebook) as caught:
        extract_notebook(raw)
    assert detail in str(caught.value)


def test_a_markdown_cell_with_any_source_shape_is_not_read() -> None:
    raw = b'{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": 7}]}'
    assert extract_notebook(raw).data == b""


def test_is_notebook_goes_by_the_extension() -> None:
    assert is_notebook("analysis.ipynb")
    assert is_notebook("ANALYSIS.IPYNB")
    assert not is_notebook(".ipynb")
    assert not is_notebook("analysis.ipynb.py")


def test_discover_reads_a_notebook_as_python_with_its_cells(tmp_path: Path) -> None:
    (tmp_path / "analysis.ipynb").write_bytes(
        notebook(cell("markdown", "notes"), cell("code", "%pylab\nx = 1\n"))
    )
    (tmp_path / "script.py").write_text("y = 2\n")
    discovery = run(tmp_path)
    by_path = {f.path: f for f in discovery.files}
    assert sorted(by_path) == ["analysis.ipynb", "script.py"]
    source = by_path["analysis.ipynb"]
    assert source.language == "python"
    assert source.data == b"pass  # %pylab\nx = 1\n"
    assert source.lines == 2
    assert source.cells is not None and source.cells[0].index == 1
    assert by_path["script.py"].cells is None


def test_discover_records_malformed_notebooks_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text('{"nbformat": 4, "cells": ')
    (tmp_path / "wrong.ipynb").write_text('{"nbformat": 4, "cells": "x = 1"}')
    discovery = run(tmp_path)
    assert discovery.files == []
    reasons = {s.path: (s.reason, s.detail) for s in discovery.skipped}
    assert reasons["broken.ipynb"][0] is SkipReason.MALFORMED_NOTEBOOK
    assert reasons["broken.ipynb"][1].startswith("not valid JSON")
    assert reasons["wrong.ipynb"] == (
        SkipReason.MALFORMED_NOTEBOOK,
        "'cells' is a JSON string, not a list",
    )


def test_outputs_do_not_count_against_the_size_limit_but_the_file_has_a_cap(
    tmp_path: Path,
) -> None:
    image = {"output_type": "display_data", "data": {"image/png": "A" * 40_000}, "metadata": {}}
    (tmp_path / "plots.ipynb").write_bytes(notebook(cell("code", "x = 1\n", outputs=[image])))
    (tmp_path / "huge.ipynb").write_bytes(notebook(cell("code", "x = 1\n", outputs=[image] * 5)))
    (tmp_path / "long.ipynb").write_bytes(notebook(cell("code", "x = 1\n" * 2_000)))
    discovery = run(tmp_path, max_file_bytes=10_000)
    assert [f.path for f in discovery.files] == ["plots.ipynb"]
    reasons = {s.path: (s.reason, s.detail) for s in discovery.skipped}
    assert reasons["huge.ipynb"][0] is SkipReason.TOO_LARGE
    assert "limit (a notebook's: 16 x max_file_bytes)" in reasons["huge.ipynb"][1]
    assert reasons["long.ipynb"] == (
        SkipReason.TOO_LARGE,
        "its code cells hold 12.0 kB, over the 10.0 kB limit (max_file_bytes)",
    )


def test_a_notebook_of_another_language_is_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "stats.ipynb"
    path.write_bytes(notebook(cell("code", "x <- c(1, 2)\n"), language="R"))
    discovery = run(tmp_path)
    assert (discovery.files, discovery.skipped, discovery.ignored) == ([], [], 1)
    with pytest.raises(InputError, match="notebook of 'r' code; only Python notebooks"):
        run(path)


def test_a_named_malformed_notebook_is_a_skipped_file_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text("not json")
    discovery = run(path)
    assert [s.reason for s in discovery.skipped] == [SkipReason.MALFORMED_NOTEBOOK]
