"""The caseworkers' work queue: one measure's firms by status, with the facts each still needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from eligibility.domain.decision import Status

# The statuses a queue lists: a firm with no chance of a measure is not work for anyone.
QUEUED = (Status.ELIGIBLE, Status.POSSIBLY_ELIGIBLE)
# Counts stop here ("more than 10,000"): beyond it a caseworker narrows the list or exports it,
# and a page costs the same in a province of a million firms as in a county.
COUNT_CAP = 10_000
# A count filtered on the firm's industry, size, ownership or a missing fact looks among this many
# of a status's rows: past them, the count is what was found ("at least"), so that a filter few
# firms match in a measure most firms qualify for does not read the country's rows for each page
# (a filter too rare for that is counted in full, ADR 0039).
COUNT_READ = 50_000


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which firms of one measure a queue lists. `provinces` None: every province (an admin)."""

    measure_id: str
    provinces: frozenset[str] | None = None
    status: Status | None = None  # None: eligible and possibly eligible
    region: str | None = None  # east, central, west, northeast
    city: str | None = None
    industry: str | None = None  # a GB/T 4754 code or its prefix: section letter, division…
    size: str | None = None
    ownership: str | None = None
    certification: str | None = None  # a kind held and valid on `on`
    missing: str | None = None  # a fact the firm still has to give
    query: str | None = None  # part of the name, or the start of the USCC
    case: Literal["open", "none"] | None = None  # a case being worked on; no case at all
    assignee: str | None = None  # its case is assigned to this caseworker account


@dataclass(frozen=True, slots=True)
class QueuedFirm:
    uscc: str
    measure_id: str
    name: str | None
    city: str | None
    province_code: str
    region: str | None
    industry_code: str
    size_class: str | None
    ownership: str | None
    status: Status
    measure_version: int
    evaluated_on: date
    missing: tuple[str, ...]  # fact names; empty while the determination waits to be explained
    explained: bool
    # While it waits: the facts it was decided on, to explain it where it is shown (ADR 0009).
    facts: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class QueuePage:
    firms: list[QueuedFirm]
    after: str | None  # the USCC to continue from; None on the last page
    # Per queued status, under every filter but the status, up to COUNT_CAP + 1 ("more than").
    counts: dict[Status, int]
    # Per fact still to give: how many of the listed firms lack it, under every filter but the
    # missing fact; None when not known exactly (more firms than the cap, or some of them wait
    # for the Explainer).
    missing_counts: dict[str, int] | None
    cap: int = COUNT_CAP  # where the counts stop
    read: int = COUNT_READ  # the rows of each status a count filtered on the place reads
    # The statuses whose count stopped after reading `read` rows, short of the cap: at least
    # that many.
    partly_counted: frozenset[Status] = frozenset()

    @property
    def capped(self) -> bool:
        """Whether a count is not exact: more than `cap`, or at least what was counted."""
        return bool(self.partly_counted) or any(n > self.cap for n in self.counts.values())


# The facts of a firm's projection that place it in the work queue, with its city (ADR 0037).
PLACE_FACTS = ("province_code", "industry_code", "size_class", "ownership")


def place_of(facts: Mapping[str, Any], city: str | None) -> dict[str, Any]:
    """The firm's place in the work queue, as each of its determinations carries it."""
    return {name: facts.get(name) for name in PLACE_FACTS} | {"city": city}


def name_grams(text: str) -> set[str]:
    """The pairs of neighbouring characters of a name or a search, spaces left out, letters in
    one case: "华信科技" gives 华信, 信科, 科技."""
    plain = "".join(text.split()).casefold()
    return {plain[i : i + 2] for i in range(len(plain) - 1)}
