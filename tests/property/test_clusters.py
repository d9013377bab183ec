"""Clusters are networkx's connected components of the reported pairs, each with the highest
score among its pairs."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from codesim.graph.clusters import clusters_of

names = st.sampled_from([f"s{i}" for i in range(12)])
pairs = st.lists(
    st.tuples(names, names, st.floats(0, 1, allow_nan=False)).filter(lambda p: p[0] != p[1]),
    max_size=30,
)


@settings(max_examples=300)
@given(pairs)
def test_clusters_are_networkx_components(found: list[tuple[str, str, float]]) -> None:
    graph = nx.Graph()
    graph.add_edges_from((left, right) for left, right, _ in found)
    expected = {frozenset(component) for component in nx.connected_components(graph)}
    clusters = clusters_of(found)
    assert {frozenset(members) for members, _ in clusters} == expected
    for members, top in clusters:
        assert members == sorted(members)
        assert top == max(score for left, _, score in found if left in members)
    keys = [(-len(members), -top, members[0]) for members, top in clusters]
    assert keys == sorted(keys)
