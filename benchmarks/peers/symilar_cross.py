"""All-vs-all with pylint 4.1.4's symilar: one ``Symilar`` holding every ``.py`` file of a folder.

Runs in the peers' venv, from the repository root:
    .cache/peers/venv/bin/python -m benchmarks.peers.symilar_cross DIR > summary.json

stdout: one JSON object, ``{"files", "pairs", "high"}``: files read, file pairs sharing at least
one similar block, and ``[left, right, score]`` of the pairs scoring 0.9 or more, with the
settings and the line-coverage score of the pair driver (``symilar_driver``). symilar's own
``run()`` walks the same ``_iter_sims()`` and prints the blocks; the scores are computed from
them instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pylint.checkers.symilar import Symilar  # type: ignore[import-not-found]

from benchmarks.peers.scoring import count_covered, coverage_similarity
from benchmarks.peers.symilar_driver import (
    IGNORE_COMMENTS,
    IGNORE_DOCSTRINGS,
    IGNORE_IMPORTS,
    IGNORE_SIGNATURES,
    MIN_LINES,
    add_file,
)

HIGH = 0.9


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m benchmarks.peers.symilar_cross DIR")
    paths = sorted(Path(sys.argv[1]).glob("*.py"))
    sim = Symilar(
        min_lines=MIN_LINES,
        ignore_comments=IGNORE_COMMENTS,
        ignore_docstrings=IGNORE_DOCSTRINGS,
        ignore_imports=IGNORE_IMPORTS,
        ignore_signatures=IGNORE_SIGNATURES,
    )
    for path in paths:
        add_file(sim, str(path))
    position = {id(lineset): i for i, lineset in enumerate(sim.linesets)}
    # (left index, right index) -> spans covered in the left file, spans in the right file
    spans: dict[tuple[int, int], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for common in sim._iter_sims():
        first = (position[id(common.fst_lset)], common.fst_file_start, common.fst_file_end)
        second = (position[id(common.snd_lset)], common.snd_file_start, common.snd_file_end)
        left, right = sorted((first, second))
        left_spans, right_spans = spans.setdefault((left[0], right[0]), ([], []))
        left_spans.append((int(left[1]), int(left[2])))
        right_spans.append((int(right[1]), int(right[2])))
    lines = [[int(spec.line_number) for spec in lineset.stripped_lines] for lineset in sim.linesets]
    high = []
    for (i, j), (left_spans, right_spans) in spans.items():
        score = coverage_similarity(
            count_covered(lines[i], left_spans),
            len(lines[i]),
            count_covered(lines[j], right_spans),
            len(lines[j]),
        )
        if score >= HIGH:
            names = Path(sim.linesets[i].name).name, Path(sim.linesets[j].name).name
            high.append([*names, score])
    print(json.dumps({"files": len(sim.linesets), "pairs": len(spans), "high": high}))


if __name__ == "__main__":
    main()
