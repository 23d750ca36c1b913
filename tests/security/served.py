"""A service app served by uvicorn on 127.0.0.1 in a thread, for a caller that needs a real URL
(the portal calls the services over HTTP)."""

from __future__ import annotations

import threading
import time

import uvicorn
from fastapi import FastAPI

from tests.conftest import free_port


class Served:
    """`with Served(app) as served:` the app answers at `served.url` until the block ends."""

    def __init__(self, app: FastAPI) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        port = int(self.url.rsplit(":", 1)[1])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> Served:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the app did not start at {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
