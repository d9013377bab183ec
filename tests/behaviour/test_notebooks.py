"""A notebook copied into a script, or a script pasted into notebook cells, is found, and the
evidence points at the right cell and line.

    case                                               expected
    -------------------------------------------------  ---------------------------------------
    notebook vs a disguised script of its cells        score >= 0.9 both ways, spans in cells
    notebook vs a renamed script of its cells          each fragment starts at the same cell
                                                       and line in the cell on both sides
    notebook with broken cells vs the script           the other cells still match
    folder with a notebook vs folder with the script   the pair is found; malformed skipped
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import codesim
from codesim.errors import SkipReason
from codesim.results import SCHEMA_VERSION, NotebookFile, Report
from tests.disguise import disguise

# Cells of a small training notebook: (kind, source).  Magics and a help line are there to be
# neutralised; the script made from the cells leaves them out, as a copier would.
CELLS: list[tuple[str, str]] = [
    ("markdown", "# Sentiment baseline\n\nLoad, featurize, train, evaluate.\n"),
    ("code", "%matplotlib inline\nimport json\nimport math\nfrom collections import Counter\n"),
    (
        "code",
        "def load_rows(path, limit):\n"
        "    rows = []\n"
        "    with open(path, encoding='utf-8') as handle:\n"
        "        for number, line in enumerate(handle):\n"
        "            if number >= limit:\n"
        "                break\n"
        "            record = json.loads(line)\n"
        "            if record.get('label') is None:\n"
        "                continue\n"
        "            rows.append((record['text'].lower(), int(record['label'])))\n"
        "    return rows\n",
    ),
    ("code", ""),
    ("markdown", "## Features\n"),
    (
        "code",
        "!pip install tqdm\n"
        "def vocabulary(rows, min_count=2):\n"
        "    counts = Counter()\n"
        "    for text, _ in rows:\n"
        "        counts.update(text.split())\n"
        "    words = sorted(w for w, c in counts.items() if c >= min_count)\n"
        "    return {word: index for index, word in enumerate(words)}\n"
        "\n"
        "def featurize(text, vocab):\n"
        "    vector = [0.0] * len(vocab)\n"
        "    for word in text.split():\n"
        "        position = vocab.get(word)\n"
        "        if position is not None:\n"
        "            vector[position] += 1.0\n"
        "    norm = math.sqrt(sum(v * v for v in vector)) or 1.0\n"
        "    return [v / norm for v in vector]\n",
    ),
    (
        "code",
        "def train(rows, vocab, epochs=5, rate=0.1):\n"
        "    weights = [0.0] * len(vocab)\n"
        "    bias = 0.0\n"
        "    for epoch in range(epochs):\n"
        "        for text, label in rows:\n"
        "            features = featurize(text, vocab)\n"
        "            score = bias + sum(w * f for w, f in zip(weights, features))\n"
        "            guess = 1.0 / (1.0 + math.exp(-score))\n"
        "            error = label - guess\n"
        "            bias += rate * error\n"
        "            for i, f in enumerate(features):\n"
        "                weights[i] += rate * error * f\n"
        "    return weights, bias\n"
        "train?\n",
    ),
    (
        "code",
        "%%time\n"
        "def evaluate(rows, vocab, weights, bias):\n"
        "    correct = 0\n"
        "    for text, label in rows:\n"
        "        features = featurize(text, vocab)\n"
        "        score = bias + sum(w * f for w, f in zip(weights, features))\n"
        "        if (score > 0) == bool(label):\n"
        "            correct += 1\n"
        "    return correct / max(1, len(rows))\n",
    ),
]

_IPYTHON_LINE = re.compile(r"^(?:[%!].*|\w+\?)$")


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    document: dict[str, Any] = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "cells": [
            {"cell_type": kind, "id": f"cell-{i}", "metadata": {}, "source": source}
            | ({"execution_count": i, "outputs": []} if kind == "code" else {})
            for i, (kind, source) in enumerate(cells)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def script_of(cells: list[tuple[str, str]]) -> tuple[str, dict[int, tuple[int, int]]]:
    """The code cells as a script, IPython lines left out, each cell after two blank lines;
    and for each script line, the (cell index, line in the cell) it came from."""
    lines: list[str] = []
    origin: dict[int, tuple[int, int]] = {}
    for index, (kind, source) in enumerate(cells):
        if kind != "code" or not source.strip():
            continue
        lines += ["", ""]
        for number, line in enumerate(source.splitlines(), start=1):
            if not _IPYTHON_LINE.match(line):
                lines.append(line)
                origin[len(lines)] = (index, number)
    return "\n".join(lines) + "\n", origin


def notebook_side(report: Report, side: str) -> NotebookFile:
    (notebook,) = (report.left if side == "left" else report.right).notebooks
    return notebook


def test_a_notebook_and_a_disguised_script_of_its_cells_are_found_both_ways(
    tmp_path: Path,
) -> None:
    notebook = write_notebook(tmp_path / "baseline.ipynb", CELLS)
    source, _ = script_of(CELLS)
    script = tmp_path / "baseline.py"
    script.write_text(disguise(source, seed=8).source, encoding="utf-8")

    forward = codesim.compare(notebook, script)
    backward = codesim.compare(script, notebook)
    assert forward.score >= 0.9
    assert backward.score == forward.score
    assert forward.verdict in ("identical", "derived")
    cells = notebook_side(forward, "left")
    assert [c.index for c in cells.cells] == [1, 2, 5, 6, 7]
    assert notebook_side(backward, "right") == cells
    (pair,) = forward.pairs
    assert pair.left == "baseline.ipynb"
    assert all(cells.locate(f.left.start_line) is not None for f in pair.fragments)
    # Every cell holding a function is matched somewhere.
    covered = {
        cell.index
        for f in pair.fragments
        for cell in cells.cells
        if cell.start_line <= f.left.end_line and f.left.start_line < cell.start_line + cell.lines
    }
    assert covered >= {2, 5, 6, 7}


def test_fragments_start_at_the_same_cell_and_line_on_both_sides(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "baseline.ipynb", CELLS)
    source, origin = script_of(CELLS)
    renamed = re.sub(r"\b(rows|vocab|weights|features)\b", lambda m: m.group(1)[:3] + "_x", source)
    script = tmp_path / "copied.py"
    script.write_text(renamed, encoding="utf-8")
    for report, side, other in (
        (codesim.compare(notebook, script), "left", "right"),
        (codesim.compare(script, notebook), "right", "left"),
    ):
        cells = notebook_side(report, side)
        (pair,) = report.pairs
        assert pair.fragments
        for fragment in pair.fragments:
            in_notebook = getattr(fragment, side)
            in_script = getattr(fragment, other)
            assert cells.locate(in_notebook.start_line) == origin[in_script.start_line]


def test_cells_with_syntax_errors_leave_the_other_cells_comparable(tmp_path: Path) -> None:
    broken = [
        *CELLS[:3],
        ("code", "history = fit(model,\n"),  # never closed: must not swallow the next cells
        ("code", "x = = 1\n"),
        *CELLS[3:],
    ]
    notebook = write_notebook(tmp_path / "broken.ipynb", broken)
    source, _ = script_of(CELLS)
    script = tmp_path / "baseline.py"
    script.write_text(source, encoding="utf-8")
    report = codesim.compare(notebook, script)
    assert report.score >= 0.95
    assert [u.path for u in report.left.unparsed] == ["broken.ipynb"]
    assert report.left.unparsed[0].unparsed_ratio < 0.05


def test_a_folder_comparison_picks_up_notebooks_and_reports_malformed_ones(
    tmp_path: Path,
) -> None:
    write_notebook(tmp_path / "left" / "notebooks" / "baseline.ipynb", CELLS)
    (tmp_path / "left" / "notebooks" / "draft.ipynb").write_text('{"nbformat": 4, "cells": [')
    (tmp_path / "left" / "README.md").write_text("# experiments\n")
    source, _ = script_of(CELLS)
    (tmp_path / "right").mkdir()
    (tmp_path / "right" / "train.py").write_text(disguise(source, seed=3).source)

    report = codesim.compare(tmp_path / "left", tmp_path / "right")
    assert [(p.left, p.right) for p in report.pairs] == [("notebooks/baseline.ipynb", "train.py")]
    assert report.pairs[0].score >= 0.9
    assert [n.path for n in report.left.notebooks] == ["notebooks/baseline.ipynb"]
    assert report.right.notebooks == []
    (skipped,) = report.skipped
    assert (skipped.path, skipped.reason) == (
        "notebooks/draft.ipynb",
        SkipReason.MALFORMED_NOTEBOOK,
    )
    assert skipped.detail.startswith("not valid JSON")
    dumped = json.loads(report.model_dump_json())
    assert dumped["schema_version"] == SCHEMA_VERSION
    assert dumped["left"]["notebooks"][0]["cells"][0] == {
        "index": 1,
        "id": "cell-1",
        "start_line": 1,
        "lines": 4,
    }
