"""Repo graphs: modules, classes and functions linked by contains, calls, imports and inherits.

``facts`` reads what the graph needs from one file's token stream (no networkx, so the
pipeline can gather it cheaply while it reads files); ``build`` turns the facts of a whole
repo into a networkx graph, resolving names inside the repo.
"""

from codesim.graph.facts import Call, FileFacts, UnitFacts, node_ids, unit_references

__all__ = ["Call", "FileFacts", "UnitFacts", "node_ids", "unit_references"]
