"""The portal's rules without I/O: sessions, the rate limit, CSRF, PKCE, facts, the wizard, answers."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.accounts import AccountInvalid, binding, check_password, username_of
from portal.domain.answers import facts_to_ask, grouped
from portal.domain.catalogue import Filters, find
from portal.domain.csrf import form_token, token_matches
from portal.domain.facts import FIELDS, FactInvalid
from portal.domain.industries import search_industries
from portal.domain.pkce import code_challenge, code_verifier
from portal.domain.sessions import SessionRules
from portal.domain.themes import clause, clause_number, theme_of
from portal.domain.throttle import Throttle
from portal.domain.wizard import Step, read_answers
from portal.web.wording import china_time, counted, reason, source_title, tallied
from supportmatch_core.auth import Role

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_a_session_ends_when_idle_or_at_its_lifetime() -> None:
    rules = SessionRules(lifetime=timedelta(hours=12), idle=timedelta(minutes=30))
    assert not rules.expired(created_at=NOW, last_seen_at=NOW, now=NOW + timedelta(minutes=29))
    assert rules.expired(created_at=NOW, last_seen_at=NOW, now=NOW + timedelta(minutes=30))
    late = NOW + timedelta(hours=12)
    assert rules.expired(created_at=NOW, last_seen_at=late - timedelta(minutes=1), now=late)


def test_the_rate_limit_counts_failures_in_the_window_only() -> None:
    throttle = Throttle(limit=3, window=timedelta(minutes=15))
    failures = [NOW - timedelta(minutes=m) for m in (20, 10, 5)]
    assert throttle.retry_after(failures, NOW) is None
    failures.append(NOW - timedelta(minutes=1))
    assert throttle.retry_after(failures, NOW) == timedelta(minutes=5)


def test_a_count_reads_exact_more_than_the_cap_or_at_least() -> None:
    assert counted(9_999, 10_000) == "9,999"
    assert counted(10_001, 10_000) == "10,000+"
    assert counted(2_907, 10_000, at_least=True) == "2,907+"
    assert counted(10_001, 10_000, at_least=True) == "10,000+"
    found = {
        "counts": {"eligible": 2_907, "possibly_eligible": 10_001},
        "count_cap": 10_000,
        "partly_counted": ["eligible"],
    }
    assert tallied(found) == {"eligible": "2,907+", "possibly_eligible": "10,000+"}


def test_a_csrf_token_fits_only_its_browser_secret() -> None:
    key = b"k" * 32
    assert token_matches(key, "browser-a", form_token(key, "browser-a"))
    assert not token_matches(key, "browser-b", form_token(key, "browser-a"))
    assert not token_matches(key, None, form_token(key, "browser-a"))
    assert not token_matches(key, "browser-a", None)


def test_the_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    verifier = code_verifier()
    assert 43 <= len(verifier) <= 128
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert code_challenge(verifier) == digest.decode()


def test_accounts_are_bound_by_role() -> None:
    assert (
        binding(Role.ENTERPRISE, uscc="914403001922038216", provinces=[])[0] == "914403001922038216"
    )
    assert binding(Role.CASEWORKER, uscc=None, provinces=["广东", "44"])[1] == frozenset({"44"})
    for role, uscc, provinces in (
        (Role.ENTERPRISE, None, []),
        (Role.ENTERPRISE, "914403001922038217", []),
        (Role.CASEWORKER, None, []),
        (Role.ADMIN, None, ["44"]),
        (Role.CASEWORKER, "914403001922038216", ["44"]),
    ):
        with pytest.raises(AccountInvalid):
            binding(role, uscc=uscc, provinces=provinces)
    with pytest.raises(AccountInvalid):
        check_password("short")


def test_user_names_are_kept_in_lower_case_and_plain_characters() -> None:
    assert username_of("  Li.Hua@GD.gov.cn ") == "li.hua@gd.gov.cn"
    assert username_of("914403001922038216") == "914403001922038216"
    for bad in ("ab", "a b c", "-dash-first", "张三丰", "x" * 101, ""):
        with pytest.raises(AccountInvalid):
            username_of(bad)


@pytest.mark.parametrize(
    ("name", "typed", "value"),
    [
        ("revenue", "5000", 50_000_000),
        ("revenue", "1,234.5", 12_345_000),
        ("net_profit", "-20", -200_000),
        ("employees", "120", 120),
        ("tax_credit_grade", "a", "A"),
        ("export_oriented", "yes", True),
        ("niche_market_share", "12.5", 12.5),
        ("revenue", "  ", None),
    ],
)
def test_a_fact_is_read_as_typed_money_in_wan(name: str, typed: str, value: object) -> None:
    assert FIELDS[name].parse(typed) == value
    if value is not None:
        assert FIELDS[name].parse(FIELDS[name].shown(value)) == value  # 5000 stays 5000


@pytest.mark.parametrize(
    ("name", "typed", "code"),
    [
        ("revenue", "abc", "not_a_number"),
        ("employees", "1.5", "whole_number"),
        ("employees", "-1", "negative"),
        ("niche_market_share", "101", "percent_range"),
        ("tax_credit_grade", "Z", "choose_one"),
        ("revenue", "1e30", "too_large"),
    ],
)
def test_a_fact_that_does_not_fit_names_its_message(name: str, typed: str, code: str) -> None:
    with pytest.raises(FactInvalid) as refused:
        FIELDS[name].parse(typed)
    assert refused.value.code == code


def test_the_wizard_goes_step_by_step_and_back() -> None:
    assert read_answers({}).step is Step.INDUSTRY
    answers = read_answers({"industry": "c3921", "province": "44", "ownership": "private"})
    assert answers.step is Step.SIZE
    assert answers.industry == "C3921"
    sized = read_answers(
        {
            "industry": "C3921",
            "province": "44",
            "ownership": "private",
            "size_done": "1",
            "revenue": "x",
        }
    )
    assert sized.step is Step.SIZE
    assert sized.errors == {"revenue": "not_a_number"}
    back = read_answers({"industry": "C3921", "province": "44"}, back_to=Step.PROVINCE)
    assert back.step is Step.PROVINCE
    assert back.province is None
    assert read_answers({"industry": "Z9999"}).errors == {"industry": "choose_one"}


def test_industries_are_found_by_chinese_name_or_code() -> None:
    assert search_industries("通信系统")[0].code == "C3921"
    assert all(i.code.startswith("C39") for i in search_industries("C39"))
    assert search_industries("  ") == []


def _decision(measure: str, status: str, clause_text: str, missing: list[str]) -> dict[str, object]:
    return {
        "measure": {"id": measure, "clause": clause_text},
        "status": status,
        "missing_facts": [{"fact": f} for f in missing],
    }


def test_answers_are_grouped_in_clause_order_and_ask_each_fact_once() -> None:
    decisions = [
        _decision("b", "possibly_eligible", "（十六）", ["tax_credit_grade", "employees"]),
        _decision("a", "possibly_eligible", "（二）", ["employees", "listed"]),
        _decision("c", "eligible", "（十三）", []),
    ]
    groups = grouped(decisions)
    assert [d["measure"]["id"] for d in groups["possibly_eligible"]] == ["a", "b"]
    assert groups["ineligible"] == []
    assert facts_to_ask(decisions, FIELDS) == ["tax_credit_grade", "employees"]


def test_clauses_and_themes_follow_the_notice() -> None:
    assert [clause(n) for n in (1, 10, 13, 17)] == ["（一）", "（十）", "（十三）", "（十七）"]
    assert clause_number("（十六）") == 16
    theme = theme_of("（十三）")
    assert theme is not None
    assert theme.key == "enterprises"
    catalogue = [
        {
            "id": "x",
            "clause": "（十六）",
            "departments": ["财政部"],
            "ended": False,
            "title_zh": "增值税留抵退税",
        },
        {
            "id": "y",
            "clause": "（二）",
            "departments": ["商务部"],
            "ended": True,
            "title_zh": "家电下乡",
        },
    ]
    assert [m["id"] for m in find(catalogue, Filters(keyword="留抵"))] == ["x"]
    assert [m["id"] for m in find(catalogue, Filters(theme="recovery"))] == ["y"]
    assert [m["id"] for m in find(catalogue, Filters(department="财政部"))] == ["x"]


def test_reasons_read_as_sentences_without_english_in_chinese() -> None:
    criterion = {
        "fact": "revenue", "label_zh": "营业收入", "label_en": "revenue", "operator": "ge",
        "required": 20_000_000, "actual": 50_000_000, "outcome": "pass",
    }  # fmt: skip
    assert reason(criterion, "zh") == "营业收入不低于2,000万元：贵企业为5,000万元，满足。"
    assert (
        reason(criterion, "en")
        == "revenue at least 20,000,000 yuan: yours is 50,000,000 yuan, met."
    )
    unknown = {**criterion, "actual": None, "outcome": "unknown"}
    assert reason(unknown, "zh") == "营业收入不低于2,000万元：尚缺此项信息。"
    assert source_title("《通知》(recalled, not in FACTS.md)", "zh") == "《通知》"
    assert source_title("Validity assumed: the notice's period", "zh") is None


def test_times_are_shown_on_the_clock_of_china() -> None:
    assert china_time("2026-12-06T04:54:12.5+00:00") == "2026-12-06 12:54"
    assert china_time("2026-12-06T20:00:00Z") == "2026-12-07 04:00"
    assert china_time("2026-12-06T04:54:00") == "2026-12-06 12:54"  # stored without a zone: UTC
    assert china_time(None) == "—"
