"""Coverage-guided fuzzing of reading, parsing, normalization and fingerprinting (atheris).

```sh
nice -n 19 .venv/bin/python -m benchmarks.hardening.fuzz --minutes 60
```

needs ``pip install -c constraints.txt -e '.[fuzz]'`` (atheris, libFuzzer for Python).  The
starting corpus is generated afresh (``tests/hardening/programs.py``: random programs and their
hostile byte-level variants) into ``--workdir`` (default ``.cache/fuzz``), with a dictionary of
Python's keywords and operators; libFuzzer mutates from there, guided by the coverage of
codesim's own modules, and runs every input through ``benchmarks.hardening.target`` (an
exception or a broken invariant is a crash, an input running longer than ``--input-timeout``
seconds a hang, a process over ``--rss-mb`` an unbounded memory use).

libFuzzer stops at the first crash; this driver records it (the input is kept under
``crashes/``) and starts a new fuzzing process on the grown corpus until the time or the
``--inputs`` budget is spent, then prints and writes ``summary.json``: inputs tried, crashes
and their first lines.  One fuzzing process at a time (the machine is shared), replaced by a
fresh one every ``--chunk-minutes``: atheris's instrumentation grows the process by about
10 KB per input (measured: 112 MB to 1.2 GB over 120,000 inputs, while the same inputs
run plainly stay at 67 MB), which would otherwise reach the memory limit within the hour.  A
process stopped by that limit has its last input replayed alone; unless the input needs half
the limit by itself, the stop is listed as the harness's, not as a crash.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_COUNT_EVERY = 1000
_OPERATORS = (
    "(", ")", "[", "]", "{", "}", ":", ",", ";", ".", "->", "=", ":=", "+=", "**", "//", "@",
    "<<", "!=", "==", "...", "\\\n", '"""', "'''", "f'", "rb'", "\t", "\r\n", "#", "%", "!",
    "?", "%%time\n", "%%bash\n", "lambda", "async", "await", "yield from", "match", "case",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hardening.fuzz")
    parser.add_argument("--minutes", type=float, default=60.0, help="total fuzzing time")
    parser.add_argument("--inputs", type=int, default=0, help="stop after this many (0: no cap)")
    parser.add_argument("--workdir", type=Path, default=Path(".cache/fuzz"))
    parser.add_argument("--seeds", type=int, default=300, help="generated programs to start from")
    parser.add_argument("--max-len", type=int, default=4096, help="longest input, bytes")
    parser.add_argument("--input-timeout", type=int, default=60, help="seconds: a hang")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory limit of the process")
    parser.add_argument(
        "--chunk-minutes", type=float, default=10.0, help="a fresh fuzzing process this often"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # its count file
    parser.add_argument("--replay", type=Path, help=argparse.SUPPRESS)  # one input, plainly
    args, rest = parser.parse_known_args(argv)
    if args.child:
        return _child(args.child, rest)
    if args.replay:
        return _replay(args.replay)
    return _drive(args)


def _drive(args: argparse.Namespace) -> int:
    workdir: Path = args.workdir.resolve()
    corpus, seeds, crashes = workdir / "corpus", workdir / "seeds", workdir / "crashes"
    for folder in (corpus, crashes):
        folder.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.hardening.programs import seed_corpus

    written = seed_corpus(seeds, args.seeds, seed=int(time.time()))
    dictionary = workdir / "python.dict"
    words = [*keyword.kwlist, *keyword.softkwlist, *_OPERATORS]
    dictionary.write_text("".join(f'"{_dict_escape(w)}"\n' for w in words), encoding="ascii")
    deadline = time.monotonic() + args.minutes * 60
    started = time.time()
    inputs = 0
    runs = 0
    found: list[dict[str, Any]] = []
    harness: list[dict[str, Any]] = []
    print(f"fuzzing for {args.minutes:g} min from {written} generated seeds", file=sys.stderr)
    while (remaining := deadline - time.monotonic()) > 5:
        if args.inputs and inputs >= args.inputs:
            break
        runs += 1
        count_file = workdir / f"count-{runs}"
        log = workdir / f"run-{runs}.log"
        before = set(crashes.iterdir())
        flags = [
            f"-max_total_time={int(min(remaining, args.chunk_minutes * 60))}",
            f"-max_len={args.max_len}",
            f"-timeout={args.input_timeout}",
            f"-rss_limit_mb={args.rss_mb}",
            f"-dict={dictionary}",
            f"-artifact_prefix={crashes}/",
            "-print_final_stats=1",
        ]
        if args.inputs:
            flags.append(f"-runs={args.inputs - inputs}")
        command = [sys.executable, "-m", "benchmarks.hardening.fuzz", "--child", str(count_file)]
        command += [*flags, str(corpus), str(seeds)]
        with log.open("wb") as out:
            code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
        done = _executed(log, count_file)
        inputs += done
        new = sorted(set(crashes.iterdir()) - before)
        if code.returncode == 0 and not new:
            continue
        stop = {
            "run": runs,
            "exit_code": code.returncode,
            "inputs": [str(p) for p in new],
            "error": _first_error(log),
            "log": str(log),
        }
        if new and all(p.name.startswith("oom-") for p in new):
            # libFuzzer counts the whole process's memory, which atheris's instrumentation
            # grows by itself: an input is codesim's fault only if it needs that much alone.
            peaks = [_replay_peak_mb(p) for p in new]
            stop["replayed_peak_mb"] = peaks
            if all(0 <= peak < args.rss_mb // 2 for peak in peaks):
                harness.append(stop)
                continue
        found.append(stop)
        print(f"run {runs}: crash after {done:,} inputs: {stop['error']}", file=sys.stderr)
    summary = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "minutes": round((time.time() - started) / 60, 1),
        "inputs": inputs,
        "processes": runs,
        "seeds": written,
        "corpus": sum(1 for _ in corpus.iterdir()),
        "crashes": found,
        "harness_memory_stops": harness,
    }
    (workdir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 1 if found else 0


def _dict_escape(word: str) -> str:
    """A libFuzzer dictionary entry's text: printable ASCII as is, other bytes as ``\\xHH``."""
    return "".join(
        chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\x{b:02x}" for b in word.encode()
    )


def _executed(log: Path, count_file: Path) -> int:
    """Inputs one fuzzing process ran: libFuzzer's final count, or after a crash the
    target's own count (written every ``_COUNT_EVERY`` inputs), whichever is larger."""
    text = log.read_text(encoding="utf-8", errors="replace")
    final = re.findall(r"stat::number_of_executed_units: (\d+)", text)
    counted = int(count_file.read_text()) if count_file.exists() else 0
    return max([counted, *(int(n) for n in final)])


def _first_error(log: Path) -> str:
    """The line saying what went wrong: the Python exception, or libFuzzer's verdict."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for pattern in (r"^\w*(Error|Exception)\b.*", r"ERROR: libFuzzer: .*", r"ALARM: .*"):
        for line in lines:
            if re.search(pattern, line.strip()):
                return line.strip()
    return lines[-1] if lines else "no output"


def _replay_peak_mb(path: Path) -> int:
    """Peak memory of one input run alone in a fresh, uninstrumented process (MB); -1 when
    it fails there too."""
    command = [sys.executable, "-m", "benchmarks.hardening.fuzz", "--replay", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return int(done.stdout.strip()) if done.returncode == 0 else -1


def _replay(path: Path) -> int:
    import resource

    from benchmarks.hardening.target import check_input

    check_input(path.read_bytes())
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    return 0


def _child(count_file: Path, libfuzzer_args: list[str]) -> int:
    import atheris

    # Only codesim is instrumented: its coverage is what should guide the mutations.
    with atheris.instrument_imports(include=["codesim"]):
        from benchmarks.hardening.target import check_input

    executed = 0

    def one_input(data: bytes) -> None:
        nonlocal executed
        executed += 1
        if executed % _COUNT_EVERY == 0:
            count_file.write_text(str(executed))
        check_input(data)

    atheris.Setup([sys.argv[0], *libfuzzer_args], one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
