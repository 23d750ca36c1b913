"""How a service process asks glibc's allocator to hold memory: fewer arenas, and large blocks
given back to the system when freed.

glibc's defaults suit a short program more than a service that lives for weeks with a few dozen
threads: each thread that allocates may get an arena of its own (up to eight per core), each
keeping what its thread freed; and after a large block (a broker's fetch, a service's answer) is
freed once, blocks of that size come from the arenas instead of the system, and stay there.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

# mallopt's parameters, from glibc's malloc.h.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8

ARENAS = 2  # for two cores; most allocations hold the interpreter lock anyway
LARGE_BLOCK = 128 * 1024  # glibc's own starting threshold, held fixed


def hold_memory_lightly() -> bool:
    """Apply the settings above; False where the C library is not glibc (they do not apply)."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        log.debug("not glibc: the allocator keeps its defaults")
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return all(
        mallopt(parameter, value) == 1
        for parameter, value in (
            (_M_ARENA_MAX, ARENAS),
            (_M_MMAP_THRESHOLD, LARGE_BLOCK),  # fixed: no longer raised by each large free
            (_M_TRIM_THRESHOLD, LARGE_BLOCK),
        )
    )
