"""The public API is exactly what ``__all__`` says, and behaves as the contract says."""

from __future__ import annotations

import subprocess
import sys

import pytest

import codesim


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in dir(codesim) if not name.startswith("_")} - {"annotations"}
    modules = {
        "api",
        "errors",
        "options",
        "read_options",
        "results",
        "pipeline",
        "languages",
        "normalize",
        "sources",
        "fingerprint",
        "index",
        "align",
        "graph",
        "artifacts",
        "units",
        "tokens",
        "compiled",
        "cli",
        "render",
    }
    assert set(codesim.__all__) - {"__version__"} == public - modules


def test_a_missing_path_is_an_input_error(tmp_path) -> None:
    with pytest.raises(codesim.InputError, match="does-not-exist"):
        codesim.compare(tmp_path / "does-not-exist", tmp_path)


def test_a_folder_without_source_files_is_an_input_error(tmp_path) -> None:
    (tmp_path / "left").mkdir()
    (tmp_path / "left" / "notes.txt").write_text("hello\n")
    (tmp_path / "right.py").write_text("x = 1\n")
    with pytest.raises(codesim.InputError, match="no source files"):
        codesim.compare(tmp_path / "left", tmp_path / "right.py")


def test_bad_option_values_are_reported_by_field_rule_and_value() -> None:
    with pytest.raises(codesim.OptionsError) as info:
        codesim.make_options(kgram_size=0, min_score=2.0)
    message = str(info.value)
    assert "kgram_size" in message and "min_score" in message and "2.0" in message


def test_min_match_tokens_cannot_be_shorter_than_a_kgram() -> None:
    with pytest.raises(codesim.OptionsError, match="min_match_tokens"):
        codesim.make_options(kgram_size=30, min_match_tokens=20)


def test_importing_codesim_defers_the_pipeline_until_a_name_is_used() -> None:
    # Public names are imported on first use (PEP 562): ``import codesim`` stays cheap.
    code = (
        "import sys, codesim; print('codesim.api' in sys.modules, 'numpy' in sys.modules); "
        "codesim.compare; print('codesim.api' in sys.modules, codesim.compare.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "True", "codesim.api"]
    # Every public name resolves, wherever it lives.
    assert all(getattr(codesim, name) is not None for name in codesim.__all__)
