"""YAML read with PyYAML's safe loader and a bound on what aliases may expand to.

The safe loader never runs code, but it still honours anchors and aliases, and a few hundred
bytes of nested aliases (the "billion laughs" document) stand for billions of nodes.  PyYAML
shares the aliased node rather than copying it, so loading is cheap; the blow-up comes later,
when anything walks the value as a tree (as flattening a config does).  So each document's
node graph is measured before it is turned into Python values: how many nodes it would have
with every alias expanded, and how many alias uses it holds.  Past either bound, or on an
alias that refers to itself, the document is refused.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from codesim.errors import InputError

MAX_EXPANDED_NODES = 1_000_000
"""Nodes a file may hold once its aliases are expanded.  Real configs hold hundreds to a few
thousand; a million is past any config and still walked in well under a second, while the
smallest billion-laughs documents expand to 10**9."""

MAX_ALIAS_USES = 1_000
"""Alias uses a file may hold.  Configs use anchors for shared defaults (a few to a few dozen
uses); a thousand leaves room for generated files without allowing wide alias fans."""

# The C loader is an order of magnitude faster on large files; both build the same node graph.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


def load_yaml(text: str, source: Path) -> object:
    """Parse ``text`` (the content of ``source``) into plain Python values.

    A file with one document gives that document's value; several documents (``---``) give a
    list of their values.  Raises ``InputError`` naming ``source`` when the text is not YAML,
    when an alias refers to itself, or when aliases would expand past ``MAX_EXPANDED_NODES``
    nodes or are used more than ``MAX_ALIAS_USES`` times.
    """
    loader = _LOADER(text)
    documents: list[object] = []
    budget = _Budget()
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            budget.charge(node, source)
            documents.append(loader.construct_document(node))
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise InputError(f"{source}: YAML nested too deeply to read") from exc
    finally:
        loader.dispose()
    if len(documents) == 1:
        return documents[0]
    return documents


class _Budget:
    """Expanded nodes and alias uses charged so far, over all documents of one file."""

    def __init__(self) -> None:
        self.nodes = 0
        self.aliases = 0

    def charge(self, root: Node, source: Path) -> None:
        """Add ``root``'s expanded size and alias uses; raise ``InputError`` past a bound."""
        size, aliases = _measure(root, source)
        self.nodes += size
        self.aliases += aliases
        if self.aliases > MAX_ALIAS_USES:
            raise InputError(
                f"{source}: refused: YAML uses aliases {self.aliases} times "
                f"(at most {MAX_ALIAS_USES}); alias fans are how YAML bombs are built"
            )
        if self.nodes > MAX_EXPANDED_NODES:
            raise InputError(
                f"{source}: refused: YAML aliases expand to more than {MAX_EXPANDED_NODES:,} "
                "nodes (a YAML bomb, such as billion laughs)"
            )


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _measure(root: Node, source: Path) -> tuple[int, int]:
    """The number of nodes under ``root`` with aliases expanded, and the alias uses.

    PyYAML composes an alias as a second reference to the anchored node, so the graph is a DAG
    (or cyclic, for an alias inside its own anchor): each node's expanded size is computed once,
    bottom-up, without recursion (deep documents must not overflow the stack).  The sizes are
    capped so a bomb's astronomically large counts stay cheap integers.
    """
    cap = MAX_EXPANDED_NODES + 1
    size: dict[int, int] = {}
    in_progress: set[int] = set()
    references = 0
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            in_progress.discard(key)
            size[key] = min(cap, 1 + sum(size[id(child)] for child in _children(node)))
            continue
        if key in size:
            continue
        in_progress.add(key)
        stack.append((node, True))
        children = _children(node)
        references += len(children)
        for child in children:
            if id(child) in in_progress:
                raise InputError(f"{source}: refused: a YAML alias refers to its own anchor")
            stack.append((child, False))
    # Every node but the root is reached by one edge of its own; edges beyond that are aliases.
    return size[id(root)], references - (len(size) - 1)
