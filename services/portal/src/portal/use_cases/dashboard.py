"""A caseworker's dashboard: for one measure, each province it serves and all of them together."""

from __future__ import annotations

from typing import Any

from casework.adapters.unit_of_work import CaseUnitOfWork
from casework.use_cases.cases import tally
from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.domain.dashboard import Figures, with_cases


def figures(
    services: Services, cases: CaseUnitOfWork, account: Account, measure: str
) -> list[Figures]:
    """Per province the caller serves (an admin: those with cases), then the total."""
    tallies = tally(uow=cases, principal=account.principal, measure_id=measure)
    provinces = sorted(account.provinces or {t.province_code for t in tallies})

    def counted(province: str | None) -> tuple[dict[str, int], int]:
        params: dict[str, Any] = {"province": province, "limit": 1}
        path = f"/v1/measures/{measure}/enterprises"
        found = services.call("eligibility", "GET", path, account=account, params=params)
        return dict(found["counts"]), int(found["count_cap"])

    def newly() -> dict[str, int]:
        path = f"/v1/measures/{measure}/newly-eligible"
        found = services.call("eligibility", "GET", path, account=account, params={"days": 7})
        return dict(found["by_province"])

    def delivered() -> dict[str, dict[str, int]]:
        path = f"/v1/measures/{measure}/deliveries"
        found = services.call("notifications", "GET", path, account=account, params={"days": 7})
        return dict(found["by_province"])

    keys: list[str | None] = [*provinces, None]
    *answers, lately, sent = services.together(
        *[lambda key=key: counted(key) for key in keys], newly, delivered
    )
    return with_cases(dict(zip(keys, answers, strict=True)), tallies, lately, sent)
