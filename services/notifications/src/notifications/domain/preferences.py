"""What a recipient chose: channels, language, immediate or daily digest, quiet hours, opt-outs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Shanghai"


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    WEBHOOK = "webhook"


class Cadence(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window, in the recipient's time zone, in which no email is sent (it waits)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # the window crosses midnight

    def end_after(self, local: datetime) -> datetime:
        """The first moment at or after `local` (aware) that lies outside the window."""
        if not self.contains(local.time().replace(tzinfo=None)):
            return local
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return end if end > local else end + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Preferences:
    channels: frozenset[Channel] = frozenset(Channel)
    language: Language = Language.ZH
    cadence: Cadence = Cadence.IMMEDIATE
    quiet_hours: QuietHours | None = None
    time_zone: str = DEFAULT_TIME_ZONE
    opted_out_kinds: frozenset[str] = field(default_factory=frozenset)

    def wants(self, channel: Channel, measure_kind: str | None) -> bool:
        """Whether a notice about a measure of `measure_kind` goes out on `channel`."""
        return channel in self.channels and measure_kind not in self.opted_out_kinds

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.time_zone))

    def email_not_before(self, moment: datetime) -> datetime:
        """When an email due at `moment` may be sent: at once, or when the quiet hours end."""
        if self.quiet_hours is None:
            return moment
        return self.quiet_hours.end_after(self.local(moment)).astimezone(UTC)
