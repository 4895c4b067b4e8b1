"""An undo log for the greedy's transactions: every write is recorded with the value it replaced.

A move of the local search (bump firms, re-place them, keep it only if the
objective rises) is a transaction: :meth:`Journal.start`, the writes, then
:meth:`Journal.stop` to keep them or :meth:`Journal.undo` to restore every
written value exactly (no arithmetic is reversed, so no rounding creeps in).
Outside a transaction the journal writes without recording. :attr:`Journal.version`
counts the changes that stayed (every write outside a transaction, every kept
transaction): two equal versions mean the same state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_WRITE, _ADDED, _DISCARDED = 0, 1, 2


class Journal:
    """Records (kind, container, index, old value) before each write while a transaction is open."""

    def __init__(self) -> None:
        self._entries: list[tuple[int, Any, Any, Any]] | None = None
        self.version = 0

    @property
    def recording(self) -> bool:
        return self._entries is not None

    def start(self) -> None:
        self._entries = []

    def stop(self) -> None:
        """Keep what was written since :meth:`start`."""
        if self._entries:
            self.version += 1
        self._entries = None

    def touch(self) -> None:
        """Count a change made outside the journal (compensation credits, pins): never undone."""
        if self._entries is not None:  # pragma: no cover - a caller bug
            raise AssertionError("an unrecorded change inside a transaction")
        self.version += 1

    def write(self, array: np.ndarray, index: Any, value: Any) -> None:
        """``array[index] = value``, recorded."""
        if self._entries is not None:
            self._entries.append((_WRITE, array, index, array[index]))
        else:
            self.version += 1
        array[index] = value

    def save(self, array: np.ndarray, index: Any) -> None:
        """Record ``array[index]`` (a scalar or an index array) before the caller changes it in place."""
        if self._entries is not None:
            self._entries.append((_WRITE, array, index, array[index]))
        else:
            self.version += 1

    def add_to_set(self, sets: dict[int, set[int]], key: int, item: int) -> None:
        sets.setdefault(key, set()).add(item)
        if self._entries is not None:
            self._entries.append((_ADDED, sets, key, item))
        else:
            self.version += 1

    def discard_from_set(self, sets: dict[int, set[int]], key: int, item: int) -> None:
        sets[key].discard(item)
        if self._entries is not None:
            self._entries.append((_DISCARDED, sets, key, item))
        else:
            self.version += 1

    def undo(self) -> None:
        """Restore everything written since :meth:`start`, newest first, and close the transaction."""
        if self._entries is None:  # pragma: no cover - a caller bug
            raise AssertionError("undo outside a transaction")
        for kind, container, index, old in reversed(self._entries):
            if kind == _WRITE:
                container[index] = old
            elif kind == _ADDED:
                container.setdefault(index, set()).discard(old)
            else:
                container.setdefault(index, set()).add(old)
        self._entries = None
