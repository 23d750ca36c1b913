"""`python -m notifications.mailcatcher`: a local SMTP server that keeps each message it is sent
as a file under var/mail/, so that a developer sees the emails the system sends."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from supportmatch_core.paths import var_dir


class MailFolder:
    """An aiosmtpd handler that writes each message to `<folder>/<time>-<n>.eml`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self._count += 1
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self._count:06d}.eml"
        # Written under a name no reader of *.eml matches (pathlib's glob matches dot files),
        # then renamed: readers never see half a message, nor one that is about to move.
        draft = self.folder / f".{name}.part"
        draft.write_bytes(envelope.content)
        draft.rename(self.folder / name)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--folder", type=Path, default=None, help="default: var/mail/")
    args = parser.parse_args()
    folder = args.folder or var_dir() / "mail"
    controller = Controller(MailFolder(folder), hostname=args.host, port=args.port)
    try:
        controller.start()
    except (OSError, RuntimeError) as error:
        raise SystemExit(
            f"mail catcher: cannot listen on {args.host}:{args.port}: {error}"
        ) from error
    print(f"mail catcher on {args.host}:{args.port}, messages in {folder}/", flush=True)  # noqa: T201
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
