"""The index's readers-writer lock: a swap never overlaps a search."""

from __future__ import annotations

import threading
import time

from knowledge.search.rwlock import ReadWriteLock


def test_a_writer_waits_for_readers_and_new_readers_wait_for_it() -> None:
    lock = ReadWriteLock()
    events: list[str] = []
    reader_in = threading.Event()
    release_reader = threading.Event()

    def long_reader() -> None:
        with lock.reading():
            events.append("reader 1 in")
            reader_in.set()
            release_reader.wait(5)
            events.append("reader 1 out")

    def writer() -> None:
        with lock.writing():
            events.append("writer")

    def late_reader() -> None:
        with lock.reading():
            events.append("reader 2")

    first = threading.Thread(target=long_reader)
    first.start()
    assert reader_in.wait(5)
    write = threading.Thread(target=writer)
    write.start()
    time.sleep(0.05)  # the writer is now waiting for reader 1
    late = threading.Thread(target=late_reader)
    late.start()
    time.sleep(0.05)
    assert events == ["reader 1 in"]  # neither the writer nor the late reader got in
    release_reader.set()
    for thread in (first, write, late):
        thread.join(5)
    assert events == ["reader 1 in", "reader 1 out", "writer", "reader 2"]


def test_readers_share_the_lock() -> None:
    lock = ReadWriteLock()
    inside = threading.Barrier(3, timeout=5)

    def reader() -> None:
        with lock.reading():
            inside.wait()  # all three inside at once, or the barrier times out

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert not inside.broken
