"""Work shared between this process and children forked from it, each process taking the next
batch of jobs whenever it finishes one.

``map_shared(function, jobs, workers)`` is ``[function(job) for job in jobs]`` computed by
this process and ``workers - 1`` forked children (``share`` starts them, ``join`` is when this
process takes its share):

- The children inherit the jobs, and everything else this process holds, when forked:
  nothing is sent to them.  The exception is the child ``prestart`` forked earlier, before
  the jobs existed: it is sent the function, by reference, and the jobs, pickled.  Until
  they arrive it may run the jobs it was told to expect (``prestart``'s ``guess``); those of
  them that turn out to be jobs it is sent are not run again.
- A batch is claimed by reading its number from one pipe that every process reads (each read
  of four bytes takes one number whole), so each batch runs once and a faster process takes
  more of them.  The numbers are all written, and the pipe's writing end closed, before any
  process reads one: an empty pipe means the work is all claimed.
- A child sends each batch's results back pickled through a pipe of its own (between our own
  processes: nothing read from disk is unpickled), as the pipe has room, going on with its
  jobs meanwhile (``_Outbox``).  This process reads those pipes after each of its own jobs,
  and once no batch is left it waits for the children's last results.
- This process does its share itself: what it makes is never pickled.  Against a pool of
  ``workers`` children whose results all come back pickled, that saves the pickling of its
  share on both ends and a process competing for the cores.
- A child that dies (killed, out of memory, or any exception in ``function``) leaves its
  claimed batches unanswered; this process runs them itself once the others are done, so an
  exception surfaces here, with its traceback, and a killed child loses nothing.

Forking needs the ``fork`` start method (Linux, macOS); elsewhere everything runs here.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import importlib
import os
import pickle
import select
import selectors
import signal
import struct
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, cast

from codesim.pipeline.orphans import exit_with_parent

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

_Job = TypeVar("_Job")
_Result = TypeVar("_Result")

Light = tuple[Callable[[_Job], Any], Callable[[_Job, Any], _Result]]
"""What a prestarted process runs instead of the function, and what completes its results
(``share``)."""

Guessed = tuple[Callable[[Any], object], Sequence[Any]]
"""A function and the jobs a prestarted child expects to be sent (``prestart``)."""
Guess = Callable[[], Guessed | None]

_CLAIM = struct.Struct("<I")
"""A batch's number in the claims pipe."""
_FRAME = struct.Struct("<IQ")
"""A child's message: the batch's number and the length of its pickled results."""

_CAN_FORK = hasattr(os, "fork")
"""Whether this system forks (multiprocessing's ``fork`` start method is there exactly then)."""

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


def sharing(workers: int, jobs: int, *, least: int = 0) -> int:
    """How many of ``workers`` processes should share ``jobs`` jobs: one when there are too
    few to share, fewer than two a process or than ``least`` (below which a forked child
    costs about what it saves)."""
    return workers if jobs >= max(2 * workers, least) else 1


def map_shared(
    function: Callable[[_Job], _Result],
    jobs: Sequence[_Job],
    workers: int,
    *,
    batch: int = 1,
    arrived: Callable[[int, _Result], None] | None = None,
) -> list[_Result]:
    """``[function(job) for job in jobs]``, shared between this process and ``workers - 1``
    children in batches of at most ``batch`` jobs, fewer towards the end (see the module).

    ``arrived(made, result)`` is called in this process for each result as it is made here
    or received from a child, in no particular order, with how many results have arrived
    so far (for progress); what it does to the result is done before the call returns, so
    processes forked afterwards inherit it.
    """
    with share(function, jobs, workers, batch=batch) as shared:
        return shared.join(arrived)


def share(
    function: Callable[[_Job], _Result],
    jobs: Sequence[_Job],
    workers: int,
    *,
    batch: int = 1,
    light: Light[_Job, _Result] | None = None,
) -> Shared[_Job, _Result]:
    """``map_shared``'s children, started now on ``jobs``; this process takes its share when
    it calls ``join`` on what this returns, used as a context manager (leaving it without
    ``join`` stops the children).  Meanwhile this process is free to do other work: import
    what it will need next, read something else.

    The process ``prestart`` made, when one waits, is the first child: it receives
    ``function`` and ``jobs`` pickled (``function`` by reference, so a module-level function
    that may import what it needs when first called), where forked children inherit them.
    With ``light``, ``(part, rest)``, it runs ``part`` instead, which needs less imported,
    and each of its results is completed here as ``rest(job, result)``:
    ``rest(job, part(job))`` must be ``function(job)``.
    """
    return Shared(function, jobs, workers, batch, light)


class Shared(Generic[_Job, _Result]):
    """Jobs being done by children started by ``share``, until ``join``."""

    def __init__(
        self,
        function: Callable[[_Job], _Result],
        jobs: Sequence[_Job],
        workers: int,
        batch: int,
        light: Light[_Job, _Result] | None = None,
    ) -> None:
        self._function = function
        self._jobs = jobs
        self._light = light
        processes = max(1, min(workers, len(jobs)))
        self._bounds = _batches(len(jobs), batch, processes)
        self._receiving = _Receiving()
        self._forked: list[BaseProcess] = []
        self._prestarted: _Prestarted | None = None
        self._claims: int | None = None
        children = min(processes, len(self._bounds)) - 1
        waiting = _take_prestarted()
        if children <= 0 or not _CAN_FORK:
            if waiting is not None:
                waiting.release()
            return
        try:
            if waiting is not None:
                task = _task(function if light is None else light[0], jobs, self._bounds)
                if task is not None and waiting.start(task, len(self._bounds)):
                    self._claims = waiting.claims
                    self._prestarted = waiting
                    self._receiving.add(waiting.results)
                    children -= 1
                else:
                    waiting.release()
            if self._claims is None:
                self._claims = _claims(len(self._bounds))
            if self._claims is not None:
                self._fork(children)
        except BaseException:
            self._stop(finished=False)
            raise

    def _fork(self, children: int) -> None:
        assert self._claims is not None
        # Imported when a child is forked: a prestarted process forks without it, and needs
        # none of it (7 ms of the command line's start before that fork).
        import multiprocessing

        context = multiprocessing.get_context("fork")
        for _ in range(children):
            reading, writing = os.pipe()
            _enlarge(writing)
            child = context.Process(
                target=_forked_child,
                args=(os.getpid(), self._function, self._jobs, self._bounds, self._claims, writing),
                daemon=True,
            )
            child.start()
            self._forked.append(child)
            os.close(writing)
            self._receiving.add(reading)

    def join(self, arrived: Callable[[int, _Result], None] | None = None) -> list[_Result]:
        """Every job's result, in job order: this process takes batches until none is left,
        then waits for the children's (see ``map_shared`` for ``arrived``)."""
        function, jobs, bounds = self._function, self._jobs, self._bounds
        results: list[_Result | _Missing] = [_MISSING] * len(jobs)
        made = 0

        def store(index: int, result: _Result) -> None:
            nonlocal made
            results[index] = result
            made += 1
            if arrived is not None:
                arrived(made, result)

        # What comes through the prestarted process's pipe is light[0]'s, completed here.
        rest, light_pipe = None, None
        if self._light is not None and self._prestarted is not None:
            rest, light_pipe = self._light[1], self._prestarted.results

        def receive(*, wait: bool) -> None:
            for fd, number, batch_results in self._receiving.take(wait=wait):
                for index, result in enumerate(batch_results, start=bounds[number][0]):
                    if rest is not None and fd == light_pipe:
                        result = rest(jobs[index], result)
                    store(index, cast(_Result, result))

        def run(number: int) -> None:
            start, stop = bounds[number]
            for index in range(start, stop):
                if results[index] is _MISSING:
                    store(index, function(jobs[index]))
                    # After each job, not each batch: what a child's pipe cannot take waits in
                    # the child's memory until this process reads.
                    receive(wait=False)

        finished = False
        try:
            if self._claims is not None:
                while True:
                    # Results to complete here come before new work: the prestarted process
                    # sends them as its pipe has room, so that one begun is whole soon, and
                    # it has nothing else to do with them.
                    if rest is not None:
                        receive(wait=False)
                        while self._receiving.partial:
                            receive(wait=True)
                    claim = os.read(self._claims, _CLAIM.size)
                    if not claim:
                        break
                    run(_CLAIM.unpack(claim)[0])
                while self._receiving.open:
                    receive(wait=True)
            # What a child claimed and never sent back: it died, or its function raised; and
            # every batch when there are no children.
            for number in range(len(bounds)):
                run(number)
            finished = True
        finally:
            self._stop(finished=finished)
        return cast(list[_Result], results)

    def __enter__(self) -> Shared[_Job, _Result]:
        return self

    def __exit__(self, *_: object) -> None:
        self._stop(finished=False)

    def _stop(self, *, finished: bool) -> None:
        """Close the pipes and end the children (at once unless ``finished``); idempotent."""
        if self._claims is not None:
            os.close(self._claims)
            self._claims = None
        self._receiving.close()
        for process in self._forked:
            # Every child has closed its pipe by now, unless this process is leaving on an
            # exception: the children's work is then of no use.
            process.join(timeout=1.0 if finished else 0)
            if process.is_alive():
                process.kill()
                process.join()
        self._forked.clear()
        if self._prestarted is not None:
            self._prestarted.end(wait=1.0 if finished else 0)
            self._prestarted = None


def _claims(batches: int) -> int | None:
    """The reading end of a pipe holding every batch number, its writing end closed; None
    when they do not all fit in the pipe's buffer (a system with smaller pipes than
    ``_MAX_BATCHES`` allows for), so that the work is done here rather than never."""
    claims, claiming = os.pipe()
    if _fill_claims(claiming, batches):
        return claims
    os.close(claims)
    return None


def _fill_claims(claiming: int, batches: int) -> bool:
    """Write every batch number into the claims pipe's writing end and close it; False when
    they do not all fit in its buffer."""
    numbers = b"".join(_CLAIM.pack(number) for number in range(batches))
    try:
        os.set_blocking(claiming, False)
        written = os.write(claiming, numbers)
    except BlockingIOError:
        written = 0
    finally:
        os.close(claiming)
    return written == len(numbers)


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


def _enlarge(pipe: int, size: int = _RESULT_PIPE_BYTES) -> None:
    import fcntl  # POSIX only, as forking is: imported here so the module loads everywhere

    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe, setting, size)


def _forked_child(
    parent: int,
    function: Callable[[_Job], _Result],
    jobs: Sequence[_Job],
    bounds: list[tuple[int, int]],
    claims: int,
    writing: int,
) -> None:
    exit_with_parent(parent)
    _child(function, jobs, bounds, claims, writing)


def _child(
    function: Callable[[_Job], _Result],
    jobs: Sequence[_Job],
    bounds: list[tuple[int, int]],
    claims: int,
    writing: int,
    early: dict[int, object] | None = None,
) -> None:
    """A child's work: claim batches and send their results, of which ``early`` (by index)
    are made already."""
    try:
        outbox = _Outbox(writing)
        while claim := os.read(claims, _CLAIM.size):
            (number,) = _CLAIM.unpack(claim)
            start, stop = bounds[number]
            made = []
            for index in range(start, stop):
                if early and index in early:
                    made.append(early.pop(index))
                else:
                    made.append(function(jobs[index]))
                    outbox.send()
            payload = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)
            outbox.add(_FRAME.pack(number, len(payload)))
            outbox.add(payload)
        outbox.flush()
    except BaseException:
        # The parent runs this batch again and meets the same exception there, with its
        # traceback: nothing to print twice from here.
        os._exit(1)
    os.close(writing)


class _Outbox:
    """A child's results on their way through its pipe, sent as the pipe has room.

    Written whole instead, a batch larger than the pipe (16 submissions of ``cross`` at
    N = 100: about 1.5 MB) held the child until the parent next read, which it does between
    its own jobs, after its imports for the first batch: the prestarted reading child waited
    35-50 ms on its first batch (traced, three runs).  Now it goes on with the next batch.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._waiting: collections.deque[memoryview] = collections.deque()
        os.set_blocking(fd, False)

    def add(self, data: bytes) -> None:
        """Send ``data`` after what waits, as much of it as fits now."""
        self._waiting.append(memoryview(data))
        self.send()

    def send(self) -> None:
        """Send what waits, as much as the pipe takes now."""
        waiting = self._waiting
        while waiting:
            try:
                sent = os.write(self._fd, waiting[0])
            except BlockingIOError:
                return
            if sent == len(waiting[0]):
                waiting.popleft()
            else:
                waiting[0] = waiting[0][sent:]

    def flush(self) -> None:
        """Send everything that waits, waiting for the pipe as long as it takes."""
        os.set_blocking(self._fd, True)
        while self._waiting:
            _write_all(self._fd, self._waiting.popleft())


def _write_all(fd: int, data: bytes | memoryview) -> None:
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

    @property
    def partial(self) -> bool:
        """Whether a child has sent part of a message."""
        return any(self._buffers.values())

    def add(self, fd: int) -> None:
        """Read ``fd`` too (a new child's pipe)."""
        os.set_blocking(fd, False)
        self._buffers[fd] = bytearray()
        if self._selector is None:
            self._selector = selectors.DefaultSelector()
        self._selector.register(fd, selectors.EVENT_READ)

    def take(self, *, wait: bool) -> list[tuple[int, int, list[object]]]:
        """The batches complete now, as (pipe, batch number, results); with ``wait``, after
        waiting until some pipe has something (or is closed)."""
        if self._selector is None or not self._buffers:
            return []
        ready = self._selector.select(None if wait else 0)
        complete: list[tuple[int, int, list[object]]] = []
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
            complete.extend((fd, number, results) for number, results in _frames(buffer))
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
    # Unpickled from a view of the buffer, not a copy of each message (a batch of ``cross``
    # is about 1.5 MB at N = 100); the view is released before the buffer is cut.
    with memoryview(buffer) as view:
        while len(buffer) - offset >= _FRAME.size:
            number, length = _FRAME.unpack_from(buffer, offset)
            end = offset + _FRAME.size + length
            if len(buffer) < end:
                break
            with view[offset + _FRAME.size : end] as message:
                found.append((number, pickle.loads(message)))
            offset = end
    del buffer[:offset]
    return found


_TASK = struct.Struct("<Q")
"""The length of the prestarted process's task, before the task."""

_TASK_PIPE_BYTES = 1 << 20
"""The task pipe is enlarged to this where the system allows, so that sending the task does
not wait for the process to have imported its modules: ``cross``'s 5,000 submissions make a
task of 0.33 MB.  A larger one waits, no longer than those imports take."""

_PRESTARTED: list[_Prestarted] = []
"""The process ``prestart`` made, until a ``share`` takes it (at most one)."""


def prestart(warm_up: str, guess: Guess | None = None) -> None:
    """Fork, now, the first child of this process's next ``share``, and have it get ready
    for its jobs while this process goes on: ``warm_up``, a ``"module:function"``, is
    imported and, unless there are guessed jobs to run (below), called there (the module
    being what the jobs need, the function making what they would make on first use).

    Meant for a command line that knows which command runs before it has imported what the
    command needs: the child's imports then overlap this process's own (flags, options,
    finding the inputs) on another core, and it starts on its jobs as soon as ``share``
    sends them, rather than once this process has imported everything itself.  Nothing
    happens where the process cannot fork or has one core; a process that never calls
    ``share`` leaves it waiting until this one exits, when it ends too.

    ``guess``, called in the child after ``warm_up``, names the function and jobs the
    command line expects ``share`` to send (None: no guess).  The child runs them, in order,
    until the real ones arrive; each result whose job turns out to be the real job at that
    index (``==``), for the same function, is kept rather than made again, and the rest are
    dropped.
    A wrong guess costs only what the child would have spent waiting.
    """
    if _PRESTARTED or not _CAN_FORK or default_workers() < 2:
        return
    claims, claiming = os.pipe()
    tasks, telling = os.pipe()
    results, sending = os.pipe()
    _enlarge(telling, _TASK_PIPE_BYTES)
    _enlarge(sending)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        for fd in (claiming, telling, results):
            os.close(fd)
        _serve(warm_up, guess, claims, tasks, sending, parent)
    for fd in (tasks, sending):
        os.close(fd)
    _PRESTARTED.append(_Prestarted(pid, claims, claiming, telling, results))


def _take_prestarted() -> _Prestarted | None:
    return _PRESTARTED.pop() if _PRESTARTED else None


class _Prestarted:
    """This process's ends of the pipes to the process ``prestart`` made."""

    def __init__(self, pid: int, claims: int, claiming: int, telling: int, results: int) -> None:
        self.pid = pid
        self.claims = claims
        """The claims pipe's reading end, which this process claims batches from too."""
        self._claiming: int | None = claiming
        """The claims pipe's writing end, until ``start`` fills and closes it."""
        self._telling: int | None = telling
        self.results = results
        """Where the process sends its results (``_Receiving`` takes it over)."""

    def start(self, task: bytes, batches: int) -> bool:
        """Write every batch number into the claims pipe, then send the task (``_task``) and
        close the task pipe; False, nothing sent, when the numbers do not fit (``_claims``).
        A process that died meanwhile is left to ``end``: its claimed batches are done by
        the caller."""
        assert self._claiming is not None and self._telling is not None
        claiming, self._claiming = self._claiming, None
        if not _fill_claims(claiming, batches):
            return False
        with contextlib.suppress(BrokenPipeError):
            _write_all(self._telling, _TASK.pack(len(task)) + task)
        os.close(self._telling)
        self._telling = None
        return True

    def release(self) -> None:
        """No work for it after all: it is stopped."""
        for fd in (self.claims, self._claiming, self.results):
            if fd is not None:
                os.close(fd)
        self._claiming = None
        self.end(wait=0)

    def end(self, *, wait: float) -> None:
        """Reap the process, waiting up to ``wait`` seconds for it to exit, then killing it
        (its pipes are closed by then, or its work is of no use)."""
        if self._telling is not None:
            os.close(self._telling)
            self._telling = None
        deadline = time.monotonic() + wait
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() >= deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                return
            time.sleep(0.001)


def _task(
    function: Callable[[_Job], _Result], jobs: Sequence[_Job], bounds: list[tuple[int, int]]
) -> bytes | None:
    """What the prestarted process needs to take its share, pickled; None when it cannot be
    (a function that is not module-level: forked children are used instead)."""
    try:
        return pickle.dumps((function, jobs, bounds), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        return None


def _serve(
    warm_up: str, guess: Guess | None, claims: int, tasks: int, sending: int, parent: int
) -> NoReturn:
    """The prestarted process: ``warm_up``, the guessed jobs until the task arrives, then
    ``_child`` on the task."""
    code = 1
    try:
        # Nothing is printed from here, and a process holding the parent's stdout or stderr
        # would keep a pipe reading them open after the parent has exited.
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        os.close(quiet)
        # Its objects are short-lived, as those of the calls that ``share`` serves, during
        # which the parent pauses the collector too.
        gc.disable()
        module, _, name = warm_up.partition(":")
        warm = getattr(importlib.import_module(module), name)
        exit_with_parent(parent)
        guessed = _guessed(guess)
        if guessed is None:
            warm()
        # The first guessed job makes whatever the warm-up would have.
        early = {} if guessed is None else _until_task(guessed, tasks)
        task = _read_task(tasks)
        os.close(tasks)
        if task is not None:
            function, jobs, bounds = pickle.loads(task)
            if guessed is not None:
                early = _kept(early, guessed, function, jobs)
            _child(function, jobs, bounds, claims, sending, early)
        code = 0
    finally:
        os._exit(code)


def _guessed(guess: Guess | None) -> Guessed | None:
    # A guess is only a guess: whatever goes wrong with it, the child waits for its task as
    # it would without one.
    try:
        return None if guess is None else guess()
    except Exception:
        return None


def _until_task(guessed: Guessed, tasks: int) -> dict[int, object]:
    """The guessed jobs' results, by index, run in order until the task pipe has something to
    read (the task, or its end when no task comes)."""
    function, jobs = guessed
    early: dict[int, object] = {}
    for index, job in enumerate(jobs):
        if select.select([tasks], [], [], 0)[0]:
            break
        try:
            early[index] = function(job)
        except Exception:
            # Were it the real job, the exception would reach the parent, which runs the job
            # again when its child fails: it is left for then.
            break
    return early


def _kept(
    early: dict[int, object],
    guessed: Guessed,
    function: Callable[[Any], object],
    jobs: Sequence[Any],
) -> dict[int, object]:
    """The results of ``early`` whose guessed job is the task's job at the same index, for the
    same function: the others answer another question."""
    if guessed[0] is not function:
        return {}
    made = guessed[1]
    try:
        return {i: result for i, result in early.items() if i < len(jobs) and made[i] == jobs[i]}
    except Exception:  # jobs that cannot be compared: none is known to be the same
        return {}


def _read_task(tasks: int) -> bytes | None:
    """The task, or None once the parent closed the pipe without sending one."""
    header = _read_exactly(tasks, _TASK.size)
    if header is None:
        return None
    return _read_exactly(tasks, _TASK.unpack(header)[0])


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, min(size - len(data), _READ_BYTES))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
