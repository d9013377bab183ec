"""``--base``: template code shared by both sides is left out of the scores."""

from __future__ import annotations

import textwrap
from pathlib import Path

import codesim

TEMPLATE = textwrap.dedent("""
    import argparse
    import sys


    def parse_arguments(argv):
        parser = argparse.ArgumentParser(description="Course exercise 3")
        parser.add_argument("input", help="the file to read")
        parser.add_argument("--verbose", action="store_true", help="say more")
        parser.add_argument("--limit", type=int, default=10, help="how many lines")
        return parser.parse_args(argv)


    def read_lines(path, limit):
        with open(path, encoding="utf-8") as handle:
            return [line.rstrip("\\n") for line in handle][:limit]


    def main(argv=None):
        arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
        lines = read_lines(arguments.input, arguments.limit)
        print(solve(lines, arguments.verbose))
        return 0
""")

STUDENT_A = """

def solve(lines, verbose):
    counts = {}
    for line in lines:
        for word in line.split():
            counts[word.lower()] = counts.get(word.lower(), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if verbose:
        print(len(ranked), "distinct words", file=sys.stderr)
    return "\\n".join(f"{word} {count}" for word, count in ranked)


def longest_run(words):
    best, current, previous = 0, 0, None
    for word in words:
        current = current + 1 if word == previous else 1
        best = max(best, current)
        previous = word
    return best
"""

STUDENT_B = """

def solve(lines, verbose):
    longest = max(lines, key=len) if lines else ""
    total = sum(len(line) for line in lines)
    average = total / len(lines) if lines else 0.0
    if verbose:
        sys.stderr.write("longest line has %d characters\\n" % len(longest))
    return "average %.2f, longest %r" % (average, longest)
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_shared_template_code_alone_does_not_make_two_submissions_copies(tmp_path) -> None:
    base = write(tmp_path / "template" / "exercise.py", TEMPLATE)
    a = write(tmp_path / "a" / "exercise.py", TEMPLATE + STUDENT_A)
    b = write(tmp_path / "b" / "exercise.py", TEMPLATE + STUDENT_B)
    without = codesim.compare(a, b)
    subtracted = codesim.compare(a, b, base=base)
    assert without.score > 0.6
    assert subtracted.score < 0.3
    assert subtracted.base is not None and subtracted.base.files == 1


def test_a_copied_solution_is_still_found_after_the_template_is_subtracted(tmp_path) -> None:
    base = write(tmp_path / "template" / "exercise.py", TEMPLATE)
    a = write(tmp_path / "a" / "exercise.py", TEMPLATE + STUDENT_A)
    copied = STUDENT_A.replace("counts", "tally").replace("ranked", "ordered")
    b = write(tmp_path / "b" / "exercise.py", TEMPLATE + copied)
    report = codesim.compare(a, b, base=base)
    assert report.score > 0.9
    for fragment in report.pairs[0].fragments:
        assert fragment.left.start_line > TEMPLATE.count("\n")
