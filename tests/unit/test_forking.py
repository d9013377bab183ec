"""Work shared between this process and forked children gives what one process gives."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codesim.pipeline import forking
from codesim.pipeline.forking import map_shared

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)

PARENT = os.getpid()


def _square_or_none(job: int) -> int | None:
    return None if job % 5 == 0 else job * job


def _who(job: int) -> tuple[int, int]:
    time.sleep(0.003)
    return job, os.getpid()


def _who_quickly(job: int) -> tuple[int, int]:
    return job, os.getpid()


def _killed_in_a_child(job: int) -> int:
    if os.getpid() != PARENT and job == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return -job


def _fails_on_seven(job: int) -> int:
    if job == 7:
        raise ValueError("job seven")
    return job


def _fails_here(job: int) -> int:
    if os.getpid() == PARENT:
        raise ValueError("this process")
    time.sleep(0.01)
    return job


def _large(job: int) -> bytes:
    return bytes([job % 256]) * 3_000_000


def _large_who(job: int) -> tuple[bytes, int]:
    return _large(job), os.getpid()


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("batch", [1, 4, 16])
def test_the_results_are_those_of_one_process_in_job_order(workers: int, batch: int) -> None:
    jobs = list(range(37))
    assert map_shared(_square_or_none, jobs, workers, batch=batch) == [
        _square_or_none(job) for job in jobs
    ]


def test_every_process_takes_jobs_and_each_result_arrives_here_once() -> None:
    arrived: list[tuple[int, tuple[int, int], int]] = []
    made = map_shared(
        _who, list(range(100)), 2, arrived=lambda n, r: arrived.append((n, r, os.getpid()))
    )
    assert [job for job, _ in made] == list(range(100))
    pids = {pid for _, pid in made}
    assert PARENT in pids and len(pids) == 2
    # Counted as they arrive, each result once, all of them here.
    assert [count for count, _, _ in arrived] == list(range(1, 101))
    assert sorted(result for _, result, _ in arrived) == made
    assert {here for _, _, here in arrived} == {PARENT}
    assert not multiprocessing.active_children()


def test_the_jobs_of_a_child_that_is_killed_are_done_here() -> None:
    jobs = list(range(40))
    assert map_shared(_killed_in_a_child, jobs, 2) == [-job for job in jobs]
    assert not multiprocessing.active_children()


def test_an_exception_in_a_child_is_raised_here() -> None:
    with pytest.raises(ValueError, match="job seven"):
        map_shared(_fails_on_seven, list(range(40)), 3)
    assert not multiprocessing.active_children()


def test_an_exception_here_stops_the_children() -> None:
    with pytest.raises(ValueError, match="this process"):
        map_shared(_fails_here, list(range(400)), 2)
    assert not multiprocessing.active_children()


def test_results_larger_than_a_pipe_come_back_whole() -> None:
    made = map_shared(_large, list(range(6)), 2)
    assert [len(r) for r in made] == [3_000_000] * 6
    assert [r[0] for r in made] == list(range(6))


def test_a_child_goes_on_with_its_jobs_while_its_results_wait_for_room_in_the_pipe() -> None:
    # Each result is three times what the pipe holds: a child that waited for this process
    # to read its first one would have done only that one before this process joins.
    with forking.share(_large_who, list(range(6)), 2) as started:
        time.sleep(1.5)
        made = started.join()
    assert [r[0] for r, _ in made] == list(range(6))
    assert PARENT not in {pid for _, pid in made}


def test_batches_grow_so_that_every_number_fits_in_the_claims_pipe() -> None:
    for jobs in (1, 7, 400, 40_000, 10_000_000):
        for processes in (1, 2, 8):
            bounds = forking._batches(jobs, 1, processes)
            assert len(bounds) <= forking._MAX_BATCHES
            assert [start for start, _ in bounds] == [0] + [stop for _, stop in bounds[:-1]]
            assert bounds[-1][1] == jobs


def test_batches_shrink_towards_the_end() -> None:
    sizes = [stop - start for start, stop in forking._batches(400, 16, 2)]
    assert sizes[0] == 16 and sizes[-1] == 1
    assert sizes == sorted(sizes, reverse=True)
    jobs = list(range(40_000))
    assert map_shared(_square_or_none, jobs, 2) == [_square_or_none(job) for job in jobs]


def test_batch_numbers_that_do_not_fit_in_the_pipe_leave_the_work_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 40,000 numbers of 4 bytes are more than a pipe holds: every job is done here instead
    # of waiting forever to write them.
    monkeypatch.setattr(forking, "_MAX_BATCHES", 100_000)
    assert forking._claims(40_000) is None
    made = map_shared(_who_quickly, list(range(40_000)), 2)
    assert {pid for _, pid in made} == {PARENT}
    assert [job for job, _ in made] == list(range(40_000))


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux's pipe sizes")
def test_every_batch_number_fits_in_a_pipe_of_the_smallest_default_size() -> None:
    # macOS starts a pipe at 16 KiB: a Linux pipe shrunk to that takes them all at once.
    reading, writing = os.pipe()
    try:
        fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, 16 * 1024)
        os.set_blocking(writing, False)
        numbers = b"".join(forking._CLAIM.pack(n) for n in range(forking._MAX_BATCHES))
        assert os.write(writing, numbers) == len(numbers)
    finally:
        os.close(reading)
        os.close(writing)


@pytest.fixture
def prestarted() -> Iterator[int]:
    """A process prestarted for the next ``share``; its pid.  Released if a test leaves it."""
    forking.prestart("os:getpid")
    assert forking._PRESTARTED, "this machine should prestart (it forks and has two cores)"
    yield forking._PRESTARTED[0].pid
    if forking._PRESTARTED:
        forking._PRESTARTED.pop().release()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_the_prestarted_process_takes_jobs_of_the_next_share(prestarted: int) -> None:
    made = map_shared(_who, list(range(100)), 2)
    assert [job for job, _ in made] == list(range(100))
    assert {pid for _, pid in made} == {PARENT, prestarted}
    assert not forking._PRESTARTED and _gone(prestarted)
    assert not multiprocessing.active_children()


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_a_share_started_early_runs_while_this_process_works(prestarted: int) -> None:
    with forking.share(_who_quickly, list(range(64)), 2, batch=4) as started:
        # Nothing is taken here yet: the prestarted process does every job meanwhile.
        time.sleep(1.0)
        made = started.join()
    assert {pid for _, pid in made} == {prestarted}
    assert [job for job, _ in made] == list(range(64))
    assert _gone(prestarted)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_a_share_left_without_joining_stops_its_children(prestarted: int) -> None:
    with pytest.raises(KeyError), forking.share(_who, list(range(400)), 3) as started:
        forked = list(started._forked)
        raise KeyError("before joining")
    assert _gone(prestarted)
    assert forked and not any(process.is_alive() for process in forked)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_work_too_small_to_share_releases_the_prestarted_process(prestarted: int) -> None:
    assert map_shared(_who_quickly, [1], 2) == [(1, PARENT)]
    assert not forking._PRESTARTED and _gone(prestarted)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_a_function_that_cannot_be_sent_is_shared_with_forked_children(prestarted: int) -> None:
    offset = 1000
    made = map_shared(lambda job: (job + offset, os.getpid()), list(range(100)), 2)
    assert [job for job, _ in made] == list(range(1000, 1100))
    assert prestarted not in {pid for _, pid in made}
    assert _gone(prestarted)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_the_jobs_of_a_prestarted_process_that_dies_are_done_here(prestarted: int) -> None:
    os.kill(prestarted, signal.SIGKILL)
    made = map_shared(_who_quickly, list(range(40)), 2)
    assert made == [(job, PARENT) for job in range(40)]
    assert _gone(prestarted)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_a_prestarted_process_that_cannot_import_leaves_the_work_here() -> None:
    forking.prestart("codesim_has_no_such_module:warm_up")
    pid = forking._PRESTARTED[0].pid
    jobs = list(range(40))
    assert map_shared(_square_or_none, jobs, 2) == [_square_or_none(job) for job in jobs]
    assert _gone(pid)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_an_exception_in_the_prestarted_process_is_raised_here(prestarted: int) -> None:
    with pytest.raises(ValueError, match="job seven"):
        map_shared(_fails_on_seven, list(range(40)), 2)
    assert _gone(prestarted)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_batch_numbers_that_do_not_fit_leave_the_work_here_with_a_prestarted_process(
    prestarted: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forking, "_MAX_BATCHES", 100_000)
    made = map_shared(_who_quickly, list(range(40_000)), 2)
    assert {pid for _, pid in made} == {PARENT}
    assert [job for job, _ in made] == list(range(40_000))
    assert not forking._PRESTARTED and _gone(prestarted)


_LOG: list[str] = []
"""The file ``_logged`` appends to (set by a test before it prestarts: the process inherits it)."""


def _logged(job: int) -> tuple[int, int]:
    time.sleep(0.01)
    with Path(_LOG[0]).open("a") as log:
        log.write(f"{job} {os.getpid()}\n")
    return job, os.getpid()


def _logged_thrice(job: int) -> tuple[int, int]:
    _logged(job)
    return 3 * job, os.getpid()


def _runs(log: Path) -> list[tuple[int, int]]:
    """What ``_logged`` ran, in order: ``(job, pid)``."""
    if not log.exists():
        return []
    return [
        (int(job), int(pid)) for job, pid in (line.split() for line in log.read_text().splitlines())
    ]


def _prestart_guessing(log: Path, guessed: Callable[[], forking.Guessed | None]) -> int:
    """Prestart with ``guessed``, and wait until the process has run a few guessed jobs (it
    has none otherwise).  Its pid."""
    _LOG[:] = [str(log)]
    forking.prestart("os:getpid", guessed)
    pid = forking._PRESTARTED[0].pid
    deadline = time.monotonic() + 10
    while len(_runs(log)) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    return pid


def _joined_late(
    function: Callable[[int], tuple[int, int]], jobs: list[int]
) -> list[tuple[int, int]]:
    """``map_shared(function, jobs, 2)``, joined once the prestarted process has claimed its
    first batches, as ``cross`` joins (a batch claimed here first would be run here, whatever
    the other process made of it early)."""
    with forking.share(function, jobs, 2, batch=4) as started:
        time.sleep(0.2)
        return started.join()


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_guessed_jobs_run_before_the_share_are_not_run_again(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    jobs = list(range(40))
    pid = _prestart_guessing(log, lambda: (_logged, list(jobs)))
    early = _runs(log)
    assert len(early) >= 5 and {who for _, who in early} == {pid}
    made = _joined_late(_logged, jobs)
    assert [job for job, _ in made] == jobs
    # Each job ran once: the early ones are the prestarted process's results, not made again.
    assert sorted(job for job, _ in _runs(log)) == jobs
    assert all(made[job] == (job, pid) for job, _ in early)
    assert _gone(pid)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_guessed_jobs_that_are_not_the_ones_sent_are_dropped(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    jobs = list(range(40))
    # Right but for job 2: only that job is run again.
    guess = [job if job != 2 else 1000 for job in jobs]
    pid = _prestart_guessing(log, lambda: (_logged, guess))
    assert 1000 in [job for job, _ in _runs(log)]
    made = _joined_late(_logged, jobs)
    assert [job for job, _ in made] == jobs
    ran = sorted(job for job, _ in _runs(log))
    assert ran == sorted([*jobs, 1000])
    assert _gone(pid)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_guessed_jobs_of_another_function_are_dropped(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    jobs = list(range(40))
    # The guessed function's results differ from the real one's (three times the job): one
    # kept by mistake would show.
    pid = _prestart_guessing(log, lambda: (_logged_thrice, list(jobs)))
    made = _joined_late(_who, jobs)
    assert [job for job, _ in made] == jobs
    assert pid in {who for _, who in made}
    assert _gone(pid)


def _no_guess() -> forking.Guessed | None:
    raise OSError("the guess itself fails")


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_a_guess_that_fails_leaves_the_prestarted_process_waiting_for_its_jobs() -> None:
    forking.prestart("os:getpid", _no_guess)
    pid = forking._PRESTARTED[0].pid
    made = map_shared(_who, list(range(100)), 2)
    assert [job for job, _ in made] == list(range(100))
    assert {who for _, who in made} == {PARENT, pid}
    assert _gone(pid)


def _part(job: int) -> tuple[int, int]:
    return job * 3, os.getpid()


def _rest(job: int, made: tuple[int, int]) -> tuple[int, int, int]:
    return made[0] + job, made[1], os.getpid()


def _whole(job: int) -> tuple[int, int, int]:
    return _rest(job, _part(job))


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_the_prestarted_process_runs_the_light_part_and_this_process_the_rest(
    prestarted: int,
) -> None:
    jobs = list(range(64))
    with forking.share(_whole, jobs, 2, batch=4, light=(_part, _rest)) as started:
        time.sleep(0.3)
        made = started.join()
    assert [value for value, _, _ in made] == [4 * job for job in jobs]
    parts = {(part, rest) for _, part, rest in made}
    # Its jobs were completed here; those done here were done whole.
    assert (prestarted, PARENT) in parts
    assert parts <= {(prestarted, PARENT), (PARENT, PARENT)}
    assert _gone(prestarted)


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_the_light_jobs_of_a_prestarted_process_that_dies_are_done_whole_here(
    prestarted: int,
) -> None:
    os.kill(prestarted, signal.SIGKILL)
    with forking.share(_whole, list(range(40)), 2, light=(_part, _rest)) as started:
        made = started.join()
    assert made == [(4 * job, PARENT, PARENT) for job in range(40)]
    assert _gone(prestarted)


class _Incomparable:
    def __eq__(self, other: object) -> bool:
        raise TypeError("cannot be compared")

    __hash__ = object.__hash__


@pytest.mark.skipif(forking.default_workers() < 2, reason="prestarts with two cores or more")
def test_guessed_jobs_that_cannot_be_compared_are_dropped() -> None:
    odd = [_Incomparable() for _ in range(40)]
    forking.prestart("os:getpid", lambda: (_who_quickly, odd))
    pid = forking._PRESTARTED[0].pid
    time.sleep(0.3)
    made = _joined_late(_who_quickly, list(range(40)))
    assert [job for job, _ in made] == list(range(40))
    # It went on with the real jobs rather than failing on the comparison.
    assert pid in {who for _, who in made}
    assert _gone(pid)
