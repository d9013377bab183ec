"""Real records for the index tests.

The real corpus is standard-library files of the running interpreter, normalized like the
pipeline does (``fold_small_units`` with the k-gram size), plus copies of some of them that a
copier changed: disguised by the test-owned generator (renamed, reformatted, tuples merged
and split) or edited (random lines deleted), so that unit pairs span the whole range of
Jaccard similarity.  Everything is deterministic and cached per process.
"""

from __future__ import annotations

import random
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from codesim.fingerprint import HashArray
from codesim.index.prepare import file_record, unit_kgrams
from codesim.index.records import FileRecord, IndexSettings
from codesim.languages import get_language
from codesim.normalize import normalize
from codesim.read_options import DEFAULT_KGRAM_SIZE, DEFAULT_WINDOW_SIZE
from codesim.tokens import TokenStream
from codesim.units import fold_small_units
from tests.disguise import DisguiseError, disguise

SETTINGS = IndexSettings(DEFAULT_KGRAM_SIZE, DEFAULT_WINDOW_SIZE)
STDLIB = Path(sysconfig.get_paths()["stdlib"])
_SKIPPED_PARTS = frozenset({"test", "tests", "site-packages", "idlelib", "lib2to3"})


@dataclass(frozen=True)
class CorpusFile:
    """One file of the corpus: where it came from, its text, stream and record."""

    path: str
    data: bytes
    stream: TokenStream
    record: FileRecord

    @property
    def kgrams(self) -> Sequence[HashArray]:
        return unit_kgrams(self.stream, SETTINGS.kgram_size)


@cache
def stdlib_paths() -> tuple[Path, ...]:
    """Pure-Python standard-library files (no test suites), sorted."""
    return tuple(
        sorted(
            path
            for path in STDLIB.rglob("*.py")
            if not _SKIPPED_PARTS.intersection(path.relative_to(STDLIB).parts)
        )
    )


def prepare(path: str, data: bytes) -> CorpusFile:
    """Normalize, fold and record one Python text."""
    stream = fold_small_units(normalize(data, get_language("python")), SETTINGS.kgram_size)
    return CorpusFile(path, data, stream, file_record(path, "python", data, stream, SETTINGS))


SAMPLE = 200
"""The corpus: this many standard-library files drawn at random (but always the same).
Tests that need fewer take the first ones, so the files are read and normalized once."""


@cache
def _sample() -> tuple[Path, ...]:
    return tuple(random.Random(1).sample(stdlib_paths(), SAMPLE))


@cache
def _original(index: int) -> CorpusFile:
    path = _sample()[index]
    return prepare(str(path.relative_to(STDLIB)), path.read_bytes())


@cache
def _copy(index: int) -> CorpusFile | None:
    # Every fourth file disguised, every fourth with about 5% of its lines deleted.
    original = _original(index)
    if index % 4 == 0:
        try:
            text = disguise(original.data.decode("utf-8"), seed=index).source
        except (DisguiseError, UnicodeDecodeError):
            return None
        return prepare(f"disguised/{original.path}", text.encode("utf-8"))
    if index % 4 == 1:
        rng = random.Random(index)
        lines = original.data.split(b"\n")
        kept = b"\n".join(line for line in lines if rng.random() > 0.05)
        return prepare(f"edited/{original.path}", kept)
    return None


def stdlib_files(count: int) -> tuple[CorpusFile, ...]:
    """The first ``count`` files of the sample (at most ``SAMPLE``)."""
    return tuple(_original(index) for index in range(count))


def changed_copies(count: int) -> tuple[CorpusFile, ...]:
    """The copies of ``stdlib_files(count)``: a quarter disguised by the test-owned
    generator (the slow part of building the corpus), a quarter edited."""
    copies = (_copy(index) for index in range(count))
    return tuple(copy for copy in copies if copy is not None)
