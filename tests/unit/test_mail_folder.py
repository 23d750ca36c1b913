"""The local mail catcher's folder: a reader of var/mail/*.eml sees whole messages only."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from notifications.mailcatcher import MailFolder


def test_a_message_is_seen_by_a_reader_of_eml_files_only_once_it_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = MailFolder(tmp_path)
    seen_while_written: list[list[Path]] = []
    rename = Path.rename

    def watched(self: Path, target: Path) -> Path:
        seen_while_written.append(list(tmp_path.glob("*.eml")))  # pathlib matches dot files
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", watched)
    envelope = SimpleNamespace(content=b"Subject: hello\r\n\r\nbody\r\n")
    # On a loop of its own thread: a browser test's Playwright, run earlier in this process,
    # may still hold this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(asyncio.run, folder.handle_DATA(None, None, envelope)).result()
    assert answer.startswith("250")
    assert seen_while_written == [[]]
    (written,) = tmp_path.glob("*.eml")
    assert written.read_bytes() == envelope.content
    assert [p.name for p in tmp_path.iterdir()] == [written.name]
