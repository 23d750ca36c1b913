"""The eligibility API for a registered firm: its decisions as of any day. What anyone may call
without a token, the self-check and the catalogue, is tested in test_eligibility_public.py."""

from __future__ import annotations

from typing import Any

from supportmatch_core.auth import Role, TokenService
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.eligibility_facts import COMPLIANT, VAT_FIGURES, vat_decision
from tests.integration.system import InProcessSystem, wait_until


def test_decisions_as_of_a_past_day_use_the_measures_then_in_force(
    broker: Any, databases: Databases, tokens: TokenService
) -> None:
    with InProcessSystem(bootstrap=broker.address, databases=databases) as system:
        body = {
            **enterprise_payload(industry="C3921"),
            **VAT_FIGURES,
            "facts": {"fiscal_year": 2023, **COMPLIANT},
        }
        assert (
            system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens)).status_code
            == 201
        )
        owner = bearer(tokens, Role.ENTERPRISE, uscc=body["uscc"])
        path = f"/v1/enterprises/{body['uscc']}/determinations"
        assert wait_until(
            lambda: system.eligibility.get(path, headers=owner).status_code == 200, timeout=15
        )
        today = system.eligibility.get(path, headers=owner).json()
        assert vat_decision(today)["status"] == "eligible"
        eligible_only = system.eligibility.get(f"{path}?status=eligible", headers=owner).json()
        assert {d["status"] for d in eligible_only} == {"eligible"}
        before = system.eligibility.get(f"{path}?as_of=2022-03-31", headers=owner).json()
        assert "vat-credit-refund" not in {d["measure"]["id"] for d in before}
        assert system.eligibility.get(f"{path}?as_of=yesterday", headers=owner).status_code == 422
        other = bearer(tokens, Role.CASEWORKER, regions=["11"])
        assert system.eligibility.get(path, headers=other).status_code == 404
