"""A service process asks glibc's allocator for fewer arenas and a fixed threshold for large
blocks; where the C library is not glibc, nothing is asked and nothing fails."""

from __future__ import annotations

import ctypes
import platform
import subprocess
import sys

import pytest

from supportmatch_core import allocator


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the settings are glibc's")
def test_glibc_takes_every_setting() -> None:
    script = "from supportmatch_core.allocator import hold_memory_lightly as h; print(h())"
    answer = subprocess.run(  # in a process of its own: the test run keeps its allocator
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert answer.stdout.strip() == "True"


def test_another_c_library_keeps_its_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_glibc(name: str) -> ctypes.CDLL:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_glibc)
    assert allocator.hold_memory_lightly() is False
