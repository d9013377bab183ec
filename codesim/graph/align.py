"""Align two repo graphs: which unit of one repo each unit of the other became.

The pipeline proposes candidate unit pairs (never all pairs): pairs whose tokens the file
alignment matched (``overlap``: verified, position by position, outside base code) and pairs
whose MinHash signatures share an LSH band (``jaccard``: catches units under the minimum
fragment length, such as a three-line method moved to another file). Then:

1. **Content similarity** of a pair: the Dice coefficient of its overlap,
   ``2·o / (|a| + |b|)``, or the Dice equivalent of the signatures' Jaccard estimate,
   ``2J / (1 + J)``, whichever is higher. Only units of one kind pair up (a function moved
   into a class as a method is still a function).
2. **Structural support**, similarity flooding (Melnik, Garcia-Molina, Rahm 2002) restricted
   to the proposals: the share of a pair's neighbourhood (its edges, by kind and direction)
   whose far ends are themselves a similar pair, iterated ``ROUNDS`` times. A function whose
   callers, callees and container are matched too is the likelier partner.
3. **One to one**: a maximum-weight matching (networkx) with weights ``content · (1 + β ·
   support)``, per connected component of the proposal graph, so its cost follows the
   proposals, not the repos' sizes. The shared code of every matched pair counts as matched;
   a pair counts as aligned when its content similarity reaches ``MIN_UNIT_SIMILARITY``.
4. **Many to one**: a unit most of whose tokens went to a unit other than its partner was
   merged into it (two units became one) or split off (one became several).
5. **Files**: the overlaps summed per file pair tell renamed, moved, merged and split files.
6. **Structure**: the share of edges whose ends are matched to the ends of an edge of the
   same kind on the other side.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

import networkx as nx

from codesim.graph.build import RepoGraph

__all__ = [
    "FileChange",
    "GraphAlignment",
    "Match",
    "Proposal",
    "UnitGroup",
    "align_graphs",
]

MIN_UNIT_SIMILARITY = 0.5
"""A matched pair is reported as aligned from this content similarity on: at least half of
the two units' tokens (Dice) is the same code, or their k-gram sets overlap at Jaccard 1/3."""

ROUNDS = 3
"""Propagation rounds: support reaches neighbours of neighbours of neighbours (a method's
class's module), beyond which it adds little and costs a pass over the proposals each."""

SUPPORT_WEIGHT = 0.5
"""β: full structural support makes a pair weigh half again as much as its content alone.
Enough to decide between equally similar partners (two copies of one helper), never enough
to outweigh a partner with clearly more shared code."""

NAME_WEIGHT = 0.01
"""When content and structure tie (a class with two properties of identical code), the
partner with the same name, then the same path, is the likelier one. Small enough never to
outweigh a difference of one token in a hundred of shared code."""

GROUP_SHARE = 0.5
GROUP_MIN_TOKENS = 20
"""A unit belongs to a merge or split with a unit other than its partner when at least half
of its tokens (and at least a minimum fragment's worth) matched that unit."""

FILE_SHARE = 0.2
FILE_MIN_TOKENS = 40
"""Part of a left file went into a right file when at least a fifth of its tokens (and a few
lines' worth) matched there. Two or more left files into one right file: merged; one left
file into two or more: split; one into one under another path: renamed or moved. A fifth,
not a half: a file split in three leaves a third in each part."""

_LEFT, _RIGHT = 0, 1


@dataclass(frozen=True, slots=True)
class Proposal:
    """The evidence that left unit ``left`` and right unit ``right`` are the same code."""

    overlap: int
    """Tokens the file alignment matched between the two units."""
    jaccard: float
    """Estimated Jaccard similarity of their k-gram sets (0 when either has no signature)."""


@dataclass(frozen=True, slots=True)
class Match:
    """Left unit ``left`` became right unit ``right``."""

    left: str
    right: str
    similarity: float
    """Content similarity (see the module docstring)."""
    support: float
    """Share of the pair's neighbourhood that is aligned consistently (0 to 1)."""


@dataclass(frozen=True, slots=True)
class UnitGroup:
    """Several units on one side that correspond to one unit on the other."""

    kind: Literal["merged", "split"]
    left: tuple[str, ...]
    right: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FileChange:
    """Files whose code went elsewhere: renamed or moved (one to one), merged or split."""

    kind: Literal["renamed", "moved", "merged", "split"]
    left: tuple[str, ...]
    right: tuple[str, ...]
    share: float
    """Share of the left files' tokens that the right files hold."""


@dataclass(frozen=True, slots=True)
class GraphAlignment:
    """The alignment of two repo graphs and what it preserves."""

    matches: list[Match]
    """One to one; those under ``MIN_UNIT_SIMILARITY`` are partners by what little they share."""
    groups: list[UnitGroup]
    files: list[FileChange]
    relocation: tuple[str, str]
    """(left folder, right folder) when the whole repo moved (``("", "")``: it did not)."""
    left_tokens: int
    right_tokens: int
    left_aligned: int
    """Tokens of the left units matched at ``MIN_UNIT_SIMILARITY`` or more, or part of a
    merge or split."""
    right_aligned: int
    left_matched: int
    """Tokens the file alignment matched between matched, merged or split units (capped per
    unit at its size): what else a unit shares with non-partners does not count."""
    right_matched: int
    left_edges: int
    right_edges: int
    preserved_edges: int
    unmatched_left: list[str]
    unmatched_right: list[str]


def align_graphs(
    left: RepoGraph, right: RepoGraph, proposals: Mapping[tuple[str, str], Proposal]
) -> GraphAlignment:
    """Align ``left`` with ``right`` over the proposed unit pairs (see the module docstring)."""
    content = {
        pair: similarity
        for pair, evidence in proposals.items()
        if left.nodes[pair[0]]["kind"] == right.nodes[pair[1]]["kind"]
        and (similarity := _content(left, right, pair, evidence)) > 0
    }
    overlaps = {pair: p.overlap for pair, p in proposals.items() if p.overlap}
    per_file = _per_file(left, right, overlaps)
    left_sizes, right_sizes = _file_sizes(left), _file_sizes(right)
    # A module body is often a few imports, too little to compare: two modules are as
    # similar as their whole files.
    left_modules, right_modules = _modules(left), _modules(right)
    for (a, b), tokens in per_file.items():
        pair = (left_modules[a], right_modules[b])
        whole = 2 * tokens / max(1, left_sizes[a] + right_sizes[b])
        content[pair] = min(1.0, max(content.get(pair, 0.0), whole))
    support = _support(left, right, content)
    matches = _matching(content, support)
    files, relocation = _file_changes(per_file, left_sizes, right_sizes)
    kept = [Match(a, b, round(content[a, b], 6), round(support[a, b], 6)) for a, b in matches]
    kept.sort(key=lambda m: (m.left, m.right))
    partner = {m.left: m.right for m in kept}
    groups = _groups(left, right, overlaps, partner)
    # Every matched pair's shared code is evidence, however much else changed; only pairs
    # similar enough, and merges and splits, make units count as aligned.
    related = {(m.left, m.right) for m in kept}
    grouped: set[tuple[str, str]] = set()
    for group in groups:
        grouped.update((a, b) for a in group.left for b in group.right if (a, b) in overlaps)
    related |= grouped
    similar = {(m.left, m.right) for m in kept if m.similarity >= MIN_UNIT_SIMILARITY} | grouped
    aligned_left = {a for a, _ in similar}
    aligned_right = {b for _, b in similar}
    left_edges, right_edges = _edges(left), _edges(right)
    mapped = {m.left: m.right for m in kept if m.similarity >= MIN_UNIT_SIMILARITY}
    preserved = sum(
        (mapped[u], mapped[v], kind) in right_edges
        for u, v, kind in left_edges
        if u in mapped and v in mapped
    )
    return GraphAlignment(
        matches=kept,
        groups=groups,
        files=files,
        relocation=relocation,
        left_tokens=_tokens(left, left.nodes),
        right_tokens=_tokens(right, right.nodes),
        left_aligned=_tokens(left, aligned_left),
        right_aligned=_tokens(right, aligned_right),
        left_matched=_capped(left, related, overlaps, _LEFT),
        right_matched=_capped(right, related, overlaps, _RIGHT),
        left_edges=len(left_edges),
        right_edges=len(right_edges),
        preserved_edges=preserved,
        unmatched_left=sorted(set(left.nodes) - {a for a, _ in related}),
        unmatched_right=sorted(set(right.nodes) - {b for _, b in related}),
    )


def _content(left: RepoGraph, right: RepoGraph, pair: tuple[str, str], evidence: Proposal) -> float:
    sizes = left.nodes[pair[0]]["tokens"] + right.nodes[pair[1]]["tokens"]
    dice = min(1.0, 2 * evidence.overlap / sizes) if sizes else 0.0
    jaccard = evidence.jaccard
    return max(dice, 2 * jaccard / (1 + jaccard))


_Neighbourhood = dict[tuple[str, int], frozenset[str]]


def _neighbourhoods(graph: RepoGraph, nodes: set[str]) -> dict[str, _Neighbourhood]:
    """For each of ``nodes``, its neighbours keyed by (edge kind, direction); one pass over
    the edges (networkx's per-node edge views cost several times more)."""
    around: dict[str, dict[tuple[str, int], set[str]]] = {node: defaultdict(set) for node in nodes}
    for source, target, kind in graph.edges(keys=True):
        if source in around:
            around[source][kind, 0].add(target)
        if target in around:
            around[target][kind, 1].add(source)
    return {
        node: {key: frozenset(others) for key, others in found.items()}
        for node, found in around.items()
    }


def _support(
    left: RepoGraph, right: RepoGraph, content: Mapping[tuple[str, str], float]
) -> dict[tuple[str, str], float]:
    """Each proposal's structural support after ``ROUNDS`` rounds of propagation."""
    proposed_left, proposed_right = {a for a, _ in content}, {b for _, b in content}
    left_around = _neighbourhoods(left, proposed_left)
    right_around = _neighbourhoods(right, proposed_right)
    sizes = {
        pair: max(
            sum(map(len, left_around[pair[0]].values())),
            sum(map(len, right_around[pair[1]].values())),
        )
        for pair in content
    }
    # Only neighbours with proposals of their own can support anything.
    # Sorted, so that support sums its floats in one order in every process (a set's order
    # follows salted string hashes, and a last-bit difference can decide a tie).
    scanned = {
        node: {k: sorted(proposed) for k, v in around.items() if (proposed := v & proposed_left)}
        for node, around in left_around.items()
    }
    current: dict[str, dict[str, float]] = defaultdict(dict)
    for (a, b), value in content.items():
        current[a][b] = value
    support = dict.fromkeys(content, 0.0)
    for _ in range(ROUNDS):
        for (a, b), size in sizes.items():
            if not size:
                continue
            theirs = right_around[b]
            found = 0.0
            for key, others in scanned[a].items():
                candidates = theirs.get(key)
                if not candidates:
                    continue
                for other in others:
                    # A node's proposals are few (most have one); its neighbours may be
                    # hundreds (a module), so the row is what is scanned.
                    row = current[other]
                    if len(row) == 1:
                        ((partner, value),) = row.items()
                        found += value if partner in candidates else 0.0
                    else:
                        found += max(
                            (value for c, value in row.items() if c in candidates), default=0.0
                        )
            support[a, b] = min(1.0, found / size)
        current = defaultdict(dict)
        for (a, b), value in content.items():
            current[a][b] = value * (1 + SUPPORT_WEIGHT * support[a, b]) / (1 + SUPPORT_WEIGHT)
    return support


def _matching(
    content: Mapping[tuple[str, str], float], support: Mapping[tuple[str, str], float]
) -> list[tuple[str, str]]:
    """A maximum-weight one-to-one matching of the proposals, one component at a time."""
    graph = nx.Graph()
    for (a, b), value in content.items():
        weight = value * (1 + SUPPORT_WEIGHT * support[a, b]) + NAME_WEIGHT * _same_name(a, b)
        graph.add_edge((_LEFT, a), (_RIGHT, b), weight=weight)
    pairs = []
    for component in nx.connected_components(graph):
        lefts = sum(side == _LEFT for side, _ in component)
        if lefts == 1 or lefts == len(component) - 1:
            # A star (one node on a side): its maximum-weight matching is its heaviest edge.
            # Most components are stars; networkx's blossom algorithm costs far more there.
            edges = graph.subgraph(component).edges(data="weight")
            one, two, _ = max(edges, key=lambda edge: (edge[2], sorted(edge[:2])))
        else:
            # Integer labels in sorted order: the blossom algorithm keeps sets of nodes, and a
            # set of strings iterates in a salted order, which would pick among equal
            # matchings differently in every process.
            nodes = sorted(component)
            number = {node: i for i, node in enumerate(nodes)}
            relabelled = nx.Graph()
            relabelled.add_nodes_from(range(len(nodes)))
            relabelled.add_weighted_edges_from(
                sorted((number[u], number[v], w) for u, v, w in graph.edges(nodes, data="weight"))
            )
            for one, two in nx.max_weight_matching(relabelled):
                first, second = sorted((nodes[one], nodes[two]))
                pairs.append((first[1], second[1]))
            continue
        first, second = sorted((one, two))
        pairs.append((first[1], second[1]))
    return pairs


def _same_name(left: str, right: str) -> float:
    """1 for the same id, 0.5 for the same unit name elsewhere, else 0."""
    if left == right:
        return 1.0
    return 0.5 * (left.rpartition(":")[2] == right.rpartition(":")[2])


def _groups(
    left: RepoGraph,
    right: RepoGraph,
    overlaps: Mapping[tuple[str, str], int],
    partner: Mapping[str, str],
) -> list[UnitGroup]:
    """Merges (several left units went into one right unit) and splits (one left unit went
    into several right units), from units most of whose tokens matched a non-partner."""
    into: dict[str, set[str]] = defaultdict(set)
    out_of: dict[str, set[str]] = defaultdict(set)
    partner_of = {b: a for a, b in partner.items()}
    for (a, b), tokens in overlaps.items():
        if partner.get(a) == b or tokens < GROUP_MIN_TOKENS:
            continue
        if left.nodes[a]["kind"] != right.nodes[b]["kind"]:
            continue
        # A unit with a partner of its own is not part of another unit's merge or split:
        # the overlap is code both sides repeat (a helper inlined and also kept).
        if a not in partner and b in partner_of and tokens >= GROUP_SHARE * left.nodes[a]["tokens"]:
            into[b].update((a, partner_of[b]))
        elif (
            b not in partner_of
            and a in partner
            and tokens >= GROUP_SHARE * right.nodes[b]["tokens"]
        ):
            out_of[a].update((b, partner[a]))
    groups = [UnitGroup("merged", tuple(sorted(a)), (b,)) for b, a in into.items()]
    groups += [UnitGroup("split", (a,), tuple(sorted(b))) for a, b in out_of.items()]
    groups.sort(key=lambda g: (g.left, g.right))
    return groups


def _per_file(
    left: RepoGraph, right: RepoGraph, overlaps: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    per_file: dict[tuple[str, str], int] = defaultdict(int)
    for (a, b), tokens in overlaps.items():
        per_file[left.nodes[a]["path"], right.nodes[b]["path"]] += tokens
    return per_file


def _modules(graph: RepoGraph) -> dict[str, str]:
    return {data["path"]: node for node, data in graph.nodes(data=True) if data["kind"] == "module"}


def _file_changes(
    per_file: Mapping[tuple[str, str], int],
    left_sizes: Mapping[str, int],
    right_sizes: Mapping[str, int],
) -> tuple[list[FileChange], tuple[str, str]]:
    """Renamed, moved, merged and split files, and the folder move of the whole repo (a
    vendored copy under ``myapp/_vendor/``), which moves no file on its own."""
    into: dict[str, set[str]] = defaultdict(set)
    out_of: dict[str, set[str]] = defaultdict(set)
    for (a, b), tokens in per_file.items():
        if tokens >= max(FILE_MIN_TOKENS, FILE_SHARE * left_sizes[a]):
            into[b].add(a)
            out_of[a].add(b)

    def share(lefts: Iterable[str], rights: Iterable[str]) -> float:
        held = sum(per_file.get((a, b), 0) for a in lefts for b in rights)
        return round(min(1.0, held / max(1, sum(left_sizes[a] for a in lefts))), 6)

    relocation = _relocation(
        [(a, next(iter(rights))) for a, rights in out_of.items() if len(rights) == 1]
    )
    changes = []
    for b, lefts in into.items():
        if len(lefts) > 1:
            changes.append(FileChange("merged", tuple(sorted(lefts)), (b,), share(lefts, [b])))
    for a, rights in out_of.items():
        if len(rights) > 1:
            changes.append(FileChange("split", (a,), tuple(sorted(rights)), share([a], rights)))
        (b,) = rights if len(rights) == 1 else ("",)
        if b and _relocated(a, relocation) != b and into[b] == {a}:
            moved = PurePosixPath(a).parent != PurePosixPath(b).parent
            kind: Literal["moved", "renamed"] = "moved" if moved else "renamed"
            changes.append(FileChange(kind, (a,), (b,), share([a], [b])))
    changes.sort(key=lambda c: (c.left, c.right))
    return changes, relocation


def _relocation(pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """The folder move most one-to-one file pairs share, as (left prefix, right prefix):
    ``email/x.py`` -> ``myapp/_vendor/email/x.py`` is ``("", "myapp/_vendor")``. Only when it
    explains at least half of the pairs (and two); else ``("", "")``."""
    counts: Counter[tuple[str, str]] = Counter()
    for a, b in pairs:
        left, right = PurePosixPath(a).parts, PurePosixPath(b).parts
        same = 0
        while same < min(len(left), len(right)) and left[-1 - same] == right[-1 - same]:
            same += 1
        if same:
            counts["/".join(left[: len(left) - same]), "/".join(right[: len(right) - same])] += 1
    if not counts:
        return "", ""
    best, found = counts.most_common(1)[0]
    return best if found >= max(2, len(pairs) / 2) else ("", "")


def _relocated(path: str, relocation: tuple[str, str]) -> str:
    """Where ``path`` would be had it only moved with the whole repo."""
    old, new = relocation
    if old and not path.startswith(old + "/"):
        return path
    rest = path[len(old) + 1 :] if old else path
    return f"{new}/{rest}" if new else rest


def _file_sizes(graph: RepoGraph) -> dict[str, int]:
    sizes: dict[str, int] = defaultdict(int)
    for _, data in graph.nodes(data=True):
        sizes[data["path"]] += data["tokens"]
    return sizes


def _edges(graph: RepoGraph) -> set[tuple[str, str, str]]:
    return set(graph.edges(keys=True))


def _tokens(graph: RepoGraph, nodes: Iterable[str]) -> int:
    return sum(graph.nodes[n]["tokens"] for n in nodes)


def _capped(
    graph: RepoGraph,
    related: set[tuple[str, str]],
    overlaps: Mapping[tuple[str, str], int],
    side: int,
) -> int:
    matched: dict[str, int] = defaultdict(int)
    for pair in related:
        matched[pair[side]] += overlaps.get(pair, 0)
    return sum(min(tokens, graph.nodes[n]["tokens"]) for n, tokens in matched.items())
