"""The coincidence bound behind the config and tokenizer chances, against exact figures."""

from __future__ import annotations

import math

import pytest

from codesim.artifacts.base import chance_words, coincidence_log10_chance


def test_everything_reproduced_is_the_product_of_the_probabilities() -> None:
    terms = [(20.0, 1e-5), (10.0, 1e-2), (3.0, 1.0)]
    assert coincidence_log10_chance(terms, 33.0) == pytest.approx(-7.0, abs=1e-6)


def test_no_more_than_independence_gives_is_chance_one() -> None:
    terms = [(4.0, 0.5)] * 10
    assert coincidence_log10_chance(terms, 20.0) == 0.0  # the mean
    assert coincidence_log10_chance(terms, 0.0) == 0.0
    assert coincidence_log10_chance([], 5.0) == 0.0


@pytest.mark.parametrize("k", [3, 6, 10, 20])
def test_the_bound_holds_and_is_tight_against_the_exact_binomial_tail(k: int) -> None:
    n, p = 20, 0.1
    exact = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))
    bound = coincidence_log10_chance([(1.0, p)] * n, float(k))
    assert bound >= math.log10(exact) - 1e-9
    # Chernoff is within a factor of sqrt(n) or so of the truth on a binomial.
    assert bound <= math.log10(exact) + 1.5


def test_chance_words_floor() -> None:
    assert chance_words(-400.0) == "< 1e-300"
    assert chance_words(math.log10(3.2e-9)) == "3.2e-09"
