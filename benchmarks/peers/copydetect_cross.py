"""All-vs-all with copydetect 0.5.0: one ``CopyDetector`` whose test and reference folder are both
the folder, so every pair of its ``.py`` files is compared once.

Runs in the peers' venv, from the repository root:
    .cache/peers/venv/bin/python -m benchmarks.peers.copydetect_cross DIR > summary.json

stdout: one JSON object, ``{"files", "pairs", "high"}``: files fingerprinted, pairs whose score
(the larger of the two per-file similarities, `scoring.copydetect_pair_score`) passes
copydetect's display threshold (what its report lists), and ``[left, right, score]`` of the
pairs scoring 0.9 or more. Defaults of ``CopyDetector`` and its CLI otherwise; the HTML report
is not written (it only formats the pairs the similarity matrix already holds).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
from copydetect import CopyDetector  # type: ignore[import-not-found]
from copydetect import defaults as copydetect_defaults

HIGH = 0.9


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m benchmarks.peers.copydetect_cross DIR")
    folder = sys.argv[1]
    logging.disable(logging.WARNING)  # one warning per undecodable file, on stderr
    detector = CopyDetector(
        test_dirs=[folder], ref_dirs=[folder], extensions=["py"], autoopen=False, silent=True
    )
    detector.run()
    names = [Path(name).name for name in detector.test_files]
    # -1 marks pairs never compared (a file with itself, an unreadable file)
    scores = np.asarray(detector.similarity_matrix, dtype=np.float64).max(axis=2)
    upper = np.triu(np.ones_like(scores, dtype=bool), k=1)
    listed = int(np.count_nonzero(upper & (scores > float(copydetect_defaults.DISPLAY_THRESHOLD))))
    rows, columns = np.nonzero(upper & (scores >= HIGH))
    high = [[names[i], names[j], float(scores[i, j])] for i, j in zip(rows, columns, strict=True)]
    print(json.dumps({"files": len(detector.file_data), "pairs": listed, "high": high}))


if __name__ == "__main__":
    main()
