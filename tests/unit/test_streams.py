"""An answer streamed from a generator holding a transaction closes it as soon as it ends: sent
whole, abandoned by the client, or failed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio
import pytest

from supportmatch_core.streams import closed_when_done

T = TypeVar("T")


def _run(read: Callable[[], Awaitable[T]]) -> T:
    """`read` on an event loop of its own, in a thread of its own, as a server runs it (and apart
    from whatever loop another test in this process left behind)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, read).result()


class _Transaction:
    def __init__(self) -> None:
        self.open = False

    def lines(self, count: int, *, failing: bool = False) -> Iterator[bytes]:
        self.open = True
        try:
            for n in range(count):
                yield f"{n}\n".encode()
            if failing:
                raise RuntimeError("the database went away")
        finally:
            self.open = False


def test_a_whole_answer_ends_its_transaction() -> None:
    async def read() -> list[bytes]:
        return [chunk async for chunk in closed_when_done(transaction.lines(3))]

    transaction = _Transaction()
    assert _run(read) == [b"0\n", b"1\n", b"2\n"]
    assert not transaction.open


def test_a_client_gone_ends_the_transaction_at_once() -> None:
    async def read_one() -> tuple[bytes, bool]:
        stream = closed_when_done(transaction.lines(1000))
        first = await anext(stream)
        was_open = transaction.open
        await stream.aclose()  # what the server does when the client disconnects
        return first, was_open

    transaction = _Transaction()
    assert _run(read_one) == (b"0\n", True)
    assert not transaction.open


def test_a_failure_on_the_way_ends_the_transaction_and_is_raised() -> None:
    async def read() -> list[bytes]:
        return [chunk async for chunk in closed_when_done(transaction.lines(2, failing=True))]

    transaction = _Transaction()
    with pytest.raises(RuntimeError, match="went away"):
        _run(read)
    assert not transaction.open
