"""Webhook signatures, quiet hours, retry backoff and email rendering."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from eligibility.domain.decision import Status
from notifications.adapters.email import notice_email
from notifications.domain import signing
from notifications.domain.messages import caseworker_line, digest, ending_soon, message_for
from notifications.domain.preferences import Preferences, QuietHours
from notifications.domain.retry import RetryPolicy
from supportmatch_core.contracts.determination import EligibilityChanged, MeasureReference
from tests.unit._snapshots import COMPLIANT, decide_for, determination

BODY = b'{"topic":"newly_eligible"}'
NOW = 1_790_000_000


# Signatures


def test_a_signature_verifies_with_the_documented_scheme() -> None:
    header = signing.sign(BODY, secrets_in_use=["whsec_a"], timestamp=NOW)
    assert header.startswith(f"t={NOW},v1=")
    assert signing.verify(header, BODY, secret="whsec_a", now=NOW + 10) == NOW


def test_a_tampered_body_fails() -> None:
    header = signing.sign(BODY, secrets_in_use=["whsec_a"], timestamp=NOW)
    with pytest.raises(signing.SignatureError, match="no signature matches"):
        signing.verify(header, BODY.replace(b"newly", b"never"), secret="whsec_a", now=NOW)


@pytest.mark.parametrize("age", [301, -301, 86400])
def test_a_timestamp_outside_the_tolerance_fails(age: int) -> None:
    header = signing.sign(BODY, secrets_in_use=["whsec_a"], timestamp=NOW)
    with pytest.raises(signing.SignatureError, match="outside the tolerance"):
        signing.verify(header, BODY, secret="whsec_a", now=NOW + age)


def test_a_changed_timestamp_fails_even_inside_the_tolerance() -> None:
    header = signing.sign(BODY, secrets_in_use=["whsec_a"], timestamp=NOW)
    forged = header.replace(f"t={NOW}", f"t={NOW + 5}")
    with pytest.raises(signing.SignatureError):
        signing.verify(forged, BODY, secret="whsec_a", now=NOW)


def test_during_rotation_either_secret_verifies_and_a_third_does_not() -> None:
    header = signing.sign(BODY, secrets_in_use=["whsec_new", "whsec_old"], timestamp=NOW)
    assert header.count("v1=") == 2
    signing.verify(header, BODY, secret="whsec_new", now=NOW)
    signing.verify(header, BODY, secret="whsec_old", now=NOW)
    with pytest.raises(signing.SignatureError):
        signing.verify(header, BODY, secret="whsec_other", now=NOW)


@pytest.mark.parametrize("header", [None, "", "v1=abc", f"t={NOW}", "t=soon,v1=abc"])
def test_a_missing_or_malformed_header_fails(header: str | None) -> None:
    with pytest.raises(signing.SignatureError):
        signing.verify(header, BODY, secret="whsec_a", now=NOW)


# Quiet hours


SHANGHAI_NIGHT = QuietHours(time(22, 0), time(8, 0))


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (
            datetime(2026, 3, 1, 13, 59, tzinfo=UTC),
            datetime(2026, 3, 1, 13, 59, tzinfo=UTC),
        ),  # 21:59
        (datetime(2026, 3, 1, 14, 0, tzinfo=UTC), datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),  # 22:00
        (datetime(2026, 3, 1, 18, 30, tzinfo=UTC), datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),  # 02:30
        (datetime(2026, 3, 2, 0, 0, tzinfo=UTC), datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),  # 08:00
    ],
)
def test_quiet_hours_across_midnight_hold_email_until_they_end(
    utc: datetime, expected: datetime
) -> None:
    assert Preferences(quiet_hours=SHANGHAI_NIGHT).email_not_before(utc) == expected


def test_quiet_hours_within_a_day_and_in_another_time_zone() -> None:
    lunch = Preferences(
        quiet_hours=QuietHours(time(12, 0), time(13, 30)), time_zone="Europe/Berlin"
    )
    at = datetime(2026, 7, 1, 10, 15, tzinfo=UTC)  # 12:15 in Berlin (summer time)
    assert lunch.email_not_before(at) == datetime(2026, 7, 1, 11, 30, tzinfo=UTC)
    assert Preferences().email_not_before(at) == at


# Retries


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=8, base_seconds=30, cap_seconds=600)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 600), (9, 600)]:
        waits = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(timedelta(seconds=ceiling / 2) <= w <= timedelta(seconds=ceiling) for w in waits)
        assert len(set(waits)) > 100  # jittered, not one value
    assert not policy.exhausted(7)
    assert policy.exhausted(8)


# What is said


def test_an_eligible_email_states_measure_clause_and_next_step_in_each_language() -> None:
    data = determination(decide_for(**COMPLIANT), previous=Status.POSSIBLY_ELIGIBLE)
    message = message_for(EligibilityChanged.from_data(data))
    zh = notice_email(message, language="zh", name="测试制造有限公司")
    en = notice_email(message, language="en", name="Test Manufacturing")
    assert zh["subject"] == f"符合条件：{data['measure']['title_zh']}"
    assert en["subject"] == f"You qualify: {data['measure']['title_en']}"
    for body in (zh["text"], zh["html"]):
        assert "测试制造有限公司" in body
        assert "（十六）" in body
        assert "申请方式：" in body
        assert "电子税务局" in body
        assert "判断依据" in body
        assert "【符合】纳税信用等级：A级，需为A级或B级" in body
    for body in (en["text"], en["html"]):
        assert "Dear Test Manufacturing" in body
        assert "clause (16)" in body
        assert "How to apply:" in body
        assert "electronic tax bureau" in body
        assert "[met] tax credit grade: grade A; needs grade A or grade B" in body


def test_html_is_escaped_and_text_is_not() -> None:
    data = determination(decide_for(**COMPLIANT))
    email = notice_email(
        message_for(EligibilityChanged.from_data(data)), language="en", name="<b>A & B</b>"
    )
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in email["html"]
    assert "Dear <b>A & B</b>," in email["text"]


def test_a_no_longer_eligible_email_gives_the_reasons() -> None:
    data = determination(
        decide_for(**{**COMPLIANT, "tax_credit_grade": "C"}), previous=Status.ELIGIBLE
    )
    email = notice_email(message_for(EligibilityChanged.from_data(data)), language="en", name="x")
    assert email["subject"].startswith("You no longer qualify:")
    assert "Reasons:" in email["text"]
    assert "tax credit grade" in email["text"].lower()


def test_a_caseworkers_digest_line_names_the_firm_the_change_and_what_is_missing() -> None:
    without_grade = {k: v for k, v in COMPLIANT.items() if k != "tax_credit_grade"}
    data = determination(decide_for(**without_grade), previous=Status.ELIGIBLE)
    zh, en = caseworker_line(
        EligibilityChanged.from_data(data), enterprise="深圳市示例电子有限公司"
    )
    assert zh.startswith(f"深圳市示例电子有限公司（{data['uscc']}）：")
    assert "由符合变为可能符合；待补充：" in zh
    assert "纳税信用等级" in zh
    assert zh.endswith("。")
    assert "from eligible to possibly eligible; still to give:" in en
    refused = determination(
        decide_for(**{**COMPLIANT, "tax_credit_grade": "C"}), previous=Status.ELIGIBLE
    )
    zh, en = caseworker_line(EligibilityChanged.from_data(refused), enterprise=None)
    assert zh.startswith(f"{refused['uscc']}：")
    assert "由符合变为不符合；未满足：纳税信用等级" in zh
    assert "; not met: " in en
    first = determination(decide_for(**COMPLIANT))
    zh, _ = caseworker_line(EligibilityChanged.from_data(first), enterprise="某公司")
    assert "判断为符合" in zh
    assert "待补充" not in zh


def test_reminders_and_digests_read_well() -> None:
    measure = MeasureReference(
        id="m",
        version=1,
        title_zh="某措施",
        title_en="Some measure",
        clause="（一）",
        valid_to=None,
    )
    one = ending_soon(measure, date(2026, 12, 31), 1)
    assert one.title_en == "Ends in 1 day: Some measure"
    assert one.title_zh == "即将截止（1天）：某措施"
    assert "2026-12-31" in one.body_en
    summary = digest(date(2026, 11, 26), ["甲", "乙"], ["a", "b"])
    assert summary.title_en == "Digest of 2026-11-26 (2 changes)"
    theirs = digest(date(2026, 11, 26), ["甲"], ["a"], caseworker=True)
    assert theirs.title_zh == "贵辖区企业政策匹配变化摘要 2026-11-26（1条）"
    assert theirs.title_en == "Changes for the firms of your provinces, 2026-11-26 (1 change)"
    email = notice_email(summary, language="en", name="Caseworker Li")
    assert "- a\n- b\n" in email["text"]
