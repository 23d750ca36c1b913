"""The rules of a measure version's lifecycle: versions follow each other, retirement ends them."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date
from typing import Any

import pytest

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.criteria import InvalidCriteria
from eligibility.domain.lifecycle import (
    Lifecycle,
    LifecycleConflict,
    check_new_version,
    check_publishable,
    draft_document,
    measure_changed,
    retired_document,
)
from eligibility.domain.measures import Measure, measure_from_document, shipped_documents
from supportmatch_core import contracts

TODAY = date(2026, 11, 27)


def _document() -> dict[str, Any]:
    (doc,) = [d for d in shipped_documents() if (d["id"], d["version"]) == ("vat-credit-refund", 3)]
    return copy.deepcopy(doc)


def _version(number: int, start: str, end: str | None) -> Measure:
    return dataclasses.replace(
        measure_from_document(_document()),
        version=number,
        valid_from=date.fromisoformat(start),
        valid_to=date.fromisoformat(end) if end else None,
    )


def test_a_draft_needs_a_version_above_every_published_one() -> None:
    published = [_version(1, "2022-07-01", "2023-12-31"), _version(2, "2024-01-01", None)]
    with pytest.raises(LifecycleConflict, match="version 2 already") as caught:
        check_new_version(_version(2, "2030-01-01", None), published)
    assert caught.value.field == "version"
    assert caught.value.zh == "措施vat-credit-refund已有第2版，草稿的版本号须大于2"
    check_new_version(_version(3, "2030-01-01", None), published)
    check_new_version(_version(1, "2030-01-01", None), [])


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        ("2024-01-01", None, True),  # both open-ended
        ("2022-01-01", "2022-07-01", True),  # shares the first day
        ("2022-01-01", "2022-06-30", False),  # ends the day before
        ("2030-01-01", "2030-12-31", True),  # inside an open end
    ],
)
def test_versions_of_a_measure_may_not_overlap(start: str, end: str | None, overlaps: bool) -> None:
    published = [_version(1, "2022-07-01", None)]
    candidate = _version(2, start, end)
    if overlaps:
        with pytest.raises(LifecycleConflict, match="retire version 1") as caught:
            check_publishable(candidate, published)
        assert caught.value.zh == (
            f"施行期与第1版（2022-07-01起长期有效）重叠：请将第1版自{start}起废止，或修改草稿的日期"
        )
    else:
        check_publishable(candidate, published)


def test_retiring_makes_the_day_before_the_last_day_in_force() -> None:
    doc = retired_document(_document(), effective_on=date(2026, 12, 1), today=TODAY)
    assert doc["valid_to"] == "2026-11-30"
    retired = measure_from_document(doc)
    assert retired.in_force_on(date(2026, 11, 30))
    assert retired.ended_by(date(2026, 12, 1))
    assert (
        retired_document(_document(), effective_on=TODAY, today=TODAY)["valid_to"] == "2026-11-26"
    )


def test_a_retirement_that_cannot_be_is_refused() -> None:
    with pytest.raises(InvalidCriteria, match=r"effective_on: .* in the past") as past:
        retired_document(_document(), effective_on=date(2026, 11, 1), today=TODAY)
    assert past.value.zh == "废止日期2026-11-01早于今天（2026-11-27），已作出的判断不能改变"
    not_started = {**_document(), "valid_from": "2027-01-01"}
    with pytest.raises(InvalidCriteria, match="effective_on: the version starts on 2027-01-01"):
        retired_document(not_started, effective_on=date(2027, 1, 1), today=TODAY)
    ending = {**_document(), "valid_to": "2026-12-31"}
    with pytest.raises(LifecycleConflict, match="already ends on 2026-12-31") as ended:
        retired_document(ending, effective_on=date(2027, 1, 1), today=TODAY)
    assert ended.value.zh == "该版本已于2026-12-31结束施行"
    earlier = retired_document(ending, effective_on=date(2026, 12, 31), today=TODAY)
    assert earlier["valid_to"] == "2026-12-30"


def test_a_draft_is_named_by_its_path() -> None:
    doc = {k: v for k, v in _document().items() if k not in ("id", "version")}
    stored = draft_document(doc, measure_id="vat-credit-refund", version=2)
    assert (stored["id"], stored["version"]) == ("vat-credit-refund", 2)
    with pytest.raises(InvalidCriteria, match=r"^id: ") as differs:
        draft_document({**doc, "id": "other"}, measure_id="vat-credit-refund", version=2)
    assert differs.value.zh == "文档中的措施编号（other）与请求路径中的（vat-credit-refund）不一致"
    with pytest.raises(InvalidCriteria, match=r"^id: 'drafts' is reserved"):
        draft_document(doc, measure_id="drafts", version=1)
    with pytest.raises(InvalidCriteria, match=r"^\(root\)"):
        draft_document({**doc, "audience": float("nan")}, measure_id="vat-credit-refund", version=2)


@pytest.mark.parametrize("lifecycle", list(Lifecycle))
def test_the_measure_event_carries_the_whole_document(lifecycle: Lifecycle) -> None:
    doc = _document()
    typed = measure_changed(
        document=doc, measure=measure_from_document(doc), lifecycle=lifecycle, actor="admin-1"
    )
    event = typed.envelope(source="urn:supportmatch:eligibility", subject=typed.subject)
    contracts.check(event)
    assert event.subject == "vat-credit-refund"
    assert event.data["document"] == doc
    assert event.data["lifecycle"] == lifecycle.value


def test_a_catalogue_never_goes_back_to_an_older_revision() -> None:
    catalogue = Catalogue([], revision=-1)
    catalogue.replace([_version(1, "2022-07-01", None)], revision=3)
    catalogue.replace([], revision=2)  # read before the newer one, swapped in after it
    assert catalogue.revision == 3
    assert [m.version for m in catalogue.versions("vat-credit-refund")] == [1]
