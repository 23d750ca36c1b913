"""An error whose message is said in English and in Chinese, for callers in either language."""

from __future__ import annotations


class SaidValueError(ValueError):
    """A ValueError with its message in Chinese beside the English one (`zh`)."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh
