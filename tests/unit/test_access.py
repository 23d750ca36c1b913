"""The one rule of who may see a firm: every role against every kind of firm."""

from __future__ import annotations

import pytest

from supportmatch_core.access import check_may_ask, check_may_see, may_see, visible_to
from supportmatch_core.auth import Principal, Role
from supportmatch_core.errors import UnknownEnterprise

OWN, OTHER = "91440300192203821J", "91330100192203821K"
FIRM = Principal("firm", Role.ENTERPRISE, uscc=OWN)
CASEWORKER = Principal("cw", Role.CASEWORKER, regions=frozenset({"44", "11"}))
NO_REGIONS = Principal("cw0", Role.CASEWORKER)
ADMIN = Principal("admin", Role.ADMIN)

# (uscc, stored province or None when the firm's province is not known here)
KINDS = {
    "own firm, in a served province": (OWN, "44"),
    "own firm, province not known": (OWN, None),
    "other firm, in a served province": (OTHER, "44"),
    "other firm, in another province": (OTHER, "33"),
    "other firm, province not known": (OTHER, None),
}
SEES = {
    FIRM: {"own firm, in a served province", "own firm, province not known"},
    CASEWORKER: {"own firm, in a served province", "other firm, in a served province"},
    NO_REGIONS: set(),
    ADMIN: set(KINDS),
}


@pytest.mark.parametrize("principal", list(SEES), ids=lambda p: p.subject)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_role_against_every_kind_of_firm(principal: Principal, kind: str) -> None:
    uscc, province = KINDS[kind]
    seen = kind in SEES[principal]
    assert may_see(principal, uscc=uscc, province_code=province) is seen
    if seen:
        check_may_see(principal, uscc=uscc, province_code=province)
    else:
        with pytest.raises(UnknownEnterprise) as refused:  # the same answer as "no such firm"
            check_may_see(principal, uscc=uscc, province_code=province)
        assert str(refused.value) == str(UnknownEnterprise(uscc))


def test_only_an_enterprise_is_refused_before_the_look_up() -> None:
    with pytest.raises(UnknownEnterprise):
        check_may_ask(FIRM, OTHER)
    for principal in (FIRM, CASEWORKER, ADMIN):
        check_may_ask(principal, OWN.lower())


def test_a_list_is_narrowed_by_the_same_rule() -> None:
    assert visible_to(ADMIN).provinces is None
    assert visible_to(CASEWORKER).provinces == frozenset({"44", "11"})
    assert visible_to(FIRM).uscc == OWN
