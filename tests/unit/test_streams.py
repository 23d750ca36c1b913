"""An answer streamed from a generator holding a transaction closes it as soon as it ends: sent
whole, abandoned by the client, or failed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from supportmatch_core.streams import closed_when_done


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


async def test_a_whole_answer_ends_its_transaction() -> None:
    transaction = _Transaction()
    chunks = [chunk async for chunk in closed_when_done(transaction.lines(3))]
    assert chunks == [b"0\n", b"1\n", b"2\n"]
    assert not transaction.open


async def test_a_client_gone_ends_the_transaction_at_once() -> None:
    transaction = _Transaction()
    stream = closed_when_done(transaction.lines(1000))
    assert await anext(stream) == b"0\n"
    assert transaction.open
    await stream.aclose()  # what the server does when the client disconnects
    assert not transaction.open


async def test_a_failure_on_the_way_ends_the_transaction_and_is_raised() -> None:
    transaction = _Transaction()
    with pytest.raises(RuntimeError, match="went away"):
        [chunk async for chunk in closed_when_done(transaction.lines(2, failing=True))]
    assert not transaction.open
