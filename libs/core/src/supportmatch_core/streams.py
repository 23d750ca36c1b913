"""Answers streamed from a generator that holds a database transaction (an export)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from typing import TypeVar

import anyio
from anyio import to_thread

Chunk = TypeVar("Chunk", str, bytes)


async def closed_when_done(chunks: Iterator[Chunk]) -> AsyncGenerator[Chunk, None]:
    """`chunks` read one at a time in the thread pool (each read may wait on the database) and
    closed there as soon as the answer ends, sent whole, failed or abandoned by the client, so
    the transaction it holds ends then rather than whenever the generator is collected."""
    try:
        while (chunk := await to_thread.run_sync(next, chunks, None)) is not None:
            yield chunk
    finally:
        with anyio.CancelScope(shield=True):
            await to_thread.run_sync(_close, chunks)


def _close(chunks: Iterator[Chunk]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
