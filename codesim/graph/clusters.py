"""Clusters of mutually similar submissions: the connected components of the graph whose
edges are the reported pairs (each at least the report's minimum score)."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

__all__ = ["clusters_of"]


def clusters_of(pairs: Iterable[tuple[str, str, float]]) -> list[tuple[list[str], float]]:
    """``(members, highest pair score)`` of each group of two or more submissions linked by
    ``pairs``, largest first, then by best score and first member."""
    graph = nx.Graph()
    for left, right, score in pairs:
        graph.add_edge(left, right, score=score)
    found = []
    for component in nx.connected_components(graph):
        members = sorted(component)
        top = max(data["score"] for _, _, data in graph.subgraph(members).edges(data=True))
        found.append((members, top))
    found.sort(key=lambda item: (-len(item[0]), -item[1], item[0][0]))
    return found
