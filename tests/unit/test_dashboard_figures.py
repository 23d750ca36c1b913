"""The dashboard's figures: each province's firms joined with its cases, the total summed."""

from __future__ import annotations

from casework.domain.cases import CaseState
from casework.domain.listing import Tally
from portal.domain.dashboard import with_cases
from portal.web.routes_dashboard import _shown


def test_each_province_with_its_cases_and_the_total_last() -> None:
    counts = {
        "44": ({"eligible": 120, "possibly_eligible": 30}, 10_000),
        "33": ({"eligible": 10_001, "possibly_eligible": 2}, 10_000),
        None: ({"eligible": 10_001, "possibly_eligible": 32}, 10_000),
    }
    tallies = [
        Tally("44", CaseState.APPLYING, 4, 0),
        Tally("44", CaseState.DISBURSED, 2, 30_000_000),
        Tally("33", CaseState.APPROVED, 1, 0),
        Tally("33", CaseState.REJECTED, 3, 0),
        Tally("11", CaseState.DISBURSED, 9, 1),  # not a province of this page
    ]
    delivered = {"44": {"sent": 40, "failed": 2}, "11": {"sent": 9, "failed": 9}}
    zhejiang, guangdong, total = with_cases(counts, tallies, {"44": 5, "33": 1, "11": 7}, delivered)
    assert (guangdong.opened, guangdong.working, guangdong.approved, guangdong.disbursed) == (
        6, 4, 2, 2,
    )  # fmt: skip
    assert (zhejiang.approved, zhejiang.rejected, zhejiang.disbursed_fen) == (1, 3, 0)
    assert (total.opened, total.approved, total.disbursed_fen) == (10, 3, 30_000_000)
    assert _shown(total, "zh") == [
        "合计", "10,000+", "32", "6", "10", "4", "3", "2", "3", "300,000.00", "40", "2",
    ]  # fmt: skip
    assert _shown(guangdong, "en")[0] == "Guangdong"
