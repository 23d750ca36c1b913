"""The innovative-SME score of 工信部企业〔2022〕63号, from a firm's facts, as far as they decide it.

Bands (FACTS.md 2): R&D/revenue and core IP make the innovation score (40), revenue growth and the
debt ratio the growth score (30), the main-business share and the field the specialisation score
(30). A firm qualifies with 60 in all and at least 20, 15 and 15 in the three parts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Bounds = tuple[int, int]  # the least and the most points the known facts allow

THRESHOLDS = {
    "innovative_sme_score": 60,
    "innovative_sme_score_innovation": 20,
    "innovative_sme_score_growth": 15,
    "innovative_sme_score_specialisation": 15,
}


def _banded(value: float | None, bands: tuple[tuple[float, int], ...], *, lower: bool) -> Bounds:
    """Points of the first band `value` reaches (at least, or at most when `lower`)."""
    most = bands[0][1]
    if value is None:
        return 0, most
    for edge, points in bands:
        if (value <= edge) if lower else (value >= edge):
            return points, points
    return 0, 0


def _rd(facts: Mapping[str, Any]) -> Bounds:
    return _banded(facts.get("rd_ratio"), ((5, 20), (3, 15), (2, 10), (1, 5)), lower=False)


def _growth(facts: Mapping[str, Any]) -> Bounds:
    return _banded(facts.get("revenue_growth"), ((15, 20), (10, 15), (5, 10), (0, 5)), lower=False)


def _debt(facts: Mapping[str, Any]) -> Bounds:
    return _banded(facts.get("debt_ratio"), ((55, 10), (75, 5)), lower=True)


def _share(facts: Mapping[str, Any]) -> Bounds:
    bands = ((70, 20), (60, 15), (55, 10), (50, 5))
    return _banded(facts.get("main_business_share"), bands, lower=False)


def _field(facts: Mapping[str, Any]) -> Bounds:
    strategic = facts.get("strategic_emerging_field")
    return (5, 10) if strategic is None else ((10, 10) if strategic else (5, 5))


# Core IP by class, best first: high-value class I 20, own class I 15, class I 10, class II 5.
_IP = (("ip_class1_high_value", 20), ("ip_class1_own", 15), ("ip_class1", 10), ("ip_class2", 5))


def _ip(facts: Mapping[str, Any]) -> Bounds:
    least = max((points for name, points in _IP if (facts.get(name) or 0) >= 1), default=0)
    for name, points in _IP:  # the best tier not known to be empty bounds the points from above
        if facts.get(name) is None or facts[name] >= 1:
            return least, points
    return least, 0


_PARTS: dict[str, tuple[Callable[[Mapping[str, Any]], Bounds], ...]] = {
    "innovative_sme_score_innovation": (_rd, _ip),
    "innovative_sme_score_growth": (_growth, _debt),
    "innovative_sme_score_specialisation": (_share, _field),
}


def innovative_sme_scores(facts: Mapping[str, Any]) -> dict[str, float | None]:
    """Each score as a fact: exact when every input is known, else the bound that already decides
    its threshold (the least points when they pass it, the most when they fall short), else None."""
    bounds = {
        name: (sum(part(facts)[0] for part in parts), sum(part(facts)[1] for part in parts))
        for name, parts in _PARTS.items()
    }
    bounds["innovative_sme_score"] = (
        sum(low for low, _ in bounds.values()),
        sum(high for _, high in bounds.values()),
    )
    return {name: _deciding(low, high, THRESHOLDS[name]) for name, (low, high) in bounds.items()}


def _deciding(low: int, high: int, threshold: int) -> float | None:
    if low == high or low >= threshold:
        return float(low)
    if high < threshold:
        return float(high)
    return None
