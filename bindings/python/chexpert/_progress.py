"""The optional tqdm progress bar (``pip install tqdm``)."""

from __future__ import annotations

__all__ = ["tqdm"]


def tqdm():
    """tqdm.auto.tqdm, or an ImportError saying how to get it."""
    try:
        from tqdm.auto import tqdm as bar
    except ImportError as error:
        raise ImportError(f"progress=True needs tqdm (pip install tqdm): {error}") from None
    return bar
