"""The all-vs-all scale benchmark (``benchmarks/cross_scale.py``) on a tiny corpus, codesim only:
the corpus is the stdlib prefix, named flat, and one cold ``codesim cross`` run yields figures that
print well-formed. No timing is asserted (the machine is shared)."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.cross_scale import (
    Findings,
    Measured,
    build_corpus,
    codesim_findings,
    format_row,
    growth,
    measure,
    sources,
    targets,
)

N = 30


def test_corpus_is_the_sorted_stdlib_prefix_copied_flat(tmp_path: Path) -> None:
    corpus = build_corpus(N, cache=tmp_path)
    names = sorted(path.name for path in corpus.path.iterdir())
    expected = [source.label for source in sources(N)]
    assert expected == sorted(expected)
    assert len(names) == corpus.files == N
    assert [name.split("_", 1)[1] for name in names] == [
        label.replace("/", "__") for label in expected
    ]
    assert corpus.bytes == sum(path.stat().st_size for path in corpus.path.iterdir())
    assert corpus.lines > N
    assert re.fullmatch(rf"N={N}: {N} files, \d+\.\d MB, [\d,]+ lines \(.+\)", corpus.describe())
    again = build_corpus(N, cache=tmp_path)  # reused, not rebuilt
    assert again == corpus


def test_one_cold_codesim_run_prints_well_formed_figures(tmp_path: Path) -> None:
    corpus = build_corpus(N, cache=tmp_path)
    result = measure("codesim", corpus, runs=1, timeout=120)
    assert not result.timed_out and len(result.runs) == 1
    assert result.seconds > 0 and result.peak_bytes > 10 * 2**20
    assert result.findings is not None and result.findings.clusters is not None
    row = format_row(result, result)
    assert re.fullmatch(
        r"  codesim +\d+\.\d\d s +\d+ MB  pairs \d+, >= 0\.9: \d+ \(cp\* codecs 0\), "
        r"clusters \d+, shared files \d+ \(cp\* codecs 0\)",
        row,
    ), row


def test_codec_tables_count_as_shared_not_as_pairs() -> None:
    report = {
        "pairs": [
            {"left": "0300_encodings__cp037.py", "right": "0301_encodings__cp1006.py", "score": 1},
            {"left": "0001_abc.py", "right": "0002_abc_copy.py", "score": 0.95},
            {"left": "0001_abc.py", "right": "0003_other.py", "score": 0.2},
        ],
        "clusters": [{"id": 1}],
        "shared": [
            {"submission": "0302_encodings__cp1250.py"},
            {"submission": "0302_encodings__cp1250.py"},
            {"submission": "0400_encodings__utf_8.py"},
        ],
    }
    found = codesim_findings(report)
    assert found == Findings(3, 2, 1, clusters=1, shared_files=2, shared_codecs=1)


def test_targets_ratios_and_growth() -> None:
    results = [
        Measured("codesim", 400, 2.0, [2.0], 300 * 2**20),
        Measured("codesim", 5000, 40.0, [40.0], 1500 * 2**20),
        Measured("dolos", 400, 35.0, [35.0], 900 * 2**20),
        Measured("jscpd", 400, 1.0, [1.0], 60 * 2**20),
        Measured("copydetect", 5000, 1200.0, [], 0, timed_out=True),
        Measured("symilar", 5000, 0.0, [], 0, skipped="timed out at N=1600"),
    ]
    exponent = growth(results, "codesim")
    assert exponent is not None and abs(exponent - 1.185) < 0.01
    verdicts = dict(targets(results))
    assert verdicts == {
        "N=400: dolos / codesim = 17.5x (>= 10x)": True,
        "N=400: jscpd / codesim = 0.50x (>= 0.33x)": True,
        "N=5000: copydetect / codesim = >30.0x (>= 10x)": True,
        "N=5000: codesim peak 1500 MB (<= 2048 MB)": True,
        "codesim growth exponent 400->5000: 1.19 (<= 1.2)": True,
    }
    assert format_row(results[4], results[1]).endswith("(timeout)  ratio >30.0x")
    assert "skipped: timed out at N=1600" in format_row(results[5], results[1])
