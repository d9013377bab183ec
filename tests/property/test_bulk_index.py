"""The bulk join (``postings``, ``query_all``, ``candidate_pairs``) answers as ``ExactIndex``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from codesim.index.exact import ExactIndex, postings, query_all
from codesim.options import COMMON_FINGERPRINT_MIN_FILES, Options
from codesim.pipeline.comparing import candidate_pairs
from codesim.pipeline.reading import NormalizedFile, normalize_file
from codesim.sources.model import SourceFile

# A small alphabet makes documents overlap, tie and hit the boilerplate ceiling.
documents = st.lists(st.lists(st.integers(0, 30), max_size=25), max_size=14)


def exact_answers(
    stored: list[list[int]],
    queries: list[list[int]],
    common_share: float,
    common_min_docs: int,
    min_shared: int,
    limit: int,
) -> list[tuple[int, int]]:
    """``(doc, query)`` rows from an ``ExactIndex`` of the documents that have values."""
    index = ExactIndex(common_share=common_share, common_min_docs=common_min_docs)
    for doc, values in enumerate(stored):
        if values:
            index.add(doc, np.array(values, dtype=np.uint64))
    return [
        (c.doc, q)
        for q, values in enumerate(queries)
        for c in index.query(np.array(values, dtype=np.uint64), min_shared=min_shared, limit=limit)
    ]


def as_arrays(values: list[list[int]]) -> list[np.ndarray]:
    return [np.array(v, dtype=np.uint64) for v in values]


@settings(max_examples=300)
@given(
    documents,
    documents,
    st.sampled_from([0.2, 0.5, 1.0]),
    st.integers(0, 4),
    st.integers(1, 5),
    st.integers(1, 4),
)
def test_query_all_answers_as_the_exact_index_does(
    stored, queries, common_share, common_min_docs, min_shared, limit
):
    docs, queried = query_all(
        postings(as_arrays(stored)),
        postings(as_arrays(queries)),
        common_share=common_share,
        common_min_docs=common_min_docs,
        min_shared=min_shared,
        limit=limit,
    )
    expected = exact_answers(stored, queries, common_share, common_min_docs, min_shared, limit)
    assert list(zip(docs.tolist(), queried.tolist(), strict=True)) == expected


def test_one_document_and_one_query_answer_as_the_exact_index_does():
    for common_min_docs, min_shared, query in [(0, 1, [1, 2]), (1, 3, [1, 2]), (1, 3, [1])]:
        docs, queried = query_all(
            postings(as_arrays([[1, 2, 3]])),
            postings(as_arrays([query])),
            common_share=0.5,
            common_min_docs=common_min_docs,
            min_shared=min_shared,
            limit=1,
        )
        expected = exact_answers([[1, 2, 3]], [query], 0.5, common_min_docs, min_shared, 1)
        assert list(zip(docs.tolist(), queried.tolist(), strict=True)) == expected


def test_ties_at_the_limit_are_kept_up_to_the_allowance_in_bulk():
    stored = [[1, 2, 3, 1000 + doc] for doc in range(50)]
    docs, _ = query_all(
        postings(as_arrays(stored)), postings(as_arrays([[1, 2, 3]])), min_shared=1, limit=5
    )
    assert docs.tolist() == list(range(20))


def test_postings_of_no_documents_answer_nothing():
    docs, queried = query_all(postings([]), postings(as_arrays([[1]])), min_shared=1, limit=3)
    assert not len(docs) and not len(queried)


def _file() -> NormalizedFile:
    code = b"def f(a, b):\n    return a + b\n"
    source = SourceFile("f.py", Path("f.py"), "python", code, "utf-8", 2)
    return normalize_file(source, Options())


BASE = _file()
files = st.lists(
    st.tuples(st.lists(st.integers(0, 30), max_size=25), st.sampled_from(["python", "c"])),
    max_size=12,
)


def old_candidate_pairs(
    left: list[NormalizedFile], right: list[NormalizedFile], options: Options
) -> list[tuple[int, int]]:
    """``candidate_pairs`` as it was: an ``ExactIndex`` per language, queried per right file."""
    indexes: dict[str, ExactIndex] = {}
    for doc, item in enumerate(left):
        if len(item.selected):
            index = indexes.setdefault(
                item.language,
                ExactIndex(
                    common_share=options.common_fingerprint_share,
                    common_min_docs=COMMON_FINGERPRINT_MIN_FILES,
                ),
            )
            index.add(doc, item.selected)
    pairs: list[tuple[int, int]] = []
    for j, item in enumerate(right):
        if item.language in indexes:
            found = indexes[item.language].query(
                item.selected,
                min_shared=options.min_candidate_shared,
                limit=options.max_candidates,
            )
            pairs.extend((c.doc, j) for c in found)
    return pairs


@settings(max_examples=200)
@given(files, files, st.integers(1, 4), st.integers(1, 4), st.sampled_from([0.1, 0.5, 1.0]))
def test_candidate_pairs_are_those_of_an_exact_index_per_language(
    left, right, min_shared, limit, share
):
    options = Options(
        min_candidate_shared=min_shared, max_candidates=limit, common_fingerprint_share=share
    )

    def made(specs: list[tuple[list[int], str]]) -> list[NormalizedFile]:
        return [
            replace(BASE, selected=np.array(values, dtype=np.uint64), language=language)
            for values, language in specs
        ]

    one, two = made(left), made(right)
    assert candidate_pairs(one, two, options) == old_candidate_pairs(one, two, options)
