"""Per-test time bounds that fail only the test that overran.

``run_bounded(function, seconds)`` runs `function` in a forked child. The
parent waits for the child's result on a pipe (``select``, no polling
sleep) for at most `seconds` plus a short grace; a child still running
then dumps every thread's stack (faulthandler, armed in the child for
`seconds`) and is killed, and the parent raises :class:`BoundExceeded` (an
AssertionError: the test fails, the run goes on). A result that arrives
is checked against the bound: a call that took longer than `seconds` fails
too, so the bound is asserted, not assumed. An exception in the child is
re-raised in the parent (pickled; with the child's traceback as a note).

The conftest hooks it to ``@pytest.mark.bounded(seconds)``: the test
function (after its fixtures ran in the parent) is the `function`. A hang
(a blocked read, a lock never released) no longer takes the whole pytest
run down with it, as a process-wide faulthandler watchdog did.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import tempfile
import time
import traceback

#: Extra seconds the parent waits past the bound for the child's result
#: (the child's own faulthandler fires at the bound and exits).
GRACE_SECONDS = 5.0


class BoundExceeded(AssertionError):
    """A bounded call ran past its bound (and was killed)."""


def _child(function, seconds: float, write_fd: int, stacks) -> None:
    """In the forked child: run, send the outcome, never return."""
    try:
        faulthandler.dump_traceback_later(seconds, exit=True, file=stacks)
        started = time.monotonic()
        try:
            function()
            payload = {"outcome": "ok"}
        except BaseException as error:      # every outcome goes to the parent
            # The frames only: the message travels with the pickled error.
            payload = {"outcome": "raised",
                       "text": "".join(traceback.format_tb(error.__traceback__)),
                       "summary": "".join(traceback.format_exception_only(error))}
            if type(error).__name__ in ("Skipped", "XFailed", "Failed") and hasattr(error, "msg"):
                # pytest's outcomes do not pickle: sent by name, raised again by name.
                payload["pytest"] = (type(error).__name__, error.msg)
            try:
                payload["error"] = pickle.dumps(error)
            except Exception:               # noqa: BLE001 - text is enough then
                payload["error"] = None
        payload["elapsed"] = time.monotonic() - started
        faulthandler.cancel_dump_traceback_later()
        data = pickle.dumps(payload)
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    finally:
        os._exit(0)


def run_bounded(function, seconds: float, *, label: str = "the call") -> float:
    """Runs `function()` in a forked child bounded by `seconds`; returns the
    seconds it took. Raises BoundExceeded when it overran, else what it raised."""
    stacks = tempfile.TemporaryFile()
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(function, seconds, write_fd, stacks)
    os.close(write_fd)
    chunks, killed = [], False
    deadline = started + seconds + GRACE_SECONDS
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                killed = True
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if ready:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    wall = time.monotonic() - started
    data = b"".join(chunks)
    if killed or not data:
        stacks.seek(0)
        dump = stacks.read().decode(errors="replace")
        stacks.close()
        how = ("killed after" if killed else
               f"ended (exit status {os.waitstatus_to_exitcode(status)}) without a result after")
        raise BoundExceeded(f"{label}: {how} {wall:.1f} s; bound {seconds} s\n"
                            f"{dump or '(no stack dump)'}")
    stacks.close()
    payload = pickle.loads(data)
    if payload["outcome"] == "raised" and payload.get("pytest"):
        import pytest
        kind, message = payload["pytest"]
        # Not a skip of its own: the test body, run in the bounded child, decided to skip (or
        # xfail); the parent re-raises that outcome so pytest reports what the body reported.
        if kind == "Skipped":
            pytest.skip(message)
        if kind == "XFailed":
            pytest.xfail(message)
        pytest.fail(f"{message}\n(in the bounded child)\n{payload['text']}", pytrace=False)
    if payload["outcome"] == "raised":
        error = pickle.loads(payload["error"]) if payload["error"] else None
        if error is None:
            raise AssertionError(f"{label} raised (in its bounded child):\n{payload['text']}"
                                 f"{payload['summary']}")
        if hasattr(error, "add_note"):
            error.add_note(f"(raised in the bounded child process, at)\n{payload['text']}")
        raise error
    elapsed = payload["elapsed"]
    if elapsed > seconds:
        raise BoundExceeded(f"{label}: took {elapsed:.1f} s, over its bound of {seconds} s")
    return elapsed
