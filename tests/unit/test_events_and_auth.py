"""The CloudEvents envelope, JWT tokens and role-based access."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportmatch_core.access import may_see
from supportmatch_core.auth import Principal, Role, TokenService
from supportmatch_core.events import SPEC_VERSION, Event, MalformedEvent
from supportmatch_core.problems import Problem, Unauthorized

SECRET = "unit-test-signing-key-that-is-long-enough-for-hs256"
OTHER_SECRET = "another-signing-key-that-is-also-long-enough-for-hs256"
USCC = "914403001922038216"


def an_event(**changes: Any) -> Event:
    fields: dict[str, Any] = {
        "type": "enterprise.profile.v1",
        "source": "urn:supportmatch:profiles",
        "subject": USCC,
        "data": {"uscc": USCC, "name": "深圳测试有限公司", "facts": {"employees": 12}},
    }
    return Event(**(fields | changes))


def raw(**changes: Any) -> bytes:
    doc = an_event().to_dict() | changes
    return json.dumps(doc).encode()


def without(name: str) -> bytes:
    doc = an_event().to_dict()
    del doc[name]
    return json.dumps(doc).encode()


# --- events -----------------------------------------------------------------------------------


def test_event_round_trip() -> None:
    event = an_event()
    again = Event.from_bytes(event.to_bytes())
    assert again == event
    assert again.data["name"] == "深圳测试有限公司"


def test_event_envelope_is_structured_mode_cloudevents() -> None:
    event = an_event()
    doc = json.loads(event.to_bytes())
    assert doc == {
        "specversion": "1.0",
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "subject": USCC,
        "time": event.time,
        "datacontenttype": "application/json",
        "data": event.data,
    }
    assert "深圳".encode() in event.to_bytes()  # UTF-8, not \u escapes


def test_events_get_fresh_ids_and_a_utc_time() -> None:
    first, second = an_event(), an_event()
    assert first.id != second.id
    assert first.time.endswith("+00:00")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.text(), json_values, max_size=5), st.text(min_size=1))
def test_any_json_data_round_trips(data: dict[str, Any], subject: str) -> None:
    event = an_event(data=data, subject=subject)
    assert Event.from_bytes(event.to_bytes()) == event


@given(st.dictionaries(st.text(), json_values, max_size=5))
def test_events_encode_as_json_dumps_does_byte_for_byte(data: dict[str, Any]) -> None:
    event = an_event(data=data)
    expected = json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
    assert event.to_bytes() == expected


def test_integers_beyond_64_bits_are_encoded_and_other_values_still_refused() -> None:
    event = an_event(data={"revenue": 10**30})
    assert Event.from_bytes(event.to_bytes()).data == {"revenue": 10**30}
    with pytest.raises(TypeError):
        an_event(data={"when": datetime.now(UTC)}).to_bytes()


def test_event_ids_are_version_4_uuids() -> None:
    ids = {an_event(data={}).id for _ in range(1000)}
    assert len(ids) == 1000
    for text in ids:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (b"", "empty message"),
        (None, "empty message"),
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (without("id"), "attribute 'id' must be a non-empty string"),
        (raw(id=""), "attribute 'id' must be a non-empty string"),
        (raw(id=7), "attribute 'id' must be a non-empty string"),
        (without("subject"), "attribute 'subject'"),
        (without("time"), "attribute 'time'"),
        (raw(specversion="0.3"), "specversion must be '1.0'"),
        (without("specversion"), "specversion must be '1.0'"),
        (raw(data=[1]), "attribute 'data' must be a JSON object"),
        (raw(data="text"), "attribute 'data' must be a JSON object"),
        (raw(data=None), "attribute 'data' must be a JSON object"),
        (without("data"), "attribute 'data' must be a JSON object"),
    ],
)
def test_from_bytes_rejects_malformed_messages(message: bytes | None, error: str) -> None:
    with pytest.raises(MalformedEvent, match=error):
        Event.from_bytes(message)


def test_spec_version() -> None:
    assert SPEC_VERSION == "1.0"


# --- tokens -----------------------------------------------------------------------------------


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(SECRET)


def test_enterprise_token_round_trip(tokens: TokenService) -> None:
    principal = tokens.verify(tokens.issue(subject="firm-1", role=Role.ENTERPRISE, uscc=USCC))
    assert principal == Principal(subject="firm-1", role=Role.ENTERPRISE, uscc=USCC)


def test_caseworker_token_round_trip(tokens: TokenService) -> None:
    token = tokens.issue(subject="cw-1", role=Role.CASEWORKER, regions=["44", "11"])
    principal = tokens.verify(token)
    assert principal.role is Role.CASEWORKER
    assert principal.regions == frozenset({"11", "44"})
    assert principal.uscc is None
    assert jwt.decode(token, options={"verify_signature": False})["regions"] == ["11", "44"]


def test_admin_token_round_trip(tokens: TokenService) -> None:
    principal = tokens.verify(tokens.issue(subject="root", role=Role.ADMIN))
    assert principal == Principal(subject="root", role=Role.ADMIN)


def test_token_claims(tokens: TokenService) -> None:
    token = tokens.issue(subject="root", role=Role.ADMIN, ttl=timedelta(minutes=5))
    claims = jwt.decode(token, options={"verify_signature": False})
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert claims["iss"] == "supportmatch"
    assert claims["aud"] == "supportmatch"
    assert claims["role"] == "admin"
    assert claims["exp"] - claims["iat"] == 300


def test_expired_token_is_unauthorized(tokens: TokenService) -> None:
    token = tokens.issue(subject="root", role=Role.ADMIN, ttl=timedelta(seconds=-1))
    with pytest.raises(Unauthorized, match="invalid token"):
        tokens.verify(token)


def test_token_signed_with_another_secret_is_unauthorized(tokens: TokenService) -> None:
    token = TokenService(OTHER_SECRET).issue(subject="root", role=Role.ADMIN)
    with pytest.raises(Unauthorized, match="invalid token"):
        tokens.verify(token)


def test_token_for_another_audience_is_unauthorized(tokens: TokenService) -> None:
    token = TokenService(SECRET, audience="elsewhere").issue(subject="root", role=Role.ADMIN)
    with pytest.raises(Unauthorized, match="invalid token"):
        tokens.verify(token)


def test_token_from_another_issuer_is_unauthorized(tokens: TokenService) -> None:
    token = TokenService(SECRET, issuer="elsewhere").issue(subject="root", role=Role.ADMIN)
    with pytest.raises(Unauthorized, match="invalid token"):
        tokens.verify(token)


def test_enterprise_token_without_uscc_is_unauthorized(tokens: TokenService) -> None:
    token = tokens.issue(subject="firm-1", role=Role.ENTERPRISE)
    with pytest.raises(Unauthorized, match="must carry the enterprise's uscc"):
        tokens.verify(token)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "x", "role": "superuser"},
        {"sub": "x"},
        {"role": "admin"},
    ],
    ids=["unknown-role", "no-role", "no-sub"],
)
def test_tokens_with_bad_claims_are_unauthorized(
    tokens: TokenService, claims: dict[str, Any]
) -> None:
    body = claims | {"iss": "supportmatch", "aud": "supportmatch", "exp": 4_102_444_800}
    with pytest.raises(Unauthorized, match="invalid token"):
        tokens.verify(jwt.encode(body, SECRET, algorithm="HS256"))


def test_token_without_expiry_is_unauthorized(tokens: TokenService) -> None:
    body = {"sub": "x", "role": "admin", "iss": "supportmatch", "aud": "supportmatch"}
    with pytest.raises(Unauthorized, match="invalid token"):
        tokens.verify(jwt.encode(body, SECRET, algorithm="HS256"))


def test_unsigned_token_is_unauthorized(tokens: TokenService) -> None:
    body = {
        "sub": "x",
        "role": "admin",
        "iss": "supportmatch",
        "aud": "supportmatch",
        "exp": 4_102_444_800,
    }
    with pytest.raises(Unauthorized):
        tokens.verify(jwt.encode(body, None, algorithm="none"))  # type: ignore[arg-type]


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_garbage_is_unauthorized(tokens: TokenService, token: str) -> None:
    with pytest.raises(Unauthorized):
        tokens.verify(token)


def test_unauthorized_is_a_401_problem() -> None:
    error = Unauthorized("nope")
    assert isinstance(error, Problem)
    assert error.status == 401
    assert error.detail == "nope"


# --- access: the one rule of supportmatch_core.access, with tokens as they arrive --------------

OTHER_USCC = "91330100799655058B"


@pytest.mark.parametrize("province", ["44", "11", None])
@pytest.mark.parametrize("uscc", [USCC, OTHER_USCC])
def test_admin_may_access_every_enterprise(uscc: str, province: str | None) -> None:
    admin = Principal(subject="root", role=Role.ADMIN)
    assert may_see(admin, uscc=uscc, province_code=province)


def test_enterprise_may_access_only_itself() -> None:
    firm = Principal(subject="firm", role=Role.ENTERPRISE, uscc=USCC)
    assert may_see(firm, uscc=USCC, province_code="44")
    assert may_see(firm, uscc=USCC, province_code=None)
    assert not may_see(firm, uscc=OTHER_USCC, province_code="44")
    assert not may_see(firm, uscc=OTHER_USCC, province_code="33")


def test_enterprise_may_access_even_with_regions_only_itself() -> None:
    firm = Principal(subject="firm", role=Role.ENTERPRISE, uscc=USCC, regions=frozenset({"33"}))
    assert not may_see(firm, uscc=OTHER_USCC, province_code="33")


def test_caseworker_may_access_only_provinces_in_their_regions() -> None:
    worker = Principal(subject="cw", role=Role.CASEWORKER, regions=frozenset({"44", "11"}))
    assert may_see(worker, uscc=USCC, province_code="44")
    assert may_see(worker, uscc=OTHER_USCC, province_code="11")
    assert not may_see(worker, uscc=OTHER_USCC, province_code="33")
    assert not may_see(worker, uscc=USCC, province_code=None)


def test_caseworker_without_regions_may_access_nothing() -> None:
    worker = Principal(subject="cw", role=Role.CASEWORKER)
    assert not may_see(worker, uscc=USCC, province_code="44")


def test_caseworker_with_a_uscc_claim_is_still_limited_to_regions(tokens: TokenService) -> None:
    token = tokens.issue(subject="cw", role=Role.CASEWORKER, uscc=USCC, regions=["11"])
    worker = tokens.verify(token)
    assert not may_see(worker, uscc=USCC, province_code="44")
    assert may_see(worker, uscc=USCC, province_code="11")
