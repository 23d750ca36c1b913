"""A service process asks glibc's allocator for fewer arenas and a fixed threshold for large
blocks; where the C library is not glibc, nothing is asked and nothing fails."""

from __future__ import annotations

import ctypes

import pytest

from supportmatch_core import allocator


def test_glibc_takes_every_setting() -> None:
    assert allocator.hold_memory_lightly() is True


def test_another_c_library_keeps_its_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_glibc(name: str) -> ctypes.CDLL:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_glibc)
    assert allocator.hold_memory_lightly() is False
