"""The linear-time dependency graph orders statements exactly as the all-pairs one would."""

from __future__ import annotations

import heapq

from hypothesis import given
from hypothesis import strategies as st

from codesim.normalize.ir import Statement
from codesim.normalize.passes import _canonical_order, _Facts

names = st.sets(st.integers(0, 5), max_size=3)
fact = st.tuples(names, names, st.booleans(), st.integers(0, 3))


def all_pairs_order(facts: list[_Facts]) -> list[int]:
    """Reference: an edge for every conflicting pair, then Kahn's algorithm by sort key."""
    count = len(facts)
    successors: list[list[int]] = [[] for _ in range(count)]
    waiting = [0] * count
    for later in range(count):
        b = facts[later]
        for earlier in range(later):
            a = facts[earlier]
            if (
                a.barrier
                or b.barrier
                or a.writes & b.reads
                or a.reads & b.writes
                or a.writes & b.writes
            ):
                successors[earlier].append(later)
                waiting[later] += 1
    ready = [(facts[i].sort_key, i) for i in range(count) if not waiting[i]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, index = heapq.heappop(ready)
        order.append(index)
        for later in successors[index]:
            waiting[later] -= 1
            if not waiting[later]:
                heapq.heappush(ready, (facts[later].sort_key, later))
    return order


@given(st.lists(fact, max_size=12))
def test_linear_dependencies_give_the_all_pairs_order(items):
    facts = [_Facts(set(w), set(r), b, 0, 0, (k,)) for w, r, b, k in items]
    statements = [Statement(str(i)) for i in range(len(facts))]
    ordered = _canonical_order(statements, facts)
    assert [int(s.kind) for s in ordered] == all_pairs_order(facts)
