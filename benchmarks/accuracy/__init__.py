"""The development accuracy benchmark (issue 3): disguised copies vs. look-alike code.

``corpus`` gathers the source material (this machine's standard library and pinned PyPI
packages unpacked into ``.cache/pypi/``), ``transforms`` disguises code, ``generate`` writes a
labelled pair set for one seed, ``score`` computes the metrics, and ``run`` ties them together
(``python -m benchmarks.accuracy.run --seed 1``).  See ``README.md`` beside this file.
"""
