"""Artifacts through a persistent index: ``index add`` keeps summaries of a project's configs,
tokenizers and checkpoints, and ``check`` compares the checked repo's with each hit's, on a
real SQLite file and a real Redis server."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
import redis
from rich.console import Console

from codesim import Index
from codesim.artifacts.base import ArtifactComparison as Comparison
from codesim.artifacts.base import ArtifactKind
from codesim.artifacts.configs import compare_configs
from codesim.artifacts.summary import (
    MAGIC,
    ArtifactSummary,
    compare_summaries,
    decode,
    encode,
    summarize,
    summary_keys,
)
from codesim.artifacts.tokenizers import compare_tokenizers
from codesim.errors import IndexFormatError
from codesim.index import sqlite as sqlite_backend
from codesim.index.sqlite import SqliteStore
from codesim.render.html import write_html
from codesim.render.text import render_added, render_check
from codesim.results import CheckReport, Hit
from tests.artifacts.test_checkpoints import derive, init_model, save
from tests.artifacts.test_configs import DISGUISED, INDEPENDENT, ORIGINAL, _write_json, _write_yaml
from tests.artifacts.test_tokenizers import CUSTOM, OTHER_CUSTOM, make_bpe, write_tokenizer
from tests.redis_server import installed, redis_server

CODE = Path(sysconfig.get_paths()["stdlib"]) / "textwrap.py"
"""Code both repos hold, so that the original is a hit of every check."""


def _repo(root: Path, *, copy: bool) -> Path:
    """A model repo: code, a config, a tokenizer folder and a checkpoint; ``copy`` makes the
    derived one (config renamed and re-nested as YAML, tokenizer reformatted, weights renamed,
    rescaled and noised), otherwise the original, or an independent one when ``root`` says."""
    root.mkdir(parents=True)
    shutil.copy(CODE, root / ("wrapping.py" if copy else "textwrap.py"))
    vocab, merges = make_bpe(seed=1)
    independent = root.name == "independent"
    if copy:
        _write_yaml(root / "train.yaml", DISGUISED)
        write_tokenizer(root / "tok", vocab, merges, ["<|endoftext|>", *CUSTOM], pretty=True)
        save(derive(init_model(seed=1), sigma=1e-2), root / "weights.safetensors")
    elif independent:
        _write_yaml(root / "train.yaml", INDEPENDENT)
        write_tokenizer(root / "tok", vocab, merges, ["<|endoftext|>", *OTHER_CUSTOM])
        save(init_model(seed=2), root / "weights.safetensors")
    else:
        _write_json(root / "config.json", ORIGINAL)
        write_tokenizer(root / "tokenizer", vocab, merges, ["<|endoftext|>", *CUSTOM])
        save(init_model(seed=1), root / "model.safetensors")
    return root


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("repos")
    return {
        "original": _repo(base / "original", copy=False),
        "suspect": _repo(base / "suspect", copy=True),
        "independent": _repo(base / "independent", copy=False),
    }


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if not installed():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with redis_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "index.db")
    url: str = request.getfixturevalue("redis_url")
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


def _hit(report: CheckReport) -> Hit:
    assert report.hits, "the shared code makes the original a hit"
    assert report.hits[0].project.name == "original"
    return report.hits[0]


def test_check_shows_the_copied_artifacts_beside_the_code(
    location: str, repos: dict[str, Path]
) -> None:
    with Index.open(location) as index:
        index.add(repos["original"], name="original", version="1")
        report = index.query(repos["suspect"], align=False)
    hit = _hit(report)
    by_kind = {pair.kind: pair for pair in hit.artifacts}
    assert set(by_kind) == {"config", "tokenizer", "checkpoint"}
    for pair in by_kind.values():
        assert pair.score >= 0.9, pair.summary
        assert pair.chance is not None and pair.chance < 1e-6, pair.summary
        assert pair.right.startswith("original@1:")
    assert by_kind["config"].left == "train.yaml"
    assert by_kind["config"].right == "original@1:config.json"
    assert by_kind["tokenizer"].left == "tok"
    assert (
        by_kind["checkpoint"].details["renamed_tensors"]
        == by_kind["checkpoint"].details["matched_tensors"]
    )
    noise = by_kind["checkpoint"].details["median_noise_sigma"]
    assert isinstance(noise, float) and 0.5e-2 < noise < 2e-2
    # The JSON report carries them, as the schema says.
    assert CheckReport.model_validate_json(report.model_dump_json()) == report


def test_independent_artifacts_beside_shared_code_score_low(
    location: str, repos: dict[str, Path]
) -> None:
    with Index.open(location) as index:
        index.add(repos["original"], name="original", version="1")
        report = index.query(repos["independent"], align=False)
    hit = _hit(report)
    for pair in hit.artifacts:
        assert pair.score <= 0.2, pair.summary
        assert pair.chance is None or pair.chance > 1e-6, pair.summary


def test_removing_or_replacing_a_project_takes_its_artifacts(
    location: str, repos: dict[str, Path], tmp_path: Path
) -> None:
    code_only = tmp_path / "code-only"
    code_only.mkdir()
    shutil.copy(CODE, code_only / "textwrap.py")
    with Index.open(location) as index:
        index.add(repos["original"], name="original", version="1")
        index.add(code_only, name="original", version="1")  # replaced: no artifacts now
        assert _hit(index.query(repos["suspect"], align=False)).artifacts == []
        index.add(repos["original"], name="original", version="1")
        assert index.remove("original", "1")
        assert index.query(repos["suspect"], align=False).hits == []
    # Nothing of them is left behind: no rows, no keys, no sets naming dead generations.
    if location.startswith("redis://"):
        client = redis.Redis.from_url(location, decode_responses=True)
        try:
            left = [
                key
                for key in cast("list[str]", client.keys("codesim:*"))
                if ":ak:" in key or key.endswith((":artifacts", ":akeys"))
            ]
        finally:
            client.close()
        assert left == []
    else:
        connection = sqlite3.connect(location)
        try:
            for table in ("artifact", "artifact_key"):
                assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        finally:
            connection.close()


def test_a_schema_2_index_is_read_then_upgraded_by_the_next_add(
    tmp_path: Path, repos: dict[str, Path]
) -> None:
    path = tmp_path / "old.db"
    with Index.open(path) as index:
        index.add(repos["original"], name="original", version="1")
    # What codesim wrote before artifacts were kept: no table, version 2 everywhere.
    connection = sqlite3.connect(path)
    connection.executescript(
        "DROP TABLE artifact; DROP TABLE artifact_key; PRAGMA user_version = 2; "
        "UPDATE meta SET value = '2' WHERE key = 'schema_version';"
    )
    connection.close()
    with Index.open(path) as index:
        hit = _hit(index.query(repos["suspect"], align=False))
        assert hit.artifacts == []
        index.add(repos["original"], name="original", version="1")
        assert {p.kind for p in _hit(index.query(repos["suspect"], align=False)).artifacts} == {
            "config",
            "tokenizer",
            "checkpoint",
        }
    header = path.read_bytes()[:100]
    assert int.from_bytes(header[60:64], "big") == sqlite_backend.SCHEMA_VERSION == 3
    store = SqliteStore.open(path)
    try:
        assert decode(store.artifacts("original", "1"))
        assert store.artifacts("nobody", "0") == b""
    finally:
        store.close()


def test_the_summaries_of_a_project_are_small(repos: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    with Index.open(path) as index:
        index.add(repos["original"], name="original", version="1")
    store = SqliteStore.open(path)
    try:
        blob = store.artifacts("original", "1")
    finally:
        store.close()
    summaries = decode(blob)
    assert sorted(s.kind for s in summaries) == ["checkpoint", "config", "tokenizer"]
    # A 1.1 MB checkpoint, a 3,000-token tokenizer and a config: under 100 KB together.
    assert len(blob) < 100_000


def test_summaries_round_trip_and_damaged_blobs_are_refused() -> None:
    summaries = [ArtifactSummary("config", "a/config.json", {"format": "json", "leaves": []})]
    assert decode(encode(summaries)) == summaries
    assert decode(b"") == []
    good = encode(summaries)
    bomb = MAGIC + good[4:6] + zlib.compress(b"[" + b" " * (300 << 20) + b"]", 9)
    for damaged, message in [
        (b"CSA", "truncated"),
        (b"XXXX" + good[4:], "no CSAR header"),
        (MAGIC + b"\x09\x00" + good[6:], "version 9"),
        (good[:-3], "truncated|damaged"),
        (MAGIC + good[4:6] + zlib.compress(b'{"a": 1}'), "a list"),
        (MAGIC + good[4:6] + zlib.compress(b'[{"kind": "virus"}]'), "kind, path, data"),
        (bomb, "too large"),
    ]:
        with pytest.raises(IndexFormatError, match=message):
            decode(damaged)


def test_terminal_and_html_show_a_hits_artifacts(tmp_path: Path, repos: dict[str, Path]) -> None:
    with Index.open(tmp_path / "index.db") as index:
        index.add(repos["original"], name="original", version="1")
        report = index.query(repos["suspect"], align=False)
    console = Console(width=200, record=True, file=io.StringIO())
    render_check(report, console)
    text = console.export_text()
    assert "Configs, tokenizers, checkpoints and predictions" in text
    assert "train.yaml  <->  original@1:config.json  IDENTICAL  score 1.00  chance" in text
    page = tmp_path / "check.html"
    write_html(report, page, sources=lambda root, path: None)
    html = page.read_text(encoding="utf-8")
    assert 'id="hit-1-artifacts"' in html
    assert "original@1:model.safetensors" in html


# --- summaries compare as the artifacts do ---------------------------------------------------


def _sketch_compare(left: Path, right: Path, kind: ArtifactKind = "checkpoint") -> Comparison:
    return compare_summaries(summarize(kind, left, "left"), summarize(kind, right, "right"))


@pytest.mark.parametrize("sigma", [1e-3, 1e-2, 1e-1])
def test_sketched_checkpoints_find_noisy_copies(tmp_path: Path, sigma: float) -> None:
    original = save(init_model(seed=1), tmp_path / "a.safetensors")
    copy = save(derive(init_model(seed=1), sigma), tmp_path / "b.safetensors")
    result = _sketch_compare(original, copy)
    assert result.score >= 0.9
    assert result.chance is not None and result.chance < 1e-6
    estimated = result.details["median_noise_sigma"]
    # float16 z-scores in the sketch blur noise below about 0.05% of a tensor's spread.
    assert isinstance(estimated, float) and sigma / 1.5 < max(estimated, 3e-4) < sigma * 1.5 + 3e-4


@pytest.mark.parametrize(("sigma", "detected"), [(1.5, True), (2.0, False)])
def test_sketched_detection_stops_where_the_full_comparison_does(
    tmp_path: Path, sigma: float, detected: bool
) -> None:
    original = save(init_model(seed=1), tmp_path / "a.safetensors")
    copy = save(derive(init_model(seed=1), sigma), tmp_path / "b.safetensors")
    assert (_sketch_compare(original, copy).score >= 0.9) is detected


def test_sketched_independent_initialisations_are_independent(tmp_path: Path) -> None:
    result = _sketch_compare(
        save(init_model(seed=1), tmp_path / "a.safetensors"),
        save(derive(init_model(seed=2), 0.0), tmp_path / "b.safetensors"),
    )
    assert result.score == 0.0
    assert result.chance is not None and result.chance > 1e-6


def test_sampled_vocabularies_estimate_what_whole_ones_give(tmp_path: Path) -> None:
    vocab, merges = make_bpe(seed=1, size=20_000)
    original = write_tokenizer(tmp_path / "a", vocab, merges, ["<|endoftext|>", *CUSTOM])
    copy = write_tokenizer(
        tmp_path / "b", vocab, merges, CUSTOM, first_added_id=20_005, pretty=True
    )
    other = write_tokenizer(tmp_path / "c", vocab, merges, OTHER_CUSTOM, split_files=True)
    summary = summarize("tokenizer", original, "a")
    assert summary.data["sample_rate"] == 32
    assert summary.data["vocab_size"] == 20_000
    assert isinstance(summary.data["vocab"], list) and len(summary.data["vocab"]) < 1_000
    for right, low in ((copy, False), (other, True)):
        whole = compare_tokenizers(original, right)
        sketched = _sketch_compare(original, right, "tokenizer")
        assert sketched.score == pytest.approx(whole.score)
        assert (sketched.score <= 0.2) is low
        assert sketched.details["vocab_corroborates"] == whole.details["vocab_corroborates"]
    assert (
        "20,000-token vocabulary they share token for token"
        in _sketch_compare(original, copy, "tokenizer").summary
    )


def test_summarized_configs_compare_as_the_files(tmp_path: Path) -> None:
    original = _write_json(tmp_path / "config.json", ORIGINAL)
    for other in (
        _write_yaml(tmp_path / "d.yaml", DISGUISED),
        _write_yaml(tmp_path / "i.yaml", INDEPENDENT),
    ):
        whole = compare_configs(original, other)
        sketched = _sketch_compare(original, other, "config")
        assert sketched.score == pytest.approx(whole.score)
        assert sketched.chance == pytest.approx(whole.chance)


# --- projects found by their artifacts alone -------------------------------------------------


def _weights_only(root: Path, weights_from: Path) -> Path:
    """A repo with unrelated code and another repo's artifacts."""
    root.mkdir()
    (root / "serve.py").write_text("def main():\n    return 0\n", encoding="utf-8")
    for entry in weights_from.iterdir():
        if entry.suffix != ".py":
            if entry.is_dir():
                shutil.copytree(entry, root / entry.name)
            else:
                shutil.copy(entry, root / entry.name)
    return root


def test_a_project_is_found_by_its_copied_artifacts_alone(
    location: str, repos: dict[str, Path], tmp_path: Path
) -> None:
    suspect = _weights_only(tmp_path / "new-code", repos["suspect"])
    independent = _weights_only(tmp_path / "own-weights", repos["independent"])
    with Index.open(location) as index:
        index.add(repos["original"], name="original", version="1", license="MIT")
        report = index.query(suspect, align=False)
        assert index.query(independent, align=False).hits == []
        index.remove("original", "1")
        assert index.query(suspect, align=False).hits == []
    [hit] = report.hits
    assert hit.project.name == "original" and hit.project.license == "MIT"
    assert (hit.pairs, hit.share, hit.score) == ([], 0.0, 0.0)
    assert {p.kind for p in hit.artifacts} == {"config", "tokenizer", "checkpoint"}
    console = Console(width=200, record=True, file=io.StringIO())
    render_check(report, console)
    assert "found by its configs, tokenizers or checkpoints" in console.export_text()
    page = tmp_path / "check.html"
    write_html(report, page, sources=lambda root, path: None)
    assert "found by its configs, tokenizers or checkpoints" in page.read_text(encoding="utf-8")


def test_the_command_line_check_reports_artifacts_in_json(
    tmp_path: Path, repos: dict[str, Path]
) -> None:
    index = tmp_path / "cli.db"

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "codesim", *map(str, args), "--index", str(index)]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)

    added = run("index", "add", repos["original"], "--name", "original", "--version", "1")
    assert added.returncode == 0, added.stderr
    assert "Kept 3 artifacts for checks" in added.stdout
    checked = run("check", repos["suspect"], "--json", "--no-align")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    kinds = {pair["kind"] for pair in report["hits"][0]["artifacts"]}
    assert kinds == {"config", "tokenizer", "checkpoint"}


@pytest.mark.parametrize(("sigma", "found"), [(0.1, True), (0.5, True), (2.0, False)])
def test_checkpoint_keys_find_copies_until_noise_hides_them(
    tmp_path: Path, sigma: float, found: bool
) -> None:
    stored = summary_keys(
        [summarize("checkpoint", save(init_model(1), tmp_path / "a.safetensors"), "a")]
    )
    copy = save(derive(init_model(1), sigma), tmp_path / "b.safetensors")
    asked = summary_keys([summarize("checkpoint", copy, "b")], query=True)
    shared = len(set(stored) & set(asked))
    assert (shared >= 2) is found
    other = summary_keys(
        [summarize("checkpoint", save(init_model(2), tmp_path / "c.safetensors"), "c")]
    )
    assert not set(other) & set(asked)


def test_index_add_says_which_artifacts_it_kept(tmp_path: Path, repos: dict[str, Path]) -> None:
    project = shutil.copytree(repos["original"], tmp_path / "project")
    (project / "broken.json").write_text("{not json", encoding="utf-8")
    with Index.open(tmp_path / "index.db") as index:
        added = index.add(project, name="original", version="1")
    assert sorted(added.artifacts) == ["config.json", "model.safetensors", "tokenizer"]
    assert len(added.warnings) == 1 and "broken.json" in added.warnings[0]
    console = Console(width=200, record=True, file=io.StringIO())
    render_added(added, console)
    text = console.export_text()
    assert "Kept 3 artifacts for checks: " in text
    assert "broken.json" in text
