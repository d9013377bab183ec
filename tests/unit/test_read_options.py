"""What a process that only reads submissions is sent, guesses and imports: the options as
plain data and their defaults, neither pydantic nor the report models, and a warm-up of what
the first file would make."""

from __future__ import annotations

import pickle
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from codesim.options import Options, make_options
from codesim.pipeline.streams import stream_side
from codesim.pipeline.submissions import guessed_reading, start_reading, submissions_of
from codesim.read_options import ReadingOptions, ReadOptions

REPO = Path(__file__).resolve().parents[2]


def _printed(code: str) -> str:
    """What ``code`` prints when run by a fresh interpreter (nothing imported before it)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    return done.stdout.strip()


def test_the_plain_options_hold_every_field_reading_reads() -> None:
    protocol = {name for name in vars(ReadingOptions) if not name.startswith("_")}
    assert protocol == {field.name for field in fields(ReadOptions)}
    assert protocol <= set(Options.model_fields)


def test_the_plain_options_carry_the_values_given() -> None:
    options = make_options(kgram_size=9, window_size=3, max_file_tokens=500, time_budget=2.5)
    plain = ReadOptions.of(options)
    for field in fields(ReadOptions):
        assert getattr(plain, field.name) == getattr(options, field.name)
    assert pickle.loads(pickle.dumps(plain)) == plain


def test_a_reading_process_imports_neither_pydantic_nor_numpy() -> None:
    # cross's prestarted reading child imports what reading a submission as far as its
    # streams needs, and is sent plain options: pydantic and the report models were 65 ms of
    # its start, numpy and the fingerprinting stages about 50 ms.
    code = (
        "import sys, pickle\n"
        "import codesim.pipeline.streams, codesim.pipeline.submissions\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'numpy')"
        " or m in ('codesim.options', 'codesim.results')))"
    )
    assert _printed(code) == "[]"


def test_the_warm_up_makes_what_reading_the_first_python_file_would() -> None:
    code = (
        "from codesim.pipeline.streams import warm_up\n"
        "from codesim.normalize import compiled_walk\n"
        "from codesim.normalize.tables import compile_tables\n"
        "warm_up()\n"
        "print(compile_tables.cache_info().currsize, len(compiled_walk._walkers),"
        " compiled_walk.available())"
    )
    tables, walkers, compiled = _printed(code).split()
    assert tables == "1"
    assert walkers == ("1" if compiled == "True" else "0")


def test_the_plain_options_default_to_those_of_options() -> None:
    # A prestarted reading child reads with these before it is sent the real ones.
    assert ReadOptions() == ReadOptions.of(Options())


def test_the_guessed_reading_of_a_cross_is_the_reading_it_starts(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "m.py").write_text("x = 1\n")
    guessed = guessed_reading([str(tmp_path)])
    assert guessed is not None
    function, jobs = guessed
    with start_reading(submissions_of([str(tmp_path)]), Options(), workers=1) as started:
        assert started._light is not None
        assert function is started._light[0]
        assert jobs == started._jobs
        started.join()
    assert guessed_reading([str(tmp_path / "a"), str(tmp_path / "nowhere")]) is None


def test_what_a_reading_process_sends_comes_back_whole(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "class A:\n    def f(self, x):\n        return [x * i for i in range(10) if i % 2]\n\n"
        "def g(a, b):\n    total = 0\n    for k in range(a):\n        total += k * b\n"
        "    return total\n"
    )
    side = stream_side(tmp_path, "submission", ReadOptions())
    units = side.files[0].stream.units
    assert len(units) >= 2, "a module and at least one of its definitions"
    back = pickle.loads(pickle.dumps(side, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == side
    assert [type(unit.kind) for unit in back.files[0].stream.units] == [type(u.kind) for u in units]
