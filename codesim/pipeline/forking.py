"""Work shared between this process and children forked from it, each process taking the next
batch of jobs whenever it finishes one.

``map_shared(function, jobs, workers)`` is ``[function(job) for job in jobs]`` computed by
this process and ``workers - 1`` forked children:

- The children inherit the jobs, and everything else this process holds, when forked:
  nothing is sent to them.
- A batch is claimed by reading its number from one pipe that every process reads (each read
  of four bytes takes one number whole), so each batch runs once and a faster process takes
  more of them.  The numbers are all written, and the pipe's writing end closed, before the
  first fork: an empty pipe means the work is all claimed.
- A child sends each batch's results back pickled through a pipe of its own (between our own
  processes: nothing read from disk is unpickled).  This process reads those pipes after
  each of its own jobs, so a child seldom waits on a full pipe, and once no batch is left it
  waits for the children's last results.
- This process does its share itself: what it makes is never pickled.  Against a pool of
  ``workers`` children whose results all come back pickled, that saves the pickling of its
  share on both ends and a process competing for the cores.
- A child that dies (killed, out of memory, or any exception in ``function``) leaves its
  claimed batches unanswered; this process runs them itself once the others are done, so an
  exception surfaces here, with its traceback, and a killed child loses nothing.

Forking needs the ``fork`` start method (Linux, macOS); elsewhere everything runs here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import selectors
import struct
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from codesim.pipeline.orphans import exit_with_parent

_Job = TypeVar("_Job")
_Result = TypeVar("_Result")

_CLAIM = struct.Struct("<I")
"""A batch's number in the claims pipe."""
_FRAME = struct.Struct("<IQ")
"""A child's message: the batch's number and the length of its pickled results."""

_MAX_BATCHES = 4_000
"""Every batch number is written before any process reads one, so they must fit in a pipe's
buffer, 4 bytes a number: 16 KiB is the smallest default buffer of the systems that fork
(macOS; Linux's is 64 KiB).  More jobs make larger batches."""

_RESULT_PIPE_BYTES = 1 << 20
"""A child's result pipe is enlarged to this (Linux's default maximum for a process that is
not root) where the system allows it: a batch of results, a megabyte or so, then fits
without its child waiting for this process to read."""

_READ_BYTES = 1 << 20


class _Missing:
    """The slot of a result not made yet (``None`` can be a result)."""


_MISSING = _Missing()


def default_workers() -> int:
    """Processes to share work between by default: one per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def map_shared(
    function: Callable[[_Job], _Result],
    jobs: Sequence[_Job],
    workers: int,
    *,
    batch: int = 1,
    arrived: Callable[[int, _Result], None] | None = None,
) -> list[_Result]:
    """``[function(job) for job in jobs]``, shared between this process and ``workers - 1``
    forked children in batches of at most ``batch`` jobs, fewer towards the end (see the
    module).

    ``arrived(made, result)`` is called in this process for each result as it is made here
    or received from a child, in no particular order, with how many results have arrived
    so far (for progress); what it does to the result is done before the call returns, so
    processes forked afterwards inherit it.
    """
    processes = max(1, min(workers, len(jobs)))
    bounds = _batches(len(jobs), batch, processes)
    children = min(processes, len(bounds)) - 1
    results: list[_Result | _Missing] = [_MISSING] * len(jobs)
    made = 0
    receiving = _Receiving()

    def store(index: int, result: _Result) -> None:
        nonlocal made
        results[index] = result
        made += 1
        if arrived is not None:
            arrived(made, result)

    def receive(*, wait: bool) -> None:
        for number, batch_results in receiving.take(wait=wait):
            for index, result in enumerate(batch_results, start=bounds[number][0]):
                store(index, cast(_Result, result))

    def run(number: int) -> None:
        start, stop = bounds[number]
        for index in range(start, stop):
            if results[index] is _MISSING:
                store(index, function(jobs[index]))
                # After each job, not each batch: a child's batch of results may not fit in
                # its pipe, and it waits until this process reads (N = 400 in ``cross``: the
                # reading child waited 0.09-0.13 s of its 0.6 s, read after each batch).
                receive(wait=False)

    can_fork = children > 0 and "fork" in multiprocessing.get_all_start_methods()
    claims = _claims(len(bounds)) if can_fork else None
    if claims is None:
        for number in range(len(bounds)):
            run(number)
        return cast(list[_Result], results)
    finished = False
    forked: list[multiprocessing.process.BaseProcess] = []
    try:
        context = multiprocessing.get_context("fork")
        for _ in range(children):
            reading, writing = os.pipe()
            _enlarge(writing)
            child = context.Process(
                target=_child,
                args=(function, jobs, bounds, claims, writing, os.getpid()),
                daemon=True,
            )
            child.start()
            forked.append(child)
            os.close(writing)
            receiving.add(reading)
        while claim := os.read(claims, _CLAIM.size):
            run(_CLAIM.unpack(claim)[0])
        while receiving.open:
            receive(wait=True)
        # What a child claimed and never sent back: it died, or its function raised.
        for number in range(len(bounds)):
            run(number)
        finished = True
    finally:
        os.close(claims)
        receiving.close()
        for process in forked:
            # Every child has closed its pipe by now, unless this process is leaving on an
            # exception: the children's work is then of no use.
            process.join(timeout=1.0 if finished else 0)
            if process.is_alive():
                process.kill()
                process.join()
    return cast(list[_Result], results)


def _claims(batches: int) -> int | None:
    """The reading end of a pipe holding every batch number, its writing end closed; None
    when they do not all fit in the pipe's buffer (a system with smaller pipes than
    ``_MAX_BATCHES`` allows for), so that the work is done here rather than never."""
    claims, claiming = os.pipe()
    numbers = b"".join(_CLAIM.pack(number) for number in range(batches))
    try:
        os.set_blocking(claiming, False)
        written = os.write(claiming, numbers)
    except BlockingIOError:
        written = 0
    finally:
        os.close(claiming)
    if written == len(numbers):
        return claims
    os.close(claims)
    return None


def _batches(jobs: int, batch: int, processes: int) -> list[tuple[int, int]]:
    """The ``[start, stop)`` of each batch: ``batch`` jobs at most, and fewer towards the end
    (a share of what is left), so that the processes finish close together."""
    # Full batches take at most half of the claims pipe; the shrinking ones at the end number
    # about 2 * processes * ln(jobs), well under the other half for any jobs and cores.
    batch = max(1, batch, -(-jobs // (_MAX_BATCHES // 2)))
    bounds = []
    start = 0
    while start < jobs:
        size = max(1, min(batch, (jobs - start) // (2 * processes)))
        bounds.append((start, start + size))
        start += size
    return bounds


def _enlarge(pipe: int) -> None:
    import fcntl  # POSIX only, as forking is: imported here so the module loads everywhere

    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe, setting, _RESULT_PIPE_BYTES)


def _child(
    function: Callable[[_Job], _Result],
    jobs: Sequence[_Job],
    bounds: list[tuple[int, int]],
    claims: int,
    writing: int,
    parent: int,
) -> None:
    exit_with_parent(parent)
    try:
        while claim := os.read(claims, _CLAIM.size):
            (number,) = _CLAIM.unpack(claim)
            start, stop = bounds[number]
            made = [function(jobs[index]) for index in range(start, stop)]
            payload = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(writing, _FRAME.pack(number, len(payload)))
            _write_all(writing, payload)
    except BaseException:
        # The parent runs this batch again and meets the same exception there, with its
        # traceback: nothing to print twice from here.
        os._exit(1)
    os.close(writing)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Receiving:
    """The reading ends of the children's result pipes and what has come through each."""

    def __init__(self) -> None:
        self._buffers: dict[int, bytearray] = {}
        # A selector, not select.select, which refuses descriptors from 1,024 up (a process
        # embedding codesim may well hold that many); made with the first pipe.
        self._selector: selectors.BaseSelector | None = None

    @property
    def open(self) -> bool:
        """Whether any child may still send something."""
        return bool(self._buffers)

    def add(self, fd: int) -> None:
        """Read ``fd`` too (a new child's pipe)."""
        os.set_blocking(fd, False)
        self._buffers[fd] = bytearray()
        if self._selector is None:
            self._selector = selectors.DefaultSelector()
        self._selector.register(fd, selectors.EVENT_READ)

    def take(self, *, wait: bool) -> list[tuple[int, list[object]]]:
        """The batches complete now, as (batch number, results); with ``wait``, after waiting
        until some pipe has something (or is closed)."""
        if self._selector is None or not self._buffers:
            return []
        ready = self._selector.select(None if wait else 0)
        complete: list[tuple[int, list[object]]] = []
        for key, _ in ready:
            fd = key.fd
            buffer = self._buffers[fd]
            while True:
                try:
                    chunk = os.read(fd, _READ_BYTES)
                except BlockingIOError:
                    break
                if not chunk:
                    # The child is gone; an unfinished message of its is dropped.
                    self._selector.unregister(fd)
                    os.close(fd)
                    del self._buffers[fd]
                    break
                buffer += chunk
            complete.extend(_frames(buffer))
        return complete

    def close(self) -> None:
        """Stop reading every pipe."""
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        for fd in self._buffers:
            os.close(fd)
        self._buffers.clear()


def _frames(buffer: bytearray) -> list[tuple[int, list[object]]]:
    """The complete messages at the start of ``buffer``, removed from it."""
    found = []
    offset = 0
    while len(buffer) - offset >= _FRAME.size:
        number, length = _FRAME.unpack_from(buffer, offset)
        end = offset + _FRAME.size + length
        if len(buffer) < end:
            break
        found.append((number, pickle.loads(buffer[offset + _FRAME.size : end])))
        offset = end
    del buffer[:offset]
    return found
