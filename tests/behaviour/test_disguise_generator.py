"""The disguise generator (tests/disguise.py) makes valid, consistent, behaviour-preserving copies.

The detection tests trust this generator as their oracle, so it is tested on its own first:
output compiles, differs, renames many names consistently, never renames what would break
the program, and for small modules the disguised copy computes the same results.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import io
import random
import sys
import tokenize
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.disguise import Disguised, DisguiseError, disguise
from tests.stdlib_corpus import POSITIVE_MODULES, file_stem, read_module

SEEDS = (1, 2, 3)


def identifiers(source: str) -> set[str]:
    return {
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.NAME
    }


def defined_names(source: str) -> set[str]:
    """Names of every function, class and parameter defined in ``source``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
    return found


# --------------------------------------------------------------------------------------------
# every corpus module


@pytest.mark.parametrize("module", POSITIVE_MODULES)
def test_disguised_stdlib_module_compiles_differs_and_renames_consistently(module: str) -> None:
    original = read_module(module)
    result = disguise(original, seed=7)

    compile(result.source, f"<disguised {module}>", "exec", dont_inherit=True)
    assert result.source != original
    assert len(result.renames) >= 10, result.renames
    present = identifiers(result.source)
    assert set(result.renames.values()) <= present, "every new name is used"
    # A renamed function, class or parameter is never defined under its old name any more.
    assert not (set(result.renames) & defined_names(result.source))
    # New names are fresh: none of them was an identifier of the original.
    assert not (set(result.renames.values()) & identifiers(original))


@pytest.mark.parametrize("module", ["textwrap", "json.decoder", "tomllib._parser"])
def test_same_seed_gives_the_same_disguise_and_another_seed_a_different_one(module: str) -> None:
    original = read_module(module)
    first, again, other = (disguise(original, seed=s) for s in (5, 5, 6))
    assert first == again
    assert first.source != other.source
    assert first.renames != other.renames


def test_every_transformation_can_be_switched_off() -> None:
    original = read_module("textwrap")
    plain = disguise(
        original,
        seed=1,
        rename=False,
        reformat=False,
        strip_comments=False,
        tuple_merge=False,
        tuple_split=False,
    )
    assert plain.renames == {}
    assert plain.source == ast.unparse(ast.parse(original)) + "\n"


def test_unparsable_source_is_refused() -> None:
    with pytest.raises(DisguiseError):
        disguise("print 'python 2'\n", seed=1)
    with pytest.raises(DisguiseError):
        disguise("def f():\n    from __future__ import annotations\n", seed=1)


# --------------------------------------------------------------------------------------------
# what must never be renamed

_NEVER_RENAMED_SNIPPET = """
import os.path
from collections import OrderedDict as OD

__all__ = ["public"]

def public(items, *, key=None, **options):
    total = len(items)
    ordered = OD.fromkeys(sorted(items, key=key))
    name = os.path.basename(__file__)
    return total, ordered, name, options

def caller(values):
    return public(values, key=abs)

class Box:
    def __init__(self, payload):
        self.payload = payload
        self._hidden = [payload]

    def __repr__(self):
        return f"Box({self.payload!r})"

    def items(self):
        return list(self._hidden)

def dynamic(obj):
    return getattr(obj, "secret", None), obj.shared

SECRET = "secret"

class Holder:
    shared = 1
"""


def test_imports_builtins_dunders_and_keyword_passed_parameters_keep_their_names() -> None:
    for seed in SEEDS:
        renames = disguise(_NEVER_RENAMED_SNIPPET, seed=seed).renames
        kept = {"os", "path", "basename", "OD", "OrderedDict", "len", "sorted", "abs"}
        kept |= {"__init__", "__repr__", "__file__", "__all__"}
        kept |= {"key"}  # passed by keyword to public()
        kept |= {"items"}  # the name of a dict method: outside code may call it
        kept |= {"secret"}  # reachable through a getattr string
        assert not (kept & set(renames)), renames
        # What is bound here is renamed, including attributes and the __all__ entry.
        assert {"public", "caller", "Box", "total", "payload", "_hidden", "values"} <= set(renames)


def test_renamed_names_follow_their_string_in_all_and_attribute_accesses() -> None:
    result = disguise(_NEVER_RENAMED_SNIPPET, seed=4)
    tree = ast.parse(result.source)
    namespace: dict[str, Any] = {"__file__": "/x/y.py"}
    exec(compile(tree, "<snippet>", "exec"), namespace)
    assert namespace["__all__"] == [result.renames["public"]]
    box = namespace[result.renames["Box"]](3)
    assert repr(box) == "Box(3)"
    assert box.items() == [3]
    caller = namespace[result.renames["caller"]]
    assert caller([3, -1, 2])[:2] == (3, dict.fromkeys([-1, 2, 3]))


# --------------------------------------------------------------------------------------------
# tuple merge and split

_TUPLE_SNIPPET = """
def merge_me(a, b, c):
    x = a + 1
    y = b * 2
    z = c - 3
    return x, y, z

def split_me(a, b):
    p, q = a + 1, b + 2
    r, s = [a, b]
    return p, q, r, s

def never_merge(a):
    x = a
    y = x + 1
    return x, y

def never_split(a, b):
    a, b = b, a
    return a, b

def never_merge_attribute(obj, f):
    obj.x = 1
    obj.y = f()
    return obj

class State:
    pass
"""


def _statements(source: str, function: str) -> list[ast.stmt]:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return node.body
    raise AssertionError(f"{function} not found")


def _tuple_assigns(body: list[ast.stmt]) -> int:
    return sum(
        isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Tuple | ast.List) for s in body
    )


def test_tuple_merge_and_split_happen_for_some_seeds_and_keep_results() -> None:
    merged = split = 0
    original: dict[str, Any] = {}
    exec(_TUPLE_SNIPPET, original)
    for seed in range(20):
        result = disguise(_TUPLE_SNIPPET, seed=seed, rename=False)
        merged += _tuple_assigns(_statements(result.source, "merge_me")) > 0
        split += _tuple_assigns(_statements(result.source, "split_me")) < 2
        namespace: dict[str, Any] = {}
        exec(result.source, namespace)
        assert namespace["merge_me"](1, 2, 3) == original["merge_me"](1, 2, 3)
        assert namespace["split_me"](1, 2) == original["split_me"](1, 2)
        assert namespace["never_split"](1, 2) == (2, 1)
    assert merged >= 3, "merging happens for some seeds"
    assert split >= 3, "splitting happens for some seeds"


def test_assignments_whose_order_matters_are_never_merged_or_split() -> None:
    for seed in range(30):
        result = disguise(_TUPLE_SNIPPET, seed=seed, rename=False)
        assert _tuple_assigns(_statements(result.source, "never_merge")) == 0
        assert _tuple_assigns(_statements(result.source, "never_split")) == 1
        assert _tuple_assigns(_statements(result.source, "never_merge_attribute")) == 0


# --------------------------------------------------------------------------------------------
# behaviour of disguised small modules


Loader = Callable[[str, int], tuple[types.ModuleType, Disguised]]


@pytest.fixture
def load_disguised(tmp_path: Path) -> Iterator[Loader]:
    """Write a disguised module to a tmp dir and import it under a private name."""
    loaded: list[str] = []

    def load(module: str, seed: int) -> tuple[types.ModuleType, Disguised]:
        result = disguise(read_module(module), seed=seed)
        name = f"_disguised_{file_stem(module)}_{seed}"
        path = tmp_path / f"{name}.py"
        path.write_text(result.source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        disguised = importlib.util.module_from_spec(spec)
        sys.modules[name] = disguised  # dataclasses and pickle look modules up here
        loaded.append(name)
        spec.loader.exec_module(disguised)
        return disguised, result

    yield load
    for name in loaded:
        sys.modules.pop(name, None)


class Api:
    """Reach a name in a disguised module (or an object of it) by its original spelling."""

    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def __call__(self, owner: object, name: str) -> Any:
        return getattr(owner, self.renames.get(name, name))


_TEXT = (
    "The quick brown fox jumps over the lazy dog. It was not amused; it said so at length, "
    "in long-winded, hyphen-ridden sentences.   Then it left.\n\n  Indented second paragraph."
)


def _textwrap(mod: types.ModuleType, api: Api) -> object:
    wrapper = api(mod, "TextWrapper")(24)
    return (
        api(mod, "fill")(_TEXT, 30),
        api(mod, "wrap")(_TEXT, 17),
        api(mod, "shorten")(_TEXT, 40),
        api(mod, "dedent")("    a\n      b\n    c\n"),
        api(mod, "indent")("a\n\nb\n", "> "),
        api(wrapper, "wrap")(_TEXT),
    )


def _colorsys(mod: types.ModuleType, api: Api) -> object:
    grid = [(r / 4, g / 4, b / 4) for r in range(5) for g in range(5) for b in range(5)]
    functions = ["rgb_to_hsv", "rgb_to_hls", "rgb_to_yiq", "hsv_to_rgb", "hls_to_rgb"]
    return [[api(mod, f)(*color) for color in grid] for f in functions]


def _heapq(mod: types.ModuleType, api: Api) -> object:
    rng = random.Random(3)
    data = [rng.randrange(1000) for _ in range(300)]
    heap = list(data)
    api(mod, "heapify")(heap)
    popped = [api(mod, "heappop")(heap) for _ in range(50)]
    for value in data[:40]:
        api(mod, "heappush")(heap, value)
    merged = list(api(mod, "merge")(sorted(data[:100]), sorted(data[100:])))
    return (
        popped,
        sorted(heap),
        merged,
        api(mod, "nlargest")(7, data),
        api(mod, "nsmallest")(7, data, lambda v: -v),
        api(mod, "heappushpop")([1, 5, 9], 4),
    )


def _bisect(mod: types.ModuleType, api: Api) -> object:
    values = sorted(random.Random(5).randrange(100) for _ in range(200))
    probes = range(-5, 110, 3)
    inserted = list(values)
    for probe in probes:
        api(mod, "insort_left")(inserted, probe)
        api(mod, "insort_right")(inserted, probe + 0.5)
    return (
        [api(mod, "bisect_left")(values, p) for p in probes],
        [api(mod, "bisect_right")(values, p, 10, 150) for p in probes],
        inserted,
    )


def _fnmatch(mod: types.ModuleType, api: Api) -> object:
    patterns = ["*.py", "a?c", "[!a-c]*", "[]]x", "**/*.txt", "file[0-9][0-9].*", "[a-"]
    names = ["x.py", "abc", "dxy", "]x", "dir/a.txt", "file12.tar.gz", "[a-", "ABC"]
    return (
        [api(mod, "translate")(p) for p in patterns],
        [[api(mod, "fnmatchcase")(n, p) for n in names] for p in patterns],
        [api(mod, "filter")(names, p) for p in patterns],
    )


def _shlex(mod: types.ModuleType, api: Api) -> object:
    lines = ["a 'b c' \"d e\" f\\ g", "x # comment", "echo $HOME 'it''s'"]
    return (
        [api(mod, "split")(line) for line in lines],
        [api(mod, "quote")(s) for s in ["", "safe", "needs quoting", "it's"]],
        api(mod, "join")(["a b", "c"]),
    )


def _base64(mod: types.ModuleType, api: Api) -> object:
    blobs = [b"", b"f", b"fo", b"foo", bytes(range(256)), b"hello world" * 5]
    encoders = ["b64encode", "b32encode", "b32hexencode", "b16encode", "b85encode", "a85encode"]
    encoded = [[api(mod, e)(blob) for blob in blobs] for e in encoders]
    decoded = [api(mod, "b32decode")(api(mod, "b32encode")(blob)) for blob in blobs]
    return encoded, decoded


def _fractions(mod: types.ModuleType, api: Api) -> object:
    fraction = api(mod, "Fraction")
    values = [fraction(3, 4), fraction("1.25"), fraction(7, -21), fraction(0.1)]
    return [
        (str(a + b), str(a * b), str(a / b), str(a - b)) for a in values for b in values if b != 0
    ] + [str(api(fraction(355, 113), "limit_denominator")(10))]


def _statistics(mod: types.ModuleType, api: Api) -> object:
    data = [2.5, 3.25, 5.5, 11.25, 11.75, 2.5]
    return [
        api(mod, name)(data)
        for name in ("mean", "median", "median_low", "median_high", "mode", "stdev", "variance")
    ]


def _calendar(mod: types.ModuleType, api: Api) -> object:
    text = api(mod, "TextCalendar")(6)
    return (
        api(text, "formatmonth")(2024, 2),
        api(text, "formatyear")(2023),
        api(mod, "monthrange")(2100, 2),
        api(mod, "isleap")(2000),
    )


def _configparser(mod: types.ModuleType, api: Api) -> object:
    parser = api(mod, "ConfigParser")()
    parser.read_string(
        "[DEFAULT]\nroot = /srv\n[paths]\ndata = %(root)s/data\nlogs: %(root)s/logs\n"
        "[flags]\nverbose = yes\nlevel = 3\n"
    )
    out = io.StringIO()
    parser.write(out)
    return (
        parser.sections(),
        parser.get("paths", "data"),
        parser.getboolean("flags", "verbose"),
        parser.getint("flags", "level"),
        out.getvalue(),
    )


def _difflib(mod: types.ModuleType, api: Api) -> object:
    left = _TEXT.split()
    right = [*left[:5], "sly", *left[5:12], *left[14:]]
    matcher = api(mod, "SequenceMatcher")(None, left, right)
    return (
        api(matcher, "ratio")(),
        api(matcher, "get_opcodes")(),
        list(api(mod, "unified_diff")(left, right, "a", "b")),
        list(api(mod, "ndiff")(["one\n", "two\n"], ["one\n", "tree\n"])),
        api(mod, "get_close_matches")("appel", ["ape", "apple", "peach", "puppy"]),
    )


BEHAVIOURS: dict[str, Callable[[types.ModuleType, Api], object]] = {
    "textwrap": _textwrap,
    "colorsys": _colorsys,
    "heapq": _heapq,
    "bisect": _bisect,
    "fnmatch": _fnmatch,
    "shlex": _shlex,
    "base64": _base64,
    "fractions": _fractions,
    "statistics": _statistics,
    "calendar": _calendar,
    "configparser": _configparser,
    "difflib": _difflib,
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("module", sorted(BEHAVIOURS))
def test_disguised_module_computes_the_same_results_as_the_original(
    module: str,
    seed: int,
    load_disguised: Loader,
) -> None:
    disguised, result = load_disguised(module, seed)
    assert result.renames, "the behaviour check is only meaningful on a renamed copy"
    original = importlib.import_module(module)
    behaviour = BEHAVIOURS[module]
    assert behaviour(disguised, Api(result.renames)) == behaviour(original, Api({}))
