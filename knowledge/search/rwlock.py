"""A readers-writer lock: many searches at once, or one index swap alone.

A search reads several parts of the index (restorer, lexical index, vector mirror, cached
records); a reload replaces them all. Searches hold `reading()`, the reload's swap holds
`writing()`, so no search ever sees some parts old and some new. The swap is a handful of
assignments (the new state is built beforehand, outside the lock), so searches wait for it
microseconds; a waiting writer keeps new readers out, so a busy server still reloads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadWriteLock:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()
