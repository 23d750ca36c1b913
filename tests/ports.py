"""Loopback ports for the servers a test starts, apart for each xdist worker, and whether a
service on one answers ready."""

from __future__ import annotations

import itertools
import os
import random
import socket

import httpx

# Each xdist worker takes ports from a block of its own below the kernel's ephemeral range (32768
# up), so that neither another worker nor an outgoing connection takes a port a test will listen on.
FIRST_PORT, PORT_BLOCK, PORT_BLOCKS = 20_000, 1_000, 12


def worker_index() -> int:
    """0 for the first (or only) test process, 1 for xdist's gw1, and so on."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


# A random start, so that test runs of two checkouts at once rarely walk the same ports in step.
_port_offsets = itertools.count(random.randrange(PORT_BLOCK))


def free_port() -> int:
    """A loopback port nothing listens on, from this worker's block; never the same one twice
    in a row, so that a test asking for several gets distinct ones."""
    first = FIRST_PORT + (worker_index() % PORT_BLOCKS) * PORT_BLOCK
    for _ in range(PORT_BLOCK):
        port = first + next(_port_offsets) % PORT_BLOCK
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use, or closing (TIME_WAIT)
            return port
    raise RuntimeError(f"no free port in {first}-{first + PORT_BLOCK - 1}")


def answers_ready(url: str) -> bool:
    """Whether the service at `url` answers 200 on /readyz now (not listening yet: False)."""
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
