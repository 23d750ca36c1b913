"""Domain errors: refusals in the domain's words, in English and Chinese, without HTTP.

Use cases and domain rules raise these; `problems.install_problem_handlers` maps each kind to its
problem (404, 409, 422, 403) in one place, so no route translates errors of its own.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; `zh` says the same in Chinese."""

    def __init__(self, message: str, *, zh: str | None = None) -> None:
        super().__init__(message)
        self.message, self.zh = message, zh


class NotFoundError(DomainError):
    """What was asked for does not exist (or is not the caller's to see)."""


class UnknownEnterprise(NotFoundError):
    """No such enterprise, or one the caller may not see: one answer for both, so that nobody can
    learn which USCCs exist by asking for firms that are not theirs."""

    def __init__(self, uscc: str) -> None:
        super().__init__(
            f"No enterprise {uscc} that you may see.", zh=f"没有您可查看的企业 {uscc}。"
        )


class ConflictError(DomainError):
    """The present state does not allow the step; `field`, when given, names what to change."""

    def __init__(self, message: str, *, zh: str | None = None, field: str | None = None) -> None:
        super().__init__(message, zh=zh)
        self.field = field


class RuleBroken(DomainError):
    """Input that breaks a domain rule; `field` names what to fix."""

    def __init__(self, field: str, message: str, *, zh: str | None = None) -> None:
        super().__init__(f"{field}: {message}", zh=zh)
        self.field, self.reason = field, message


class NotAllowed(DomainError):
    """The caller's role does not allow the step at all."""
