"""Email: notices rendered from the zh and en templates, sent over SMTP (STARTTLS and login
as configured), one connection per batch of deliveries."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifications.domain.messages import InboxMessage, Topic


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _render(template: str, language: str, **values: Any) -> tuple[str, str]:
    env = _templates()
    return (
        env.get_template(f"{template}.{language}.txt").render(**values),
        env.get_template(f"{template}.{language}.html").render(**values),
    )


def notice_email(notice: InboxMessage, *, language: str, name: str) -> dict[str, str]:
    """Subject, plain text and HTML of the email that carries `notice`."""
    template = "digest" if notice.topic is Topic.DIGEST else "notice"
    text, html = _render(
        template,
        language,
        notice=notice,
        lines=notice.lines(language),
        name=name or _greeting(language),
    )
    return {"subject": notice.title(language), "text": text, "html": html}


def _greeting(language: str) -> str:
    return "用户" if language == "zh" else "user"


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 10.0
    ca_file: str = ""  # a private CA that signed the server's certificate; empty: the system's


class SmtpSender:
    """Sends prepared emails; a failure raises `OSError` or `smtplib.SMTPException`."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    @contextmanager
    def session(self) -> Iterator[smtplib.SMTP]:
        config = self.config
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=config.ca_file or None))
            if config.username:
                smtp.login(config.username, config.password)
            yield smtp

    def send(self, smtp: smtplib.SMTP, *, to: str, content: dict[str, str], key: str) -> None:
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = to
        message["Subject"] = content["subject"]
        message["Date"] = formatdate(localtime=False)
        # The same delivery always carries the same id, so a retried send can be recognised.
        message["Message-ID"] = f"<{key}@supportmatch>"
        message.set_content(content["text"])
        message.add_alternative(content["html"], subtype="html")
        smtp.send_message(message)
