"""The per-test bound (bounded.py) can fail, fails only its test, and holds."""

from __future__ import annotations

import os
import time

import pytest

from bounded import GRACE_SECONDS, BoundExceeded, run_bounded


def _stuck_in_a_read():
    read_fd, _write_fd = os.pipe()
    os.read(read_fd, 1)            # no writer ever writes: blocks forever


def test_a_hang_is_killed_at_its_bound_and_reported_with_its_stack():
    started = time.monotonic()
    with pytest.raises(BoundExceeded) as info:
        run_bounded(_stuck_in_a_read, 1.0, label="stuck")
    took = time.monotonic() - started
    assert 1.0 <= took < 1.0 + GRACE_SECONDS + 5, took
    assert "stuck" in str(info.value) and "_stuck_in_a_read" in str(info.value)


def test_the_run_goes_on_after_a_hang():
    """The parent is intact: a second bounded call right after works."""
    with pytest.raises(BoundExceeded):
        run_bounded(_stuck_in_a_read, 0.5)
    assert run_bounded(lambda: None, 5.0) < 5.0


def test_failures_in_the_child_are_raised_in_the_parent():
    def fails():
        assert 1 + 1 == 3, "arithmetic"
    with pytest.raises(AssertionError, match="arithmetic"):
        run_bounded(fails, 10.0)

    def errs():
        raise KeyError("missing")
    with pytest.raises(KeyError, match="missing"):
        run_bounded(errs, 10.0)


def test_pytest_outcomes_in_the_child_are_the_parents():
    # Tests that bounded() forwards a skip raised in the child; nothing is skipped here.
    with pytest.raises(pytest.skip.Exception, match="no such device"):
        run_bounded(lambda: pytest.skip("no such device"), 10.0)
    with pytest.raises(pytest.fail.Exception, match="given up"):
        run_bounded(lambda: pytest.fail("given up"), 10.0)


def test_a_child_that_dies_without_a_result_fails():
    with pytest.raises(BoundExceeded, match="without a result"):
        run_bounded(lambda: os._exit(3), 10.0)


@pytest.fixture
def parent_pid():
    return os.getpid()              # fixtures run in the pytest process


@pytest.mark.bounded(30)
def test_the_marker_runs_the_body_in_a_child(parent_pid, tmp_path):
    """Fixtures come from the parent; the body runs in another process."""
    assert tmp_path.is_dir()
    assert os.getpid() != parent_pid
