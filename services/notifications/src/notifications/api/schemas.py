"""Request and response bodies of the notifications API."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from notifications.domain.preferences import Cadence, Channel, Language, QuietHours
from notifications.domain.recipients import Recipient
from supportmatch_core.fields import Email
from supportmatch_reference.said import SaidValueError

MeasureKind = Literal["benefit", "obligation", "opportunity"]


def _zone(value: str) -> str:
    if value not in available_timezones():
        raise SaidValueError(
            f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)",
            "未知的时区，请使用标准时区名称，如 Asia/Shanghai",
        )
    return value


class InboxEntry(BaseModel):
    id: int
    topic: str
    uscc: str | None
    measure_id: str | None
    status: str | None
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    facts_to_provide: list[dict[str, str]]
    created_at: datetime
    read_at: datetime | None


class Inbox(BaseModel):
    entries: list[InboxEntry]
    unread: int
    next_before: int | None = Field(description="cursor for the next page (older entries)")


class Marked(BaseModel):
    marked: int


def _local(value: time) -> time:
    if value.tzinfo is not None:  # it would be dropped when stored, so say so instead
        raise SaidValueError(
            "a local time in the recipient's time_zone, without a UTC offset",
            "请填写所在时区的本地时间，不带时差",
        )
    return value


LocalTime = Annotated[time, AfterValidator(_local)]


class QuietHoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: LocalTime = Field(examples=["22:00"])
    end: LocalTime = Field(examples=["08:00"])


class PreferencesRead(BaseModel):
    recipient: dict[str, str]
    email: str | None
    channels: list[Channel]
    language: Language
    cadence: Cadence
    quiet_hours: QuietHoursBody | None
    time_zone: str
    opted_out_kinds: list[str]

    @classmethod
    def of(cls, recipient: Recipient) -> PreferencesRead:
        p = recipient.preferences
        quiet = p.quiet_hours
        return cls(
            recipient={"kind": recipient.kind.value, "key": recipient.key},
            email=recipient.email,
            channels=sorted(p.channels),
            language=p.language,
            cadence=p.cadence,
            quiet_hours=QuietHoursBody(start=quiet.start, end=quiet.end) if quiet else None,
            time_zone=p.time_zone,
            opted_out_kinds=sorted(p.opted_out_kinds),
        )


class PreferencesUpdate(BaseModel):
    """Only the fields given change. `quiet_hours: null` removes the quiet hours."""

    model_config = ConfigDict(extra="forbid")
    email: Email | None = None
    channels: list[Channel] | None = None
    language: Language | None = None
    cadence: Cadence | None = None
    quiet_hours: QuietHoursBody | None = None
    time_zone: Annotated[str, AfterValidator(_zone)] | None = None
    opted_out_kinds: list[MeasureKind] | None = None

    def changes(self) -> dict[str, Any]:
        given = self.model_fields_set
        out: dict[str, Any] = {}
        for name in given:
            value = getattr(self, name)
            if name == "quiet_hours":
                out[name] = QuietHours(value.start, value.end) if value else None
            elif name in ("channels", "opted_out_kinds"):
                out[name] = frozenset(value or [])
            elif value is not None or name == "email":
                out[name] = value
        return out


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000, examples=["https://erp.example.com/hooks/supportmatch"])


class WebhookRead(BaseModel):
    id: str
    url: str
    enabled: bool
    consecutive_failures: int
    disabled_reason: str | None
    previous_secret_valid_until: datetime | None
    created_at: datetime


class WebhookWithSecret(WebhookRead):
    secret: str = Field(description="shown once; sign-check requests with it")


class PingResult(BaseModel):
    delivered: bool
    detail: str
    duration_ms: int


class Attempt(BaseModel):
    attempt: int
    at: datetime
    outcome: str
    detail: str
    duration_ms: int


class DeliveryRead(BaseModel):
    id: int
    channel: str
    target: str
    trigger: str
    topic: str
    subject: str | None
    status: str = Field(
        description="pending, awaiting (an email owed until the recipient gives an address), "
        "sent or failed"
    )
    attempts: list[Attempt]
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class ResponseWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    response: Literal["applied", "declined"]


class ResponseRead(BaseModel):
    measure_id: str
    response: str
    at: datetime
    by: str
