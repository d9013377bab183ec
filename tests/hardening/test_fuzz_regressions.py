"""Inputs the fuzzer (``benchmarks.hardening.fuzz``) found crashing codesim, kept as tests once
fixed, and the fuzz target run on generated inputs so CI exercises what the long run does."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.hardening.target import NOTEBOOK_PREFIX, check_input
from codesim.sources.notebooks import neutralize_ipython
from tests.hardening.programs import hostile_variants, random_program

# Each entry: the input and what it broke before the fix.
FOUND = [
    # A stray closing bracket in a notebook cell: tokenize names the row past the cell's end
    # as the start of an unfinished statement, and neutralising it indexed past the lines.
    (NOTEBOOK_PREFIX + b"}", "IndexError in notebooks._neutralize"),
    (NOTEBOOK_PREFIX + b"x = 1\n)\n%ls", "IndexError in notebooks._neutralize"),
]


@pytest.mark.parametrize(("data", "broke"), FOUND, ids=[f"found-{i}" for i in range(len(FOUND))])
def test_inputs_the_fuzzer_found_run_clean(data: bytes, broke: str) -> None:
    check_input(data)


def test_a_stray_closing_bracket_leaves_the_cell_as_it_was_and_magics_neutralised() -> None:
    assert neutralize_ipython("}") == "}"
    assert neutralize_ipython("]\n%ls\nx = 1") == "]\npass  # %ls\nx = 1"
    # An unclosed string still neutralises from the row it opens on.
    assert neutralize_ipython("x = 1\ny = '''a\nb") == "x = 1\npass  # y = '''a\n# b"


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False), st.booleans())
def test_generated_programs_and_their_hostile_variants_run_clean(
    rng: random.Random, as_notebook: bool
) -> None:
    program = random_program(rng, depth=3, width=3).encode()
    prefix = NOTEBOOK_PREFIX if as_notebook else b""
    for data in (program, *hostile_variants(program, rng)):
        check_input(prefix + data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_run_clean(data: bytes) -> None:
    check_input(data)
