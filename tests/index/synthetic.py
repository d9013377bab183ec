"""Synthetic records for the index tests: no parsing, so a writer subprocess starts fast."""

from __future__ import annotations

from array import array

import numpy as np

from codesim.index import codec
from codesim.index.lines import LineIndex
from codesim.index.minhash import NUM_PERM
from codesim.index.records import FileRecord, ProjectMeta, UnitRecord
from codesim.tokens import TokenStream, Unit, UnitKind


def synthetic_files(seed: int, files: int, units_per_file: int = 3) -> list[FileRecord]:
    """Small random records (no parsing): fast to make in a subprocess that gets killed.

    Every unit draws its signature and fingerprints at random, so different seeds share
    nothing; the streams are tiny but valid.
    """
    rng = np.random.default_rng(seed)
    records = []
    for number in range(files):
        stream = TokenStream(
            symbols=["call", "LOCAL"],
            texts=["", f"name{seed}_{number}"],
            numbers=[-1, 0],
            scopes=[-2, 0],
            start_bytes=array("q", [0, 5]),
            end_bytes=array("q", [4, 9]),
            owners=[0, 0],
            units=[Unit("<module>", UnitKind.MODULE, -1, 0, 10, 2)],
        )
        data = f"call(name{seed}_{number})\n".encode()
        units = tuple(
            UnitRecord(
                name=f"f{unit}",
                kind=UnitKind.FUNCTION,
                start_line=1,
                end_line=1,
                tokens=20,
                signature=rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32),
                fingerprints=np.unique(rng.integers(0, 2**64, 5, dtype=np.uint64)),
            )
            for unit in range(units_per_file)
        )
        records.append(
            FileRecord(
                path=f"pkg/module_{number}.py",
                language="python",
                lines=1,
                sha256=bytes(rng.integers(0, 256, 32, dtype=np.uint8)),
                stream=codec.encode(stream, LineIndex.of(data)),
                units=units,
            )
        )
    return records


def meta(name: str, version: str = "1.0") -> ProjectMeta:
    """Project metadata with every optional field filled."""
    return ProjectMeta(
        name,
        version,
        license="MIT",
        url=f"https://example.org/{name}",
        commit="0123456789abcdef0123456789abcdef01234567",
    )
