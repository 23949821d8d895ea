"""Locks that survive fork(): each registered object's ``_lock`` is re-made in
a forked child, since one held by another thread at fork time would otherwise
stay held forever there (PyTorch DataLoader workers fork)."""

from __future__ import annotations

import os
import threading
import weakref

__all__ = ["register"]

_owners: "weakref.WeakSet" = weakref.WeakSet()


def register(owner) -> None:
    """Gives `owner` a fresh ``_lock`` now and in every forked child."""
    owner._lock = threading.Lock()
    _owners.add(owner)


def _after_fork_in_child() -> None:
    for owner in list(_owners):
        owner._lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
