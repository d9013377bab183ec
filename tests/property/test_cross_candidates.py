"""cross's candidate search in numpy (and its compiled join) against the rules written out
pair by pair."""

from __future__ import annotations

from contextlib import nullcontext
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesim import compiled
from codesim.align import kgram_table
from codesim.align.seeds import kgram_cover
from codesim.pipeline.cross import _best_partners, _co_occurring

documents = st.lists(st.lists(st.integers(0, 25), max_size=20), min_size=1, max_size=10)


# Small values collide often; the multiplied ones differ in every byte; the shifted ones
# share their low 33 bits (the radix sort's digits), all or a few apart, and differ above.
spreads = st.sampled_from(
    [
        lambda value: value,
        lambda value: value * 0x0101010101010101 % 2**63,
        lambda value: value * 0x9E3779B97F4A7C15 % 2**63,
        lambda value: value << 40,
        lambda value: value % 3 | value << 36,
    ]
)


@pytest.mark.parametrize("python_only", [False, True], ids=["compiled", "python"])
@settings(max_examples=300)
@given(documents, st.one_of(st.none(), st.integers(1, 6)), spreads)
def test_co_occurring_counts_the_values_two_documents_share(python_only, docs, limit, spread):
    docs = [[spread(value) for value in d] for d in docs]
    holders = {value: sum(value in set(d) for d in docs) for d in docs for value in d}
    common = {value for value, n in holders.items() if limit is None or n <= limit}
    width = len(docs)
    expected = {
        i * width + j: len(set(docs[i]) & set(docs[j]) & common)
        for i, j in combinations(range(width), 2)
    }
    with compiled.python_only() if python_only else nullcontext():
        codes, counts = _co_occurring([np.array(d, dtype=np.int64) for d in docs], limit)
    assert dict(zip(codes.tolist(), counts.tolist(), strict=True)) == {
        code: n for code, n in expected.items() if n
    }
    assert codes.tolist() == sorted(codes.tolist())


def best_by_dicts(evidence: dict[tuple[int, int], int], limit: int) -> list[tuple[int, int]]:
    """The ranking as first written, with dicts."""
    best: dict[int, list[tuple[int, int]]] = {}
    for (i, j), count in evidence.items():
        best.setdefault(i, []).append((count, j))
        best.setdefault(j, []).append((count, i))
    kept: set[tuple[int, int]] = set()
    for doc, ranked in best.items():
        ranked.sort(key=lambda item: (-item[0], item[1]))
        kept.update((min(doc, other), max(doc, other)) for _, other in ranked[:limit])
    return sorted(kept)


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.tuples(st.integers(0, 11), st.integers(0, 11)).filter(lambda p: p[0] < p[1]),
        st.integers(1, 5),
    ),
    st.integers(1, 4),
)
def test_best_partners_keeps_each_documents_best(evidence, limit):
    width = 12
    codes = np.array([i * width + j for i, j in evidence], dtype=np.int64)
    counts = np.array(list(evidence.values()), dtype=np.int64)
    assert _best_partners(codes, counts, width, limit) == best_by_dicts(evidence, limit)


@settings(max_examples=200)
@given(st.lists(st.integers(0, 12), max_size=60), st.sets(st.integers(0, 12)), st.integers(1, 5))
def test_the_shared_mask_covers_every_kgram_of_shared_code(kgrams, shared, k):
    # cross's shared-code mask: compiled and in Python, against the rule written out.
    tokens = len(kgrams) + k - 1 if kgrams else 0
    expected = np.zeros(tokens, dtype=bool)
    for start, value in enumerate(kgrams):
        if value in shared:
            expected[start : start + k] = True
    table = kgram_table(np.array(kgrams, dtype=np.uint64))
    values = np.array(sorted(shared), dtype=np.uint64)
    for switched_off in (False, True):
        found = np.zeros(tokens, dtype=bool)
        with compiled.python_only() if switched_off else nullcontext():
            kgram_cover(table, values, k, found)
        assert found.tolist() == expected.tolist()


@pytest.mark.skipif(compiled.load(compiled.COOCCUR) is None, reason="not built")
def test_compiled_join_refuses_sizes_that_do_not_add_up():
    module = compiled.load(compiled.COOCCUR)
    assert module is not None
    values = np.arange(6, dtype=np.uint64)
    for sizes in ([2, 2], [4, 4], [-1, 7], [7, -1]):
        with pytest.raises(ValueError, match="add up"):
            module.pairs(values, np.array(sizes, dtype=np.int64), -1)
    with pytest.raises(ValueError, match="disagree"):
        module.pairs(values.tobytes()[:-1], np.array([6], dtype=np.int64), -1)
    assert len(module.pairs(values[:0], np.array([0, 0], dtype=np.int64), -1)) == 0


@pytest.mark.skipif(compiled.load(compiled.COOCCUR) is None, reason="not built")
def test_values_made_to_collide_in_the_low_bits_are_grouped_whole():
    # The compiled join sorts on the low 33 bits, then each run of equal low bits by the
    # whole value: 60,000 values sharing their low bits (two documents holding each, the
    # second in reverse order) are one run, merged, not sorted by insertion, whose 10^9
    # moves here took 2 s.
    values = np.arange(1, 60_001, dtype=np.uint64) << np.uint64(33)
    codes, counts = _co_occurring([values, values[::-1].copy()], limit=None)
    assert codes.tolist() == [1]
    assert counts.tolist() == [60_000]
