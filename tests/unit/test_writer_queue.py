"""The queue of a process's writers of one SQLite file: in turn, in the order they came."""

from __future__ import annotations

import threading
import time

from supportmatch_core.db import WriterQueue


def _queued(queue: WriterQueue, count: int) -> None:
    deadline = time.monotonic() + 5
    while queue.waiting < count:
        assert time.monotonic() < deadline, "the writer never started waiting"
        time.sleep(0.001)


def test_waiting_writers_get_their_turn_in_the_order_they_came() -> None:
    queue, order = WriterQueue(), []
    release_first = threading.Event()

    def write(name: str, hold: threading.Event | None = None) -> None:
        with queue.turn() as granted:
            order.append(name if granted else f"{name} (not in turn)")
            if hold is not None:
                hold.wait(5)

    first = threading.Thread(target=write, args=("first", release_first))
    first.start()
    while not order:
        time.sleep(0.001)
    others = []
    for index, name in enumerate(("second", "third", "fourth"), start=1):
        others.append(threading.Thread(target=write, args=(name,)))
        others[-1].start()
        _queued(queue, index)
    release_first.set()
    for thread in [first, *others]:
        thread.join(5)
    assert order == ["first", "second", "third", "fourth"]
    assert queue.waiting == 0


def test_a_writer_that_waited_too_long_goes_on_and_the_next_still_gets_its_turn() -> None:
    queue = WriterQueue(timeout=0.05)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with queue.turn():
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    started = time.monotonic()
    with queue.turn() as granted:  # it goes on to SQLite's busy handler
        waited = time.monotonic() - started
    assert not granted
    assert 0.05 <= waited < 2
    assert queue.waiting == 0
    release.set()
    holder.join(5)
    with queue.turn() as granted:  # the turn was given back, not lost with the one that gave up
        assert granted
