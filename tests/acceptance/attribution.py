"""Which indexed project a check attributes each folder of pip's source to.

A ``CheckReport`` lists, per project, the file pairs it matched.  Here those pairs are summed
by the folder their checked file lies in (``pip/_vendor/rich``, ``pip/_internal/network``):
a folder's share for a project is the tokens of its files that project's code matches, over
all the folder's tokens.  A checked file matched by several files of one project counts once,
with its best-covered pair, so a share never exceeds what one copy explains.

Run ``python -m tests.acceptance.attribution`` to index pip's originals into a throw-away
index, check pip and print the table the README shows.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import codesim
from codesim.pipeline.reading import read_side
from codesim.results import CheckReport, PairResult
from tests.acceptance.pip_vendor import Original, PipVendor, fetch


@dataclass(frozen=True)
class FolderMatch:
    """How much of one folder one project matches."""

    project: str
    matched: float
    share: float
    best_pair: float
    """The highest score of one of the folder's file pairs with this project."""


def folder_of(path: str) -> str:
    """The folder a checked file is judged in: a vendored package (``pip/_vendor/rich``, or
    ``pip/_vendor/distro`` for a single module), a subpackage of ``pip/_internal``, or the
    package whose top-level modules it is."""
    parts = PurePosixPath(path).parts
    if len(parts) >= 3 and parts[:2] in (("pip", "_vendor"), ("pip", "_internal")):
        return "/".join((*parts[:2], parts[2].removesuffix(".py")))
    return "/".join(parts[:-1])


def folder_matches(
    report: CheckReport,
    tokens: dict[str, int],
    expected: dict[str, Original] | None = None,
) -> dict[str, list[FolderMatch]]:
    """For each folder with any match, every matching project, most matched tokens first.

    ``tokens`` gives each checked file's token count.  ``expected`` maps a vendored folder to
    its original: another project's file whose path runs through one of the original's
    top-level names (``setuptools/_vendor/tomli/...`` for ``pip/_vendor/tomli``) is another
    copy of that original, not an unrelated project, and its pairs are left out.
    """
    totals: dict[str, int] = defaultdict(int)
    for path, count in tokens.items():
        totals[folder_of(path)] += count
    best: dict[tuple[str, str], dict[str, tuple[float, float]]] = defaultdict(dict)
    for hit in report.hits:
        for pair in hit.pairs:
            folder = folder_of(pair.left)
            original = (expected or {}).get(folder)
            if original and hit.project.name != original.dist and _copy_of(pair, original):
                continue
            per_file = best[folder, hit.project.name]
            matched, score = per_file.get(pair.left, (0.0, 0.0))
            per_file[pair.left] = (
                max(matched, pair.left_coverage * pair.left_tokens),
                max(score, pair.score),
            )
    found: dict[str, list[FolderMatch]] = defaultdict(list)
    for (folder, project), per_file in best.items():
        matched = sum(m for m, _ in per_file.values())
        top_pair = max(s for _, s in per_file.values())
        found[folder].append(FolderMatch(project, matched, matched / totals[folder], top_pair))
    for matches in found.values():
        matches.sort(key=lambda m: (-m.matched, m.project))
    return dict(found)


def _copy_of(pair: PairResult, original: Original) -> bool:
    indexed_path = pair.right.split(":", 1)[1]
    return bool(set(PurePosixPath(indexed_path).parts) & set(original.top_level))


def vendored_folders(vendor: PipVendor) -> dict[str, Original]:
    """Each vendored folder (as ``folder_of`` names it) and the original it copies."""
    folders = {}
    for original in vendor.originals:
        for path in vendor.vendored(original):
            relative = path.relative_to(vendor.root).as_posix()
            folders[relative if path.is_dir() else folder_of(relative)] = original
    return folders


def check_pip(vendor: PipVendor, index_path: Path) -> tuple[CheckReport, dict[str, int]]:
    """Index every original as its own project, check pip's source against them; return the
    report (every project that matched, best first) and each checked file's token count."""
    with codesim.Index.open(index_path) as index:
        for original in vendor.originals:
            index.add(
                original.root,
                name=original.dist,
                version=original.version,
                license=original.license,
            )
        report = index.query(vendor.root, top=len(vendor.originals))
    return report, checked_tokens(vendor.root)


def checked_tokens(root: Path) -> dict[str, int]:
    """Each file's canonical token count as a check reads it (the report gives only totals)."""
    side = read_side(root, "checked", codesim.make_options())
    return {f.path: f.tokens for f in side.files}


def main() -> None:
    """Print the per-folder results as a Markdown table."""
    vendor = fetch()
    with tempfile.TemporaryDirectory() as scratch:
        report, tokens = check_pip(vendor, Path(scratch) / "pip.idx")
    expected = vendored_folders(vendor)
    hits = {h.project.name: h for h in report.hits}
    print("| folder | original (pinned) | top hit | folder share | runner-up (share) | hit score |")
    print("|---|---|---|---|---|---|")
    matches = folder_matches(report, tokens, expected=expected)
    for folder, original in sorted(expected.items()):
        ranked = matches.get(folder, [])
        top = ranked[0] if ranked else None
        second = f"{ranked[1].project} ({ranked[1].share:.3f})" if len(ranked) > 1 else "—"
        hit = hits.get(original.dist)
        print(
            f"| `{folder}` | {original.dist} {original.version} | "
            f"{top.project if top else '—'} | {top.share if top else 0:.3f} | {second} | "
            f"{hit.score if hit else 0:.3f} |"
        )


if __name__ == "__main__":
    main()
