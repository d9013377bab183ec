"""The HTML report: a self-contained page that shows the pairs side by side with linked
fragments, and cannot be made to run script by the code or paths it shows.

The page tests open it in headless Chromium (``tests/render/browser.py``) and read the DOM as
a reviewer's browser builds it; the rest read the HTML text.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

import codesim
from codesim.render.html import render_html, write_html
from codesim.results import CheckReport, CrossReport, Report
from tests.render.browser import chromium, disk_sources, missing_reason

ORIGINAL = '''\
import math


class Resampler:
    """Scales images down to fit a box."""

    def __init__(self, max_h, max_w):
        self.max_h = max_h
        self.max_w = max_w

    def scale(self, image):
        h, w = image.shape
        factor = min(self.max_h / h, self.max_w / w)
        out = []
        for row in image.rows:
            out.append([math.floor(v * factor) for v in row])
        return out

    def area(self, image):
        total = 0
        for row in image.rows:
            for v in row:
                if v > 0:
                    total += v
        return total
'''

HELPERS = """\
def histogram(values, bins):
    counts = [0] * bins
    low, high = min(values), max(values)
    width = (high - low) / bins or 1
    for value in values:
        index = min(int((value - low) / width), bins - 1)
        counts[index] += 1
    return counts
"""

HOSTILE_MARK = "</script><script>window.__pwned=1</script>"
HOSTILE_NAME = "<img src=x onerror=window.__pwned=2>.py"
HOSTILE = f'''\
# {HOSTILE_MARK}
def banner(lines, width):
    """{HOSTILE_MARK}"""
    top = "<!--" + "-" * width + "-->"
    out = [top]
    for line in lines:
        out.append("| " + line.ljust(width) + " |" + "{HOSTILE_MARK}")
    out.append(top)
    return "\\n".join(out)
'''


VISIBLE = """
const el = arguments[0], box = el.closest(".code").getBoundingClientRect();
const r = el.getBoundingClientRect();
return r.top >= box.top && r.bottom <= box.bottom && r.top >= 0 && r.bottom <= window.innerHeight;
"""
"""Whether an element of a code box is in sight, in its box and in the window."""


def renamed(text: str) -> str:
    for old, new in (("Resampler", "Projection"), ("max_h", "h_max"), ("image", "img")):
        text = text.replace(old, new)
    return "".join(f"LIMIT_{n} = {n}\n" for n in range(80)) + "\n\n" + text


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two repos: one file moved and renamed inside, one kept, so the alignment has a file
    change to show."""
    root = tmp_path_factory.mktemp("repos")
    left, right = root / "original", root / "suspect"
    (left / "pkg").mkdir(parents=True)
    (right / "lib").mkdir(parents=True)
    (left / "pkg" / "geo.py").write_text(ORIGINAL)
    (right / "lib" / "projection.py").write_text(renamed(ORIGINAL))
    (left / "pkg" / "stats.py").write_text(HELPERS)
    (right / "lib" / "stats.py").write_text(HELPERS.replace("counts", "tally"))
    return left, right


@pytest.fixture(scope="module")
def folder_report(folders: tuple[Path, Path]) -> Report:
    return codesim.compare(*folders)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("hostile")
    (root / "a").mkdir()
    (root / "b").mkdir()
    (root / "a" / HOSTILE_NAME).write_text(HOSTILE)
    (root / "b" / HOSTILE_NAME).write_text(HOSTILE.replace("lines", "rows"))
    return codesim.compare(root / "a", root / "b")


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    reason = missing_reason()
    if reason is not None:
        pytest.skip(reason)
    with chromium() as driver:
        yield driver


def open_page(browser: WebDriver, page: Path) -> None:
    browser.get(page.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"


def cross_report() -> CrossReport:
    def pair(left: str, right: str, score: float) -> dict[str, Any]:
        return {
            "left": left,
            "right": right,
            "score": score,
            "similarity": score,
            "left_coverage": score,
            "right_coverage": score,
            "longest_fragment": 40,
            "verdict": "derived" if score > 0.6 else "partial",
            "pairs": [],
            "identifier_map": [],
        }

    names = ["alice", "bob", "carol", "dave", "<b>eve</b>"]
    return CrossReport.model_validate(
        {
            "submissions": [
                {"name": n, "path": f"class/{n}", "files": 2, "lines": 90, "tokens": 700}
                for n in names
            ],
            "pairs": [
                pair("alice", "bob", 0.92),
                pair("bob", "carol", 0.7),
                pair("dave", "<b>eve</b>", 0.35),
            ],
            "clusters": [
                {"id": 1, "members": ["alice", "bob", "carol"], "max_score": 0.92},
                {"id": 2, "members": ["dave", "<b>eve</b>"], "max_score": 0.35},
            ],
            "shared": [
                {
                    "submission": "alice",
                    "path": "alice/skeleton.py",
                    "kind": "template",
                    "share": 0.97,
                    "submissions": 5,
                }
            ],
            "candidate_pairs": 4,
            "skipped": [],
            "options": {"min_score": 0.3},
        }
    )


def check_report(report: Report) -> CheckReport:
    """A check's hit built from a comparison: the right side plays an indexed project, whose
    files have no source on disk."""
    data = report.model_dump(mode="json")
    pairs = [{**p, "right": f"geolib@1.0:{p['right']}"} for p in data["pairs"]]
    return CheckReport.model_validate(
        {
            "checked": data["left"],
            "index": {"location": "/tmp/index.sqlite", "projects": 3, "files": 40},
            "share": report.left_coverage,
            "hits": [
                {
                    "project": {"name": "geolib", "version": "1.0", "license": "MIT"},
                    "share": report.left_coverage,
                    "score": report.score,
                    "verdict": report.verdict,
                    "pairs": pairs,
                    "identifier_map": data["identifier_map"],
                }
            ],
            "skipped": [],
            "options": {},
        }
    )


# The page as text


def test_page_loads_nothing_from_outside(folder_report: Report) -> None:
    page = render_html(folder_report, sources=disk_sources)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"\b(src|srcset)\s*=", page)
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page


def test_only_the_pages_own_script_may_run(folder_report: Report) -> None:
    page = render_html(folder_report, sources=disk_sources)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 1
    policy = re.search(r"script-src '(sha256-[^']+)'", page)
    assert policy is not None
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert policy.group(1) == f"sha256-{digest}"


def test_hostile_code_and_paths_are_escaped(hostile_report: Report) -> None:
    page = render_html(hostile_report, sources=disk_sources)
    assert hostile_report.pairs, "the hostile files must match, or their code is not shown"
    assert "<script>window.__pwned" not in page
    assert "<img src=x" not in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=window.__pwned=2&gt;.py" in page


def test_without_sources_the_spans_are_listed(folder_report: Report) -> None:
    page = render_html(folder_report)
    assert "No source text was given to the renderer" in page
    assert 'data-side="L"' in page and 'class="frag fc0"' in page


def test_a_changed_file_shows_spans_not_misplaced_code(folder_report: Report) -> None:
    page = render_html(folder_report, sources=lambda root, path: "x = 1\n")
    assert "it changed since the comparison" in page
    assert "<td>x = 1</td>" not in page


def test_cross_pairs_show_the_code_of_folder_and_single_file_submissions(
    tmp_path: Path,
) -> None:
    for name, text in (
        ("ann/geo.py", ORIGINAL),
        ("ben/projection.py", renamed(ORIGINAL)),
        ("cid.py", HELPERS),
        ("dan/stats.py", HELPERS.replace("counts", "tally")),
        ("eve/main.py", "import sys\n\n\ndef main():\n    print(sys.argv)\n"),
    ):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    report = codesim.cross([tmp_path], workers=1)
    assert {(p.left, p.right) for p in report.pairs} == {("ann", "ben"), ("cid.py", "dan")}
    page = render_html(report, sources=disk_sources)
    assert page.count('class="code src"') == 4
    assert "only the matched spans are listed" not in page


def test_write_html_writes_utf8(folder_report: Report, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_html(folder_report, target, sources=disk_sources)
    assert target.read_text(encoding="utf-8") == render_html(folder_report, sources=disk_sources)


# The page in Chromium


def test_compare_page_lists_pairs_links_fragments_and_shows_the_alignment(
    browser: WebDriver, folder_report: Report, tmp_path: Path
) -> None:
    page = tmp_path / "compare.html"
    write_html(folder_report, page, sources=disk_sources)
    open_page(browser, page)

    rows = browser.find_elements(By.CSS_SELECTOR, "#pairs table.pairs tr")[1:]
    assert [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows] == [
        p.left for p in sorted(folder_report.pairs, key=lambda p: -p.score)
    ]
    first = folder_report.pairs[0]
    assert first.fragments

    colours = browser.execute_script(
        """
        const out = {};
        for (const side of ["L", "R"]) {
          for (const el of document.querySelectorAll(`[data-side="${side}"] .frag`)) {
            const key = el.dataset.f + "|" + side;
            (out[key] = out[key] || new Set()).add(getComputedStyle(el).backgroundColor);
          }
        }
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
        """
    )
    fragments = {key.split("|")[0] for key in colours}
    assert len(fragments) >= len(first.fragments)
    for fragment in fragments:
        left, right = colours[f"{fragment}|L"], colours[f"{fragment}|R"]
        assert len(left) == 1 and left == right, fragment
        assert left[0] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    assert len({colours[f"pairs-1-f{n}|L"][0] for n in range(len(first.fragments))}) > 1

    # A click on a left fragment marks both halves and scrolls the right one into view
    # (the suspect's constants push it below the fold of its code box).
    partner = browser.find_element(By.ID, "pairs-1-f0-R")
    assert not browser.execute_script(VISIBLE, partner)
    left = browser.find_element(By.ID, "pairs-1-f0-L")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", left)
    left.click()
    marked = browser.find_elements(By.CSS_SELECTOR, ".frag.active")
    assert {m.get_attribute("data-f") for m in marked} == {"pairs-1-f0"}
    sides = {m.find_element(By.XPATH, "ancestor::*[@data-side]") for m in marked}
    assert {side.get_attribute("data-side") for side in sides} == {"L", "R"}
    assert browser.execute_script(VISIBLE, partner)

    # Every in-page link has its target; a fragment link marks the fragment it lands on.
    missing = browser.execute_script(
        """
        return [...document.querySelectorAll('a[href^="#"]')]
          .map(a => a.getAttribute("href").slice(1))
          .filter(id => !document.getElementById(id));
        """
    )
    assert missing == []
    browser.find_element(By.CSS_SELECTOR, 'a[href="#pairs-1-f0-R"]').click()
    assert browser.execute_script("return location.hash") == "#pairs-1-f0-R"
    assert "active" in (browser.find_element(By.ID, "pairs-1-f0-L").get_attribute("class") or "")

    alignment = browser.find_element(By.ID, "alignment").text
    assert "pkg/geo.py" in alignment and "lib/projection.py" in alignment
    assert "moved" in alignment or "renamed" in alignment
    assert "Resampler" in alignment and "Projection" in alignment
    identifiers = browser.find_element(By.CSS_SELECTOR, "#pairs-1 table.identifiers").text
    assert "max_h" in identifiers and "h_max" in identifiers

    shot = tmp_path / "compare.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and shot.stat().st_size > 10_000


@pytest.mark.parametrize("without_policy", [False, True], ids=["as written", "policy removed"])
def test_hostile_source_cannot_run_script(
    browser: WebDriver, hostile_report: Report, tmp_path: Path, without_policy: bool
) -> None:
    html = render_html(hostile_report, sources=disk_sources)
    if without_policy:
        # The escaping alone must hold: take the Content-Security-Policy away.
        html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
        assert "Content-Security-Policy" not in html
    page = tmp_path / "hostile.html"
    page.write_text(html, encoding="utf-8")
    open_page(browser, page)

    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1
    body = browser.find_element(By.TAG_NAME, "body").text
    assert HOSTILE_MARK in body and HOSTILE_NAME in body
    # The page's own script still works next to the hostile code.
    browser.find_element(By.ID, "pairs-1-f0-L").click()
    assert browser.find_elements(By.CSS_SELECTOR, ".frag.active")


def test_check_page_shows_hits_and_indexed_spans(
    browser: WebDriver, folder_report: Report, tmp_path: Path
) -> None:
    page = tmp_path / "check.html"
    write_html(check_report(folder_report), page, sources=disk_sources)
    open_page(browser, page)

    overview = browser.find_element(By.ID, "overview").text
    assert "geolib 1.0" in overview and "MIT" in overview
    right = browser.find_element(By.CSS_SELECTOR, '#hit-1-1 [data-side="R"]')
    assert "index keeps token streams, not sources" in right.text
    browser.find_element(By.ID, "hit-1-1-f0-L").click()
    assert "active" in (browser.find_element(By.ID, "hit-1-1-f0-R").get_attribute("class") or "")


def test_cross_page_shows_heat_map_clusters_and_shared_code(
    browser: WebDriver, tmp_path: Path
) -> None:
    report = cross_report()
    page = tmp_path / "cross.html"
    write_html(report, page)
    open_page(browser, page)

    heat = browser.find_element(By.CSS_SELECTOR, "table.heat")
    headers = [th.get_attribute("title") for th in heat.find_elements(By.CSS_SELECTOR, "th.col")]
    assert headers == ["alice", "bob", "carol", "dave", "<b>eve</b>"]
    cells = heat.find_elements(By.CSS_SELECTOR, "td a[data-score]")
    assert sorted(c.get_attribute("data-score") or "" for c in cells) == sorted(
        ["0.92", "0.92", "0.70", "0.70", "0.35", "0.35"]
    )
    shades = browser.execute_script(
        """
        const of = s => getComputedStyle(
          document.querySelector(`a[data-score="${s}"]`).parentElement).backgroundColor;
        return [of("0.92"), of("0.35")];
        """
    )
    assert shades[0] != shades[1]
    assert len(heat.find_elements(By.CSS_SELECTOR, "td.self")) == 5

    clusters = browser.find_element(By.ID, "clusters").text
    assert "alice" in clusters and "<b>eve</b>" in clusters
    assert browser.find_elements(By.TAG_NAME, "b") and not any(
        b.text == "eve" for b in browser.find_elements(By.TAG_NAME, "b")
    )
    assert "alice/skeleton.py" in browser.find_element(By.ID, "shared").text

    cells[0].click()
    target = browser.execute_script("return location.hash").lstrip("#")
    section = browser.find_element(By.ID, target).text
    assert "alice" in section and "bob" in section

    shot = tmp_path / "cross.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_base_skipped_files_warnings_and_unparsed_files_are_listed(report: Report) -> None:
    side = {"path": "<course>/skeleton", "files": 1, "lines": 10, "tokens": 80}
    unparsed = {"path": "broken.py", "errors": 2, "unparsed_bytes": 40, "unparsed_ratio": 0.1}
    data = report.model_dump(mode="json")
    data["base"] = side
    data["warnings"] = ["<i>2 files</i> could not be decoded as UTF-8"]
    data["left"]["unparsed"] = [unparsed]
    page = render_html(Report.model_validate(data))
    assert "&lt;course&gt;/skeleton" in page
    assert "assets/logo.png" in page and "too_large" in page
    assert "&lt;i&gt;2 files&lt;/i&gt; could not be decoded" in page
    assert "broken.py" in page and "with syntax errors" in page
