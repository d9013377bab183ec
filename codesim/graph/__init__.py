"""Repo graphs: modules, classes and functions linked by contains, calls, imports and inherits.

``facts`` reads what the graph needs from one file's token stream (no networkx, so the
pipeline can gather it cheaply while it reads files); ``build`` turns the facts of a whole
repo into a networkx graph, resolving names inside the repo; ``clusters`` links ``cross``'s
pairs into clusters.  Each is imported on its own: ``cross`` uses only ``clusters``.
"""
