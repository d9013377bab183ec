"""Which side had the code first: per aligned unit pair, and for the two repos as a whole.

Each side's lines come with when they were introduced (``git blame``, read by
``codesim.sources.history``; this module only needs the ``LineHistory`` shape, so the graph
layer does not depend on sources).  A pair's side is dated by the earliest commit among the
lines holding its matched code, the moment that code started to exist there.  A shallow clone's
cut commit only says the code existed by then, which can still prove that side was first, but
never that it was second.  The summary names a source only when history dates enough of the
aligned code and most of it points one way; otherwise it says why it cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Direction = Literal["left", "right", "same", "unknown"]
Conclusion = Literal["left", "right", "inconclusive", "missing"]

SAME_TOLERANCE_SECONDS = 3600
"""Two sides dated closer than an hour are ``same``: commit times come from the committers'
own clocks, which can be off by minutes (or a time-zone mistake), and code imported into two
repos in one sitting has no meaningful order."""

_TOLERANCE = f"{SAME_TOLERANCE_SECONDS // 60} minutes"

MIN_DATED_SHARE = 0.5
"""A source is named only when at least half of the matched tokens are in pairs history could
date: below that, the undated part could as well tell the opposite story."""

MIN_MAJORITY_SHARE = 0.75
"""...and when at least three quarters of the dated tokens point the same way.  Copying is
usually one-directional; a lower bar would call a source on repos that took code from each
other, or that both took it from a third, where dates interleave."""


class LineHistory(Protocol):
    """When each line of one file was introduced (``codesim.sources.history.LineTimes``)."""

    @property
    def line_commits(self) -> Sequence[int]:
        """Per line (index 0 holds line 1): an index into the commit table; negative when no
        commit holds the line (edited or untracked)."""
        ...

    @property
    def commit_ids(self) -> Sequence[str]: ...

    @property
    def commit_times(self) -> Sequence[int]:
        """Unix seconds."""
        ...

    @property
    def commit_boundary(self) -> Sequence[bool]:
        """True for a shallow clone's cut commit: its lines existed by its time, maybe earlier."""
        ...


Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class PairLines:
    """One aligned unit pair: where its matched code is on each side, and each side's file
    history (``None`` when the side has none: not a git checkout, or git could not read it)."""

    left: Ranges
    """(first line, last line) of each matched stretch on the left, 1-based, inclusive."""
    right: Ranges
    tokens: int
    """Matched tokens: the pair's weight in the summary."""
    left_history: LineHistory | None
    right_history: LineHistory | None


@dataclass(frozen=True, slots=True)
class Introduced:
    """When one side of a pair got its matched code."""

    time: int
    """Author time (unix seconds) of the earliest commit among the matched lines."""
    commit: str
    bounded: bool
    """True when some of the lines come from a shallow clone's cut commit: they may be older
    than any time seen, so this side's code may be older than ``time``."""
    dated_lines: int
    """Matched lines some commit holds."""
    lines: int
    """Matched lines in all."""


@dataclass(frozen=True, slots=True)
class PairDirection:
    """Which side of one pair had its matched code first, with each side's dating."""

    direction: Direction
    left: Introduced | None
    """``None`` when none of the left's matched lines is committed."""
    right: Introduced | None
    tokens: int
    reason: str
    """One sentence for a report."""


@dataclass(frozen=True, slots=True)
class Tally:
    """How many pairs, and how much of the matched code, got one direction."""

    pairs: int
    tokens: int
    share: float
    """Of all matched tokens."""


@dataclass(frozen=True, slots=True)
class DirectionSummary:
    """Which repo looks like the source, and the tallies it is read from."""

    conclusion: Conclusion
    """``left``/``right``: that repo looks like the source."""
    explanation: str
    """One sentence for a report."""
    left_first: Tally
    right_first: Tally
    same: Tally
    unknown: Tally
    dated_share: float
    """Share of matched tokens in pairs history could date (all but ``unknown``)."""


def pair_direction(pair: PairLines) -> PairDirection:
    """Which side of ``pair`` had its matched code first.

    ``left``/``right`` when that side's code provably existed more than
    ``SAME_TOLERANCE_SECONDS`` before the other's, ``same`` when both are dated exactly and
    within the tolerance, ``unknown`` otherwise: a side without committed lines, or a shallow
    clone whose cut hides whether its code is older than the other side's.
    """
    left = _introduced(pair.left_history, pair.left)
    right = _introduced(pair.right_history, pair.right)

    def result(direction: Direction, reason: str) -> PairDirection:
        return PairDirection(direction, left, right, pair.tokens, reason)

    if left is None or right is None:
        sides = [name for name, side in (("left", left), ("right", right)) if side is None]
        return result("unknown", f"No commit holds the {' or '.join(sides)} side's code.")
    # A side's code appeared at its time exactly, or, when a cut history may hide older
    # commits, at any moment up to it: being earlier must hold against the other side's
    # earliest possible moment.
    if _earlier(left.time, right.time) and not right.bounded:
        return result("left", "The left side had the code before the right side.")
    if _earlier(right.time, left.time) and not left.bounded:
        return result("right", "The right side had the code before the left side.")
    if left.bounded or right.bounded:
        return result(
            "unknown",
            "A shallow clone's history is cut, so its code may be older than its dates show.",
        )
    return result("same", f"Both sides got the code within {_TOLERANCE} of each other.")


def summarize(pairs: Sequence[PairDirection]) -> DirectionSummary:
    """Which repo looks like the source, over all aligned pairs weighted by matched tokens."""
    total = sum(pair.tokens for pair in pairs)

    def tally(direction: Direction) -> Tally:
        chosen = [pair for pair in pairs if pair.direction == direction]
        tokens = sum(pair.tokens for pair in chosen)
        return Tally(len(chosen), tokens, tokens / total if total else 0.0)

    left, right, same, unknown = tally("left"), tally("right"), tally("same"), tally("unknown")
    dated = left.tokens + right.tokens + same.tokens
    dated_share = dated / total if total else 0.0

    def summary(conclusion: Conclusion, explanation: str) -> DirectionSummary:
        return DirectionSummary(conclusion, explanation, left, right, same, unknown, dated_share)

    if not pairs or total == 0:
        return summary("inconclusive", "There is no aligned code to date.")
    undated = [
        name
        for name, dates in (
            ("left", [pair.left for pair in pairs]),
            ("right", [pair.right for pair in pairs]),
        )
        if all(date is None for date in dates)
    ]
    if undated:
        which = "Neither side has" if len(undated) == 2 else f"The {undated[0]} side has no"
        return summary(
            "missing",
            f"{which} commit history for its aligned code (not a git checkout, or the code is "
            "untracked or uncommitted), so which repo came first cannot be told.",
        )
    if dated_share < MIN_DATED_SHARE:
        return summary(
            "inconclusive",
            f"History dates only {dated_share:.0%} of the aligned code on both sides, too little "
            "to tell which repo came first.",
        )
    sides: tuple[tuple[Literal["left", "right"], Tally], ...] = (("left", left), ("right", right))
    for name, side in sides:
        if side.tokens >= MIN_MAJORITY_SHARE * dated:
            return summary(
                name,
                f"The {name} repo looks like the source: it had "
                f"{side.tokens / dated:.0%} of the dated aligned code first.",
            )
    if same.tokens >= MIN_MAJORITY_SHARE * dated:
        return summary(
            "inconclusive",
            f"Both repos got {same.tokens / dated:.0%} of the dated aligned code within "
            f"{_TOLERANCE} of each other (shared history, or committed together), so which "
            "came first cannot be told.",
        )
    return summary(
        "inconclusive",
        f"The dates do not point one way: the left side was first for {left.tokens / dated:.0%} "
        f"of the dated aligned code, the right for {right.tokens / dated:.0%}, and both got "
        f"{same.tokens / dated:.0%} within {_TOLERANCE} of each other.",
    )


def _earlier(time: int, other: int) -> bool:
    return time + SAME_TOLERANCE_SECONDS < other


def _introduced(history: LineHistory | None, ranges: Ranges) -> Introduced | None:
    if history is None:
        return None
    line_commits = history.line_commits
    commits: set[int] = set()
    lines = dated = 0
    for first, last in ranges:
        lines += max(0, last - max(first, 1) + 1)
        # Lines past the end were in the file when it was read but not when it was blamed.
        committed = [index for index in line_commits[max(first, 1) - 1 : last] if index >= 0]
        dated += len(committed)
        commits.update(committed)
    if not commits:
        return None
    times = history.commit_times
    earliest = min(commits, key=lambda index: (times[index], history.commit_ids[index]))
    return Introduced(
        time=times[earliest],
        commit=history.commit_ids[earliest],
        bounded=any(history.commit_boundary[index] for index in commits),
        dated_lines=dated,
        lines=lines,
    )
